/**
 * Plotly figure specs for the study's three figures, as plain JSON ({data, layout}): the
 * same object is shown interactively in a notebook (notebook_display.ts) and rendered to
 * SVG/PNG by plotly.js itself (static_export.ts), so the two never disagree.
 *
 * - costFigure: score against compute (log axis), one line per pipeline through its
 *   checkpoints (the paper's cost figure), the phase a checkpoint ends as the marker's
 *   shape; optionally the paper's own points in a second panel with the same encodings,
 *   since GH200-hours and our compute are not on one scale.
 * - promptEffectFigure: grouped bars, one group per pre-trained base, one bar per
 *   fine-tuning setting (prompts on/off).
 * - trainingCurvesFigure: a grid, one column per phase, the loss on top (smoothed, with the
 *   raw loss faint behind) and the dev score under it where there is one.
 *
 * A series (a pipeline) keeps one colour across panels and is named once in the legend;
 * spreads over seeds become error bars. Text sits in legends and panel titles, never on
 * the points, so no label can collide with another.
 */
import { emaSmooth, smoothingSpan } from "./smoothing.ts";

/** A plotly figure: traces and layout, exactly what `Plotly.newPlot(div, data, layout)` takes. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/** One evaluated checkpoint of a pipeline: compute spent so far and its score. */
export interface Checkpoint {
  label: string;
  compute: number;
  score: number;
  /** Standard deviation over seeds, drawn as an error bar. */
  spread?: number;
}

/** A pipeline's checkpoints in training order. */
export interface PipelineCheckpoints {
  name: string;
  checkpoints: Checkpoint[];
}

/** One bar of the prompt figure: a base, a fine-tuning setting and the score. */
export interface PromptBar {
  base: string;
  fineTuning: string;
  score: number;
  spread?: number;
}

/** One phase's training log: loss by step, and optionally dev scores by step. */
export interface TrainingCurve {
  phase: string;
  steps: number[];
  loss: number[];
  dev?: { steps: number[]; score: number[] };
  /** The column the curve is drawn in (default: `phase`); curves of one phase share one. */
  panel?: string;
  /** Its legend entry, one colour each (default: `phase`). */
  series?: string;
  /** The series' colour (default: the next of {@link COLOURS}). */
  colour?: string;
}

/** Titles shared by the figure builders. */
export interface FigureText {
  title?: string;
  scoreTitle?: string;
}

/** plotly's default colour sequence; series take them in order unless they name a colour. */
export const COLOURS = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
];
const FONT = { family: "DejaVu Sans, Arial, sans-serif", size: 13 };
/** Marker shape of a checkpoint by the phase it ends; other labels take the spare shapes. */
const PHASE_SYMBOLS: Record<string, string> = {
  unsupervised: "circle",
  supervised: "square",
  KD: "diamond",
};
const SPARE_SYMBOLS = ["triangle-up", "cross", "star", "x"];

/** Average score against compute, one line per pipeline; `reference` adds a paper panel. */
export function costFigure(
  pipelines: readonly PipelineCheckpoints[],
  options: FigureText & {
    computeTitle?: string;
    /** Title over our panel (drawn when there is a reference panel). */
    panelTitle?: string;
    reference?: readonly PipelineCheckpoints[];
    referenceComputeTitle?: string;
    referenceScoreTitle?: string;
    referencePanelTitle?: string;
  } = {},
): PlotlyFigure {
  const {
    title = "Average nDCG@10 against training compute",
    scoreTitle = "average nDCG@10",
    computeTitle = "training compute (FLOPs)",
    panelTitle = "this study",
    reference,
    referenceComputeTitle = "GH200-hours",
    referenceScoreTitle = "BEIR average nDCG@10",
    referencePanelTitle = "the paper",
  } = options;
  const all = [...pipelines, ...(reference ?? [])];
  const names = [...new Set(all.map((p) => p.name))];
  const phaseOrder = (label: string) => {
    const known = Object.keys(PHASE_SYMBOLS).indexOf(label);
    return known < 0 ? Infinity : known;
  };
  const labels = [...new Set(all.flatMap((p) => p.checkpoints.map((c) => c.label)))]
    .sort((a, b) => phaseOrder(a) - phaseOrder(b));
  const spare = labels.filter((label) => !(label in PHASE_SYMBOLS));
  const symbol = (label: string) =>
    PHASE_SYMBOLS[label] ?? SPARE_SYMBOLS[spare.indexOf(label) % SPARE_SYMBOLS.length];
  // Per pipeline: its line (in the legend) and its checkpoints, shaped by phase, with error
  // bars (not in the legend, whose entry would otherwise show the first checkpoint's shape).
  const lines = (set: readonly PipelineCheckpoints[], axes: { xaxis: string; yaxis: string }) =>
    set.flatMap((pipeline) => {
      const { checkpoints } = pipeline;
      checkpoints.forEach((c, i) =>
        requireFinite([c.compute, c.score, c.spread ?? 0], `${pipeline.name}, checkpoint ${i + 1}`)
      );
      const colour = COLOURS[names.indexOf(pipeline.name) % COLOURS.length];
      const common = {
        type: "scatter",
        name: pipeline.name,
        legendgroup: pipeline.name,
        legendrank: 1 + names.indexOf(pipeline.name),
        x: checkpoints.map((c) => c.compute),
        y: checkpoints.map((c) => c.score),
        ...axes,
      };
      return [
        {
          ...common,
          mode: "lines",
          showlegend: axes.xaxis === "x" || !pipelines.some((p) => p.name === pipeline.name),
          line: { color: colour, width: 2 },
          hoverinfo: "skip",
        },
        {
          ...common,
          mode: "markers",
          showlegend: false,
          text: checkpoints.map((c) => c.label),
          hovertemplate: "%{text}: %{y:.2f} at %{x:.3s}",
          marker: {
            color: colour,
            size: 11,
            symbol: checkpoints.map((c) => symbol(c.label)),
            line: { color: "white", width: 1 },
          },
          ...errorBars(checkpoints.map((c) => c.spread)),
        },
      ];
    });
  const data: Record<string, unknown>[] = lines(pipelines, { xaxis: "x", yaxis: "y" });
  if (reference) data.push(...lines(reference, { xaxis: "x2", yaxis: "y2" }));
  // One grey legend entry per marker shape, after the pipelines: the phase a checkpoint ends.
  labels.forEach((label, i) => {
    data.push({
      type: "scatter",
      mode: "markers",
      name: `after ${label}`,
      legendrank: 100 + i,
      x: [null],
      y: [null],
      marker: { color: "#555", size: 11, symbol: symbol(label) },
      hoverinfo: "skip",
      xaxis: "x",
      yaxis: "y",
    });
  });
  const logAxis = (set: readonly PipelineCheckpoints[]) => ({
    type: "log",
    automargin: true,
    ...logTicks(set.flatMap((p) => p.checkpoints.map((c) => c.compute))),
  });
  const layout: Record<string, unknown> = {
    title: { text: title },
    font: FONT,
    width: reference ? 1100 : 760,
    height: 520,
    margin: { t: 90 },
    xaxis: {
      ...logAxis(pipelines),
      title: { text: computeTitle },
      domain: reference ? [0, 0.44] : [0, 1],
    },
    yaxis: { title: { text: scoreTitle } },
    legend: { orientation: "h", x: 0.5, xanchor: "center", y: -0.2, yanchor: "top" },
  };
  if (reference) {
    layout.xaxis2 = {
      ...logAxis(reference),
      title: { text: referenceComputeTitle },
      domain: [0.56, 1],
    };
    layout.yaxis2 = { title: { text: referenceScoreTitle }, anchor: "x2" };
    layout.annotations = [
      panelTitleAnnotation(`<b>${panelTitle}</b>`, 0, 1),
      panelTitleAnnotation(`<b>${referencePanelTitle}</b>`, 0.56, 1),
    ];
  }
  return { data, layout };
}

/** Grouped bars: x = pre-trained base, one bar colour per fine-tuning setting. */
export function promptEffectFigure(
  bars: readonly PromptBar[],
  options: FigureText = {},
): PlotlyFigure {
  const { title = "Effect of prompts at fine-tuning", scoreTitle = "average nDCG@10" } = options;
  bars.forEach((b, i) => requireFinite([b.score, b.spread ?? 0], `bar ${i + 1} (${b.base})`));
  const bases = [...new Set(bars.map((b) => b.base))];
  const settings = [...new Set(bars.map((b) => b.fineTuning))];
  const data = settings.map((setting, s) => {
    const byBase = bases.map((base) =>
      bars.find((b) => b.base === base && b.fineTuning === setting)
    );
    return {
      type: "bar",
      name: setting,
      x: bases.map((base) => wrap(base, 18)),
      // A missing combination is a gap (null), not a zero bar.
      y: byBase.map((b) => b?.score ?? null),
      marker: { color: COLOURS[s % COLOURS.length] },
      ...errorBars(byBase.map((b) => b?.spread)),
    };
  });
  return {
    data,
    layout: {
      title: { text: title },
      font: FONT,
      width: 720,
      height: 480,
      barmode: "group",
      xaxis: { tickangle: 0, automargin: true },
      yaxis: { title: { text: scoreTitle } },
      legend: { orientation: "h", x: 0, y: 1.08 },
    },
  };
}

/**
 * Training curves as a grid: one column per panel (a phase), the loss on top and the dev
 * score under it where the panel has one; the curves of one series share a colour and a
 * legend entry. The loss is drawn smoothed (an exponential moving average) over the raw
 * loss in faint. A curve of 0 steps (a random initialisation) gets a note, not a panel.
 */
export function trainingCurvesFigure(
  curves: readonly TrainingCurve[],
  options: FigureText = {},
): PlotlyFigure {
  const { title = "Training curves", scoreTitle = "dev nDCG@10" } = options;
  if (curves.length === 0) throw new Error("trainingCurvesFigure: no curves");
  const untrained = curves.filter((c) => c.steps.length === 0 && c.loss.length === 0);
  const drawn = curves.filter((c) => !untrained.includes(c));
  for (const curve of drawn) {
    checkSeries(curve.steps, curve.loss, `${curve.phase} loss`);
    if (curve.dev) checkSeries(curve.dev.steps, curve.dev.score, `${curve.phase} dev`);
  }
  const panelOf = (c: TrainingCurve) => c.panel ?? c.phase;
  const seriesOf = (c: TrainingCurve) => c.series ?? c.phase;
  const panels = [...new Set(drawn.map(panelOf))];
  const series = [...new Set(drawn.map(seriesOf))];
  const withDev = new Set(drawn.filter((c) => c.dev).map(panelOf));
  const small = (text: string) => `<br><span style="font-size:12px">${text}</span>`;
  const notes = [
    drawn.some((c) => smoothingSpan(c.loss.length) > 1)
      ? small("loss: moving average in bold, the loss of each step faint behind it")
      : "",
    untrained.length
      ? small(`not trained (0 steps), so not drawn: ${untrained.map((c) => c.phase).join(", ")}`)
      : "",
  ];
  const rows = withDev.size > 0 ? 2 : 1;
  const columns = Math.max(1, panels.length);
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    // The title and its notes sit at the top, above the panels' own titles.
    title: {
      text: title + notes.join(""),
      y: 1,
      yref: "container",
      yanchor: "top",
      pad: { t: 16 },
    },
    font: FONT,
    width: 140 + 330 * columns,
    height: 250 + 290 * rows,
    margin: { t: 130 },
    showlegend: true,
    legend: { orientation: "h", x: 0.5, xanchor: "center", y: -0.14, yanchor: "top" },
    annotations,
  };
  if (drawn.length === 0) {
    // Nothing was trained: the title and its note, no axes.
    Object.assign(layout, { height: 220, xaxis: { visible: false }, yaxis: { visible: false } });
    return { data, layout };
  }
  // Gaps between cells, as fractions of the plotting area: room for tick labels and titles.
  const gapX = columns > 1 ? 0.06 : 0;
  const gapY = rows > 1 ? 0.17 : 0;
  const cellWidth = (1 - gapX * (columns - 1)) / columns;
  const cellHeight = (1 - gapY * (rows - 1)) / rows;
  let axes = 0;
  const cell = (column: number, row: number, yTitle: string, text: string) => {
    const suffix = ++axes === 1 ? "" : `${axes}`;
    const left = column * (cellWidth + gapX);
    const top = 1 - row * (cellHeight + gapY);
    layout[`xaxis${suffix}`] = {
      anchor: `y${suffix}`,
      domain: [left, left + cellWidth],
      title: { text: "step" },
    };
    layout[`yaxis${suffix}`] = {
      anchor: `x${suffix}`,
      domain: [top - cellHeight, top],
      title: { text: column === 0 ? yTitle : "" },
    };
    annotations.push(panelTitleAnnotation(text, left, top));
    return { xaxis: `x${suffix}`, yaxis: `y${suffix}` };
  };
  const inLegend = new Set<string>();
  panels.forEach((panel, column) => {
    const lossAxes = cell(column, 0, "loss", `<b>${panel}</b>: loss`);
    const devAxes = withDev.has(panel)
      ? cell(column, 1, scoreTitle, `<b>${panel}</b>: ${scoreTitle}`)
      : undefined;
    for (const curve of drawn.filter((c) => panelOf(c) === panel)) {
      const name = seriesOf(curve);
      const colour = curve.colour ?? COLOURS[series.indexOf(name) % COLOURS.length];
      // Legend entries in name order: "(a) ...", "(b) ...", then the rest.
      const legendrank = [...series].sort().indexOf(name) + 1;
      const common = { type: "scatter", name, legendgroup: name, legendrank, showlegend: false };
      const span = smoothingSpan(curve.loss.length);
      if (span > 1) {
        const line = { color: colour, width: 1 };
        data.push({ ...common, mode: "lines", x: curve.steps, y: curve.loss, line, ...lossAxes });
        data[data.length - 1].opacity = 0.25;
        data[data.length - 1].hoverinfo = "skip";
      }
      data.push({
        ...common,
        mode: "lines",
        showlegend: !inLegend.has(name),
        x: curve.steps,
        y: emaSmooth(curve.loss, span),
        line: { color: colour, width: 2 },
        ...lossAxes,
      });
      inLegend.add(name);
      if (curve.dev && devAxes) {
        data.push({
          ...common,
          mode: "lines+markers",
          x: curve.dev.steps,
          y: curve.dev.score,
          line: { color: colour, width: 2 },
          marker: { color: colour, size: 6 },
          ...devAxes,
        });
      }
    }
  });
  return { data, layout };
}

/** A title over a panel whose plotting area starts at `left` (paper x) and ends at `top`. */
function panelTitleAnnotation(text: string, left: number, top: number): Record<string, unknown> {
  return {
    text,
    xref: "paper",
    yref: "paper",
    x: left,
    y: top,
    xanchor: "left",
    yanchor: "bottom",
    yshift: 6,
    showarrow: false,
  };
}

/**
 * Ticks of a log axis at 1, 2 and 5 times each power of ten around `values`, labelled with
 * a short suffix (200B, 5k): plotly's own ticks crowd or shrink to bare digits on a span of
 * one decade.
 */
function logTicks(values: readonly number[]): { tickvals: number[]; ticktext: string[] } {
  const low = Math.min(...values) / 1.5;
  const high = Math.max(...values) * 1.5;
  const tickvals: number[] = [];
  for (let power = Math.floor(Math.log10(low)); power <= Math.ceil(Math.log10(high)); power++) {
    for (const digit of [1, 2, 5]) {
      const value = digit * 10 ** power;
      if (value >= low && value <= high) tickvals.push(value);
    }
  }
  return { tickvals, ticktext: tickvals.map(shortNumber) };
}

/** 2e11 -> "200B", 5000 -> "5k", 20 -> "20". */
function shortNumber(value: number): string {
  const units: [number, string][] = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]];
  const [size, suffix] = units.find(([size]) => value >= size) ?? [1, ""];
  return `${Number((value / size).toPrecision(3))}${suffix}`;
}

/** `text` with <br> between words so that no line exceeds `width` characters (axis labels). */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines.join("<br>");
}

/** plotly error bars from optional spreads; none when no point has one. */
function errorBars(spreads: readonly (number | undefined)[]): Record<string, unknown> {
  if (spreads.every((s) => s === undefined)) return {};
  return { error_y: { type: "data", array: spreads.map((s) => s ?? 0), visible: true } };
}

/** Throw naming `what` if any value is NaN or infinite (plotly would silently drop it). */
function requireFinite(values: readonly number[], what: string): void {
  if (values.some((v) => !Number.isFinite(v))) {
    throw new Error(`figure: ${what} has a non-finite value (${values.join(", ")})`);
  }
}

/** Steps and values of one series: same length, finite. */
function checkSeries(steps: readonly number[], values: readonly number[], what: string): void {
  if (steps.length !== values.length || steps.length === 0) {
    throw new Error(`figure: ${what}: ${steps.length} steps but ${values.length} values`);
  }
  steps.forEach((step, i) => requireFinite([step, values[i]], `${what} at step ${step}`));
}
