import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend.ts";
import { colbertInputConfig } from "../lib/colbert_inputs.ts";
import {
  createModel,
  encodePooled,
  encodeTokens,
  type ModelConfig,
  scorePairs,
} from "../lib/model.ts";
import { gelu, l2Normalize } from "../lib/ops.ts";
import { disposeParams } from "../lib/params.ts";
import { forwardFlopsPerToken, TINY_TRANSFORMER } from "../lib/transformer.ts";
import { testBackends } from "./backends.ts";

const CONFIG: ModelConfig = {
  kind: "colbert",
  transformer: { ...TINY_TRANSFORMER, vocabSize: 50, maxLength: 8 },
  colbertDim: 6,
  pooling: "mean",
  inputs: colbertInputConfig(),
};

function batch(ids: number[][], mask: number[][]) {
  return { inputIds: tf.tensor2d(ids, undefined, "int32"), attentionMask: tf.tensor2d(mask) };
}

Deno.test("gelu and l2Normalize match their formulas", async () => {
  await initBackend("cpu");
  const x = [-3, -1, 0, 0.5, 2];
  const expected = x.map((v) =>
    0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))
  );
  const got = await gelu(tf.tensor1d(x)).data();
  expected.forEach((e, i) => assert.ok(Math.abs(got[i] - e) < 1e-6));
  const normed = await l2Normalize(tf.tensor2d([[3, 4], [0, 0]])).data();
  [0.6, 0.8, 0, 0].forEach((e, i) => assert.ok(Math.abs(normed[i] - e) < 1e-6));
});

for (const backend of await testBackends()) {
  Deno.test(`[${backend}] encoder: same seed, same weights; masked keys are invisible`, async () => {
    await initBackend(backend);
    const a = createModel(CONFIG, { seed: 7 });
    const b = createModel(CONFIG, { seed: 7 });
    const mask = [[1, 1, 1, 0, 0]];
    const outA = await encodeTokens(a, batch([[1, 5, 9, 3, 4]], mask)).array();
    // Changing tokens that no one attends to must not change the attended positions.
    const outB = await encodeTokens(b, batch([[1, 5, 9, 30, 40]], mask)).array();
    for (let t = 0; t < 3; t++) {
      outA[0][t].forEach((v, d) => assert.ok(Math.abs(v - outB[0][t][d]) < 1e-5, `token ${t}`));
      const norm = Math.hypot(...outA[0][t]);
      assert.ok(Math.abs(norm - 1) < 1e-5, "ColBERT vectors are unit length");
    }
    disposeParams(a.params);
    disposeParams(b.params);
  });
}

Deno.test("dense mean pooling ignores padding; cross-encoder gives one score per pair", async () => {
  await initBackend("cpu");
  const dense = createModel({ ...CONFIG, kind: "dense" }, { seed: 1 });
  const padded = await encodePooled(dense, batch([[1, 5, 9, 0]], [[1, 1, 1, 0]])).data();
  const unpadded = await encodePooled(dense, batch([[1, 5, 9]], [[1, 1, 1]])).data();
  padded.forEach((v, i) => assert.ok(Math.abs(v - unpadded[i]) < 1e-5));
  const cross = createModel({ ...CONFIG, kind: "cross" }, { seed: 1 });
  assert.deepEqual(
    scorePairs(cross, batch([[1, 2], [3, 4], [5, 6]], [[1, 1], [1, 1], [1, 1]])).shape,
    [3],
  );
});

Deno.test("encoder gradient matches central finite differences", async () => {
  await initBackend("cpu");
  const model = createModel({ ...CONFIG, kind: "dense" }, { seed: 3 });
  const inputs = batch([[1, 5, 9, 3], [2, 7, 4, 0]], [[1, 1, 1, 1], [1, 1, 1, 0]]);
  const target = tf.randomNormal([2, CONFIG.transformer.hidden], 0, 1, "float32", 5);
  const loss = () => tf.sum(tf.mul(encodePooled(model, inputs), target)) as tf.Scalar;
  const { grads } = tf.variableGrads(loss);
  const eps = 1e-2;
  const probes: [string, number[]][] = [
    ["encoder.layers.0.attention.qkv.weight", [0, 7, 21]],
    ["encoder.layers.1.feed_forward.up.weight", [0, 7, 21]],
    ["encoder.embeddings.token", [5 * 32 + 3, 9 * 32 + 30, 49 * 32]], // rows 5, 9 used; 49 unused
  ];
  for (const [name, indices] of probes) {
    const variable = model.params.get(name)!;
    const analytic = await grads[variable.name].data();
    const values = await variable.data() as Float32Array;
    for (const index of indices) {
      const probe = (delta: number) => {
        const shifted = values.slice();
        shifted[index] += delta;
        variable.assign(tf.tensor(shifted, variable.shape));
        return loss().dataSync()[0];
      };
      const numeric = (probe(eps) - probe(-eps)) / (2 * eps);
      variable.assign(tf.tensor(values, variable.shape));
      assert.ok(
        Math.abs(numeric - analytic[index]) < 2e-3 + 2e-2 * Math.abs(numeric),
        `${name}[${index}]: analytic ${analytic[index]} vs numeric ${numeric}`,
      );
    }
  }
});

Deno.test("FLOPs per token grow with layers and length", () => {
  const base = forwardFlopsPerToken(TINY_TRANSFORMER, 32);
  assert.ok(forwardFlopsPerToken({ ...TINY_TRANSFORMER, layers: 4 }, 32) === 2 * base);
  assert.ok(forwardFlopsPerToken(TINY_TRANSFORMER, 64) > base);
});
