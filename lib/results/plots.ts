/**
 * Plotly figure specs for the study's three figures, as plain JSON ({data, layout}): the
 * same object is shown interactively in a notebook (notebook_display.ts) and rendered to
 * SVG/PNG by plotly.js itself (static_export.ts), so the two never disagree.
 *
 * - costFigure: score against compute (log axis), one line per pipeline through its
 *   checkpoints (the paper's cost figure); optionally the paper's own points in a second
 *   panel, since GH200-hours and our compute are not on one scale.
 * - promptEffectFigure: grouped bars, one group per pre-trained base, one bar per
 *   fine-tuning setting (prompts on/off).
 * - trainingCurvesFigure: one panel per phase, loss against step, dev score on the right.
 *
 * Each pipeline keeps one colour across panels; spreads over seeds become error bars.
 */

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
}

/** Titles shared by the figure builders. */
export interface FigureText {
  title?: string;
  scoreTitle?: string;
}

/** plotly's default colour sequence, fixed here so a pipeline's colour never depends on order. */
const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"];
const FONT = { family: "DejaVu Sans, Arial, sans-serif", size: 13 };

/** Average score against compute, one line per pipeline; `reference` adds a paper panel. */
export function costFigure(
  pipelines: readonly PipelineCheckpoints[],
  options: FigureText & {
    computeTitle?: string;
    reference?: readonly PipelineCheckpoints[];
    referenceComputeTitle?: string;
    referenceScoreTitle?: string;
  } = {},
): PlotlyFigure {
  const {
    title = "Average nDCG@10 against training compute",
    scoreTitle = "average nDCG@10",
    computeTitle = "training compute (FLOPs)",
    reference,
    referenceComputeTitle = "paper: GH200-hours",
    referenceScoreTitle = "paper: BEIR average nDCG@10",
  } = options;
  const names = [...new Set([...pipelines, ...(reference ?? [])].map((p) => p.name))];
  const lines = (set: readonly PipelineCheckpoints[], axes: { xaxis: string; yaxis: string }) =>
    set.map((pipeline) => {
      const { checkpoints } = pipeline;
      checkpoints.forEach((c, i) =>
        requireFinite([c.compute, c.score, c.spread ?? 0], `${pipeline.name}, checkpoint ${i + 1}`)
      );
      const colour = COLOURS[names.indexOf(pipeline.name) % COLOURS.length];
      return {
        type: "scatter",
        mode: "lines+markers+text",
        name: pipeline.name,
        legendgroup: pipeline.name,
        showlegend: axes.xaxis === "x" || !pipelines.some((p) => p.name === pipeline.name),
        x: checkpoints.map((c) => c.compute),
        y: checkpoints.map((c) => c.score),
        text: checkpoints.map((c) => c.label),
        textposition: "top center",
        line: { color: colour, dash: axes.xaxis === "x" ? "solid" : "dot" },
        marker: { color: colour, size: 8 },
        ...errorBars(checkpoints.map((c) => c.spread)),
        ...axes,
      };
    });
  const data = lines(pipelines, { xaxis: "x", yaxis: "y" });
  const layout: Record<string, unknown> = {
    title: { text: title },
    font: FONT,
    width: reference ? 1200 : 820,
    height: 480,
    xaxis: { type: "log", title: { text: computeTitle }, domain: reference ? [0, 0.45] : [0, 1] },
    yaxis: { title: { text: scoreTitle } },
  };
  if (reference) {
    data.push(...lines(reference, { xaxis: "x2", yaxis: "y2" }));
    layout.xaxis2 = { type: "log", title: { text: referenceComputeTitle }, domain: [0.55, 1] };
    layout.yaxis2 = { title: { text: referenceScoreTitle }, anchor: "x2" };
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
      x: bases.map((base) => wrap(base, 24)),
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

/** One stacked panel per phase: loss against step (left axis), dev score (right axis, dots). */
export function trainingCurvesFigure(
  curves: readonly TrainingCurve[],
  options: FigureText = {},
): PlotlyFigure {
  const { title = "Training curves", scoreTitle = "dev nDCG@10" } = options;
  if (curves.length === 0) throw new Error("trainingCurvesFigure: no curves");
  const n = curves.length;
  // Each panel keeps room below it for its x axis and above it for its phase name.
  const below = 0.22 / n;
  const above = 0.1 / n;
  const data: Record<string, unknown>[] = [];
  const annotations: Record<string, unknown>[] = [];
  const layout: Record<string, unknown> = {
    title: { text: title },
    font: FONT,
    width: 760,
    height: 100 + 260 * n,
    showlegend: false,
    annotations,
  };
  curves.forEach((curve, i) => {
    // A phase of 0 steps (a random initialisation) keeps its panel, empty and labelled.
    const untrained = curve.steps.length === 0 && curve.loss.length === 0;
    if (!untrained) checkSeries(curve.steps, curve.loss, `${curve.phase} loss`);
    const suffix = i === 0 ? "" : `${i + 1}`;
    const top = 1 - i / n - (i === 0 ? 0 : above);
    const domain = [1 - (i + 1) / n + below, top];
    const colour = COLOURS[i % COLOURS.length];
    annotations.push({
      text: `<b>${curve.phase}</b>${untrained ? " (0 steps: not trained)" : ""}`,
      xref: "paper",
      yref: "paper",
      x: 0,
      y: top,
      xanchor: "left",
      yanchor: "bottom",
      showarrow: false,
    });
    data.push({
      type: "scatter",
      mode: "lines",
      name: `${curve.phase} loss`,
      x: curve.steps,
      y: curve.loss,
      line: { color: colour },
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
    });
    layout[`xaxis${suffix}`] = {
      anchor: `y${suffix}`,
      // The same width in every panel, leaving room for the right axes where there are some.
      domain: [0, curves.some((c) => c.dev) ? 0.9 : 1],
      title: { text: "step" },
    };
    layout[`yaxis${suffix}`] = { domain, title: { text: "loss" }, anchor: `x${suffix}` };
    if (curve.dev) {
      checkSeries(curve.dev.steps, curve.dev.score, `${curve.phase} dev`);
      const devAxis = `${n + i + 1}`;
      data.push({
        type: "scatter",
        mode: "lines+markers",
        name: `${curve.phase} ${scoreTitle}`,
        x: curve.dev.steps,
        y: curve.dev.score,
        line: { color: colour, dash: "dot" },
        xaxis: `x${suffix}`,
        yaxis: `y${devAxis}`,
      });
      layout[`yaxis${devAxis}`] = {
        overlaying: `y${suffix}`,
        side: "right",
        anchor: `x${suffix}`,
        title: { text: scoreTitle },
        showgrid: false,
      };
    }
  });
  return { data, layout };
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
