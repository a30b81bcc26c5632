import assert from "node:assert/strict";
import {
  costFigure,
  type PipelineCheckpoints,
  promptEffectFigure,
  trainingCurvesFigure,
} from "../lib/results/plots.ts";
import {
  displayFigure,
  displayTable,
  figureBundle,
  MAX_OUTPUT_BYTES,
} from "../lib/results/notebook_display.ts";
import { emaSmooth, smoothingSpan } from "../lib/results/smoothing.ts";

const OURS: PipelineCheckpoints[] = [
  { name: "(a) KD only", checkpoints: [{ label: "KD", compute: 3e15, score: 0.3, spread: 0.01 }] },
  {
    name: "(c) ColBERT-Zero",
    checkpoints: [
      { label: "unsup", compute: 1e15, score: 0.2, spread: 0.02 },
      { label: "KD", compute: 4e15, score: 0.35, spread: 0.01 },
    ],
  },
];

Deno.test("cost figure: a line and shaped checkpoints per pipeline on a log compute axis", () => {
  const { data, layout } = costFigure(OURS);
  // Per pipeline a line (in the legend) and its markers; then one legend entry per phase.
  assert.deepEqual(data.map((t) => [t.name, t.mode, t.showlegend]), [
    ["(a) KD only", "lines", true],
    ["(a) KD only", "markers", false],
    ["(c) ColBERT-Zero", "lines", true],
    ["(c) ColBERT-Zero", "markers", false],
    ["after KD", "markers", undefined], // the paper's phases first, in training order
    ["after unsup", "markers", undefined],
  ]);
  const markers = data[3];
  assert.deepEqual(markers.x, [1e15, 4e15]);
  assert.deepEqual(markers.y, [0.2, 0.35]);
  assert.deepEqual(markers.text, ["unsup", "KD"]); // on hover; no text drawn on the points
  assert.deepEqual((markers.marker as { symbol: string[] }).symbol, ["triangle-up", "diamond"]);
  assert.deepEqual(markers.error_y, { type: "data", array: [0.02, 0.01], visible: true });
  assert.equal((data[4].marker as { symbol: string }).symbol, "diamond");
  const xaxis = layout.xaxis as { type: string; tickvals: number[]; ticktext: string[] };
  assert.equal(xaxis.type, "log");
  assert.deepEqual(xaxis.ticktext, ["1000T", "2000T", "5000T"]);
  assert.equal(layout.xaxis2, undefined);
  // Without spreads there are no error bars at all.
  const bare = costFigure([{ name: "p", checkpoints: [{ label: "KD", compute: 1, score: 0.1 }] }]);
  assert.equal(bare.data[1].error_y, undefined);
  assert.throws(
    () => costFigure([{ name: "p", checkpoints: [{ label: "KD", compute: 1, score: NaN }] }]),
    /p, checkpoint 1 has a non-finite value/,
  );
});

Deno.test("cost figure with the paper's points: second panel, same colour per pipeline", () => {
  const reference = [
    { name: "(c) ColBERT-Zero", checkpoints: [{ label: "KD", compute: 408, score: 55.43 }] },
    { name: "GTE-ModernColBERT", checkpoints: [{ label: "KD", compute: 10, score: 54.67 }] },
  ];
  const { data, layout } = costFigure(OURS, { reference });
  const lines = data.filter((t) => t.mode === "lines");
  assert.equal(lines.length, 4);
  const colour = (i: number) => (lines[i].line as { color: string }).color;
  assert.equal(colour(2), colour(1)); // (c) in both panels
  assert.notEqual(colour(3), colour(0));
  assert.deepEqual(lines.map((t) => [t.xaxis, t.showlegend]), [
    ["x", true],
    ["x", true],
    ["x2", false], // already in the legend from our panel
    ["x2", true], // only in the paper's panel
  ]);
  const xaxis2 = layout.xaxis2 as { type: string; ticktext: string[] };
  assert.equal(xaxis2.type, "log");
  assert.deepEqual(xaxis2.ticktext, ["10", "20", "50", "100", "200", "500"]);
  assert.deepEqual(
    (layout.annotations as { text: string }[]).map((a) => a.text),
    ["<b>this study</b>", "<b>the paper</b>"],
  );
});

Deno.test("prompt figure: grouped bars per base, one trace per fine-tuning setting", () => {
  const { data, layout } = promptEffectFigure([
    {
      base: "multi-vector base pre-trained with prompts",
      fineTuning: "with",
      score: 0.4,
      spread: 0.01,
    },
    { base: "multi-vector base pre-trained with prompts", fineTuning: "without", score: 0.35 },
    { base: "dense base", fineTuning: "with", score: 0.3 },
  ]);
  assert.equal(layout.barmode, "group");
  assert.deepEqual(data.map((t) => t.name), ["with", "without"]);
  assert.deepEqual(data[0].x, ["multi-vector base<br>pre-trained with<br>prompts", "dense base"]);
  assert.deepEqual(data[0].y, [0.4, 0.3]);
  assert.deepEqual(data[1].y, [0.35, null]); // a combination not run is a gap, not a zero
  assert.deepEqual((data[0].error_y as { array: number[] }).array, [0.01, 0]);
  assert.equal(data[1].error_y, undefined);
});

Deno.test("training curves: a column per panel, loss above dev, one legend entry per series", () => {
  const long = Array.from({ length: 60 }, (_, i) => i + 1);
  const { data, layout } = trainingCurvesFigure([
    { phase: "backbone", steps: [], loss: [] },
    {
      phase: "c unsupervised",
      panel: "unsupervised",
      series: "(c)",
      steps: long,
      loss: long.map((s) => 5 / s),
      dev: { steps: [30, 60], score: [0.2, 0.3] },
    },
    { phase: "a KD", panel: "KD", series: "(a)", steps: [1, 2], loss: [0.5, 0.4] },
    { phase: "c KD", panel: "KD", series: "(c)", colour: "#123456", steps: [1, 2], loss: [1, 2] },
  ]);
  assert.deepEqual(data.map((t) => [t.name, t.xaxis, t.yaxis, t.showlegend, t.opacity]), [
    ["(c)", "x", "y", false, 0.25], // raw loss, faint, behind
    ["(c)", "x", "y", true, undefined], // smoothed loss
    ["(c)", "x2", "y2", false, undefined], // dev scores, in the panel below
    ["(a)", "x3", "y3", true, undefined], // 2 steps: nothing to smooth, no raw curve
    ["(c)", "x3", "y3", false, undefined],
  ]);
  assert.deepEqual(data[1].y, emaSmooth(long.map((s) => 5 / s), 5));
  // A series keeps its colour across panels unless a curve names one.
  const colour = (i: number) => (data[i].line as { color: string }).color;
  assert.equal(colour(0), colour(2));
  assert.equal(colour(4), "#123456");
  const domain = (axis: string) => (layout[axis] as { domain: number[] }).domain;
  assert.ok(domain("yaxis2")[1] < domain("yaxis")[0]); // dev below loss
  assert.ok(domain("xaxis")[1] < domain("xaxis3")[0]); // KD right of unsupervised
  // The untrained backbone gets a note, not an empty panel.
  assert.equal(layout.xaxis4, undefined);
  assert.match((layout.title as { text: string }).text, /not trained \(0 steps\).*: backbone/);
  assert.deepEqual(
    (layout.annotations as { text: string }[]).map((a) => a.text),
    ["<b>unsupervised</b>: loss", "<b>unsupervised</b>: dev nDCG@10", "<b>KD</b>: loss"],
  );
  assert.throws(
    () => trainingCurvesFigure([{ phase: "KD", steps: [1, 2], loss: [1] }]),
    /KD loss: 2 steps but 1 values/,
  );
  assert.throws(
    () => trainingCurvesFigure([{ phase: "KD", steps: [1, 2], loss: [1, Infinity] }]),
    /KD loss at step 2 has a non-finite value/,
  );
  const untrained = trainingCurvesFigure([{ phase: "backbone", steps: [], loss: [] }]);
  assert.equal(untrained.data.length, 0);
  assert.match((untrained.layout.title as { text: string }).text, /0 steps/);
});

Deno.test("smoothing: bias-corrected moving average, a span of a twentieth of the curve, at least 5", () => {
  assert.deepEqual(emaSmooth([4, 2, 3], 1), [4, 2, 3]);
  // Span 3: weight 1/2 on the newest value, divided by the weight seen so far.
  assert.deepEqual(emaSmooth([4, 2], 3), [4, (0.5 * 0.5 * 4 + 0.5 * 2) / 0.75]);
  assert.deepEqual([1, 9, 10, 30, 600].map(smoothingSpan), [1, 1, 5, 5, 30]);
  assert.throws(() => emaSmooth([1], 0), /span must be at least 1/);
});

Deno.test("notebook bundles: plotly JSON + text (+ SVG), Markdown tables, a size limit", () => {
  const figure = costFigure(OURS);
  const bundle = figureBundle(figure, { svg: "<svg/>" });
  assert.deepEqual(Object.keys(bundle).sort(), [
    "application/vnd.plotly.v1+json",
    "image/svg+xml",
    "text/plain",
  ]);
  assert.equal(bundle["text/plain"], "Average nDCG@10 against training compute (6 traces)");
  // Deno's kernel displays any object with this method (Deno.jupyter.$display).
  const shown = displayFigure(figure)[Symbol.for("Jupyter.display")]();
  assert.deepEqual(shown["application/vnd.plotly.v1+json"], figure);
  const table = displayTable({
    name: "t",
    title: "T",
    columns: [{ key: "a", header: "a", kind: "integer" }],
    rows: [{ cells: { a: 1234 } }],
  })[Symbol.for("Jupyter.display")]();
  assert.equal(table["text/markdown"], "### T\n\n| a |\n| ---: |\n| 1,234 |\n");
  const huge = "x".repeat(MAX_OUTPUT_BYTES);
  assert.throws(() => figureBundle(figure, { svg: huge }), /figure "Average nDCG@10 .*exceeds/);
});
