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

Deno.test("cost figure: one line per pipeline through its checkpoints on a log compute axis", () => {
  const { data, layout } = costFigure(OURS);
  assert.equal(data.length, 2);
  assert.deepEqual(data[1].x, [1e15, 4e15]);
  assert.deepEqual(data[1].y, [0.2, 0.35]);
  assert.deepEqual(data[1].text, ["unsup", "KD"]);
  assert.deepEqual(data[1].error_y, { type: "data", array: [0.02, 0.01], visible: true });
  assert.equal((layout.xaxis as { type: string }).type, "log");
  assert.equal(layout.xaxis2, undefined);
  // Without spreads there are no error bars at all.
  const bare = costFigure([{ name: "p", checkpoints: [{ label: "KD", compute: 1, score: 0.1 }] }]);
  assert.equal(bare.data[0].error_y, undefined);
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
  assert.equal(data.length, 4);
  const colour = (i: number) => (data[i].line as { color: string }).color;
  assert.equal(colour(2), colour(1)); // (c) in both panels
  assert.notEqual(colour(3), colour(0));
  assert.deepEqual(data.map((t) => [t.xaxis, t.showlegend]), [
    ["x", true],
    ["x", true],
    ["x2", false], // already in the legend from our panel
    ["x2", true], // only in the paper's panel
  ]);
  assert.equal((layout.xaxis2 as { type: string }).type, "log");
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
  assert.deepEqual(data[0].x, ["multi-vector base<br>pre-trained with prompts", "dense base"]);
  assert.deepEqual(data[0].y, [0.4, 0.3]);
  assert.deepEqual(data[1].y, [0.35, null]); // a combination not run is a gap, not a zero
  assert.deepEqual((data[0].error_y as { array: number[] }).array, [0.01, 0]);
  assert.equal(data[1].error_y, undefined);
});

Deno.test("training curves: a panel per phase, dev scores on an overlaid right axis", () => {
  const { data, layout } = trainingCurvesFigure([
    { phase: "unsupervised", steps: [1, 2, 3], loss: [3, 2, 1], dev: { steps: [3], score: [0.2] } },
    { phase: "KD", steps: [1, 2], loss: [0.5, 0.4] },
  ]);
  assert.deepEqual(data.map((t) => [t.name, t.xaxis, t.yaxis]), [
    ["unsupervised loss", "x", "y"],
    ["unsupervised dev nDCG@10", "x", "y3"],
    ["KD loss", "x2", "y2"],
  ]);
  assert.deepEqual(layout.yaxis3, {
    overlaying: "y",
    side: "right",
    anchor: "x",
    title: { text: "dev nDCG@10" },
    showgrid: false,
  });
  const [top, bottom] = [layout.yaxis, layout.yaxis2].map((a) =>
    (a as { domain: number[] }).domain
  );
  assert.ok(0 <= bottom[0] && bottom[0] < bottom[1] && bottom[1] < top[0] && top[1] <= 1);
  assert.throws(
    () => trainingCurvesFigure([{ phase: "KD", steps: [1, 2], loss: [1] }]),
    /KD loss: 2 steps but 1 values/,
  );
  assert.throws(
    () => trainingCurvesFigure([{ phase: "KD", steps: [1, 2], loss: [1, Infinity] }]),
    /KD loss at step 2 has a non-finite value/,
  );
  const untrained = trainingCurvesFigure([{ phase: "backbone", steps: [], loss: [] }]);
  assert.match(
    JSON.stringify(untrained.layout.annotations),
    /backbone<\/b> \(0 steps: not trained\)/,
  );
});

Deno.test("notebook bundles: plotly JSON + text (+ SVG), Markdown tables, a size limit", () => {
  const figure = costFigure(OURS);
  const bundle = figureBundle(figure, { svg: "<svg/>" });
  assert.deepEqual(Object.keys(bundle).sort(), [
    "application/vnd.plotly.v1+json",
    "image/svg+xml",
    "text/plain",
  ]);
  assert.equal(bundle["text/plain"], "Average nDCG@10 against training compute (2 traces)");
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
