import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/compute/backend.ts";
import { colbertInputConfig } from "../lib/models/colbert_inputs.ts";
import {
  createModel,
  encodePooled,
  encodeTokens,
  type ModelConfig,
  scorePairs,
} from "../lib/models/model.ts";
import { geluErf } from "../lib/models/hf_ops.ts";
import { l2Normalize } from "../lib/models/ops.ts";
import { disposeParams } from "../lib/models/params.ts";
import { forwardFlopsPerToken } from "../lib/models/suite_encoder.ts";
import { TINY_BERT, TINY_SHAPE, tinyEncoder } from "./tiny_encoder.ts";
import {
  encoderFlopsPerToken,
  encoderForward,
  encoderShape,
  initEncoder,
} from "../lib/models/encoder.ts";
import { ParamInit, type Params } from "../lib/models/params.ts";
import { parseBertConfig } from "../lib/models/bert.ts";
import { testBackends } from "./backends.ts";
import { assertGradientsMatch } from "./gradient_check.ts";

const CONFIG: ModelConfig = {
  kind: "colbert",
  transformer: tinyEncoder({ vocabSize: 50, maxLength: 8 }),
  colbertDim: 6,
  pooling: "mean",
  inputs: colbertInputConfig(),
};

function batch(ids: number[][], mask: number[][]) {
  return { inputIds: tf.tensor2d(ids, undefined, "int32"), attentionMask: tf.tensor2d(mask) };
}

Deno.test("GELU (erf form, as nn.GELU) and l2Normalize match their formulas", async () => {
  await initBackend("cpu");
  // x * Phi(x), Phi the standard normal CDF, computed in float64 outside the suite.
  const x = [-3, -1, 0, 0.5, 2];
  const expected = [
    -0.00404969409489031,
    -0.15865525393145707,
    0.0,
    0.34573123063700656,
    1.9544997361036416,
  ];
  const got = await geluErf(tf.tensor1d(x)).data();
  expected.forEach((e, i) => assert.ok(Math.abs(got[i] - e) < 1e-6, `gelu(${x[i]}) = ${got[i]}`));
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
  const pairs = pairInputs([[1, 2, 3], [3, 4, 3], [5, 6, 7]], [[0, 1, 1], [0, 1, 1], [0, 0, 1]]);
  assert.deepEqual(scorePairs(cross, pairs).shape, [3]);
  assert.throws(() => scorePairs(cross, batch([[1, 2]], [[1, 1]])), /exact-match flags/);
});

/** A pair batch: ids, full attention, segment ids, and exact-match flags set by hand. */
function pairInputs(ids: number[][], exactMatch: number[][]) {
  return {
    ...batch(ids, ids.map((row) => row.map(() => 1))),
    tokenTypeIds: tf.tensor2d(
      ids.map((row) => row.map((_, i) => i === 0 ? 0 : 1)),
      undefined,
      "int32",
    ),
    exactMatch: tf.tensor2d(exactMatch, undefined, "int32"),
  };
}

Deno.test("encoder gradient matches central finite differences", async () => {
  await initBackend("cpu");
  const model = createModel({ ...CONFIG, kind: "dense" }, { seed: 3 });
  const inputs = batch([[1, 5, 9, 3], [2, 7, 4, 0]], [[1, 1, 1, 1], [1, 1, 1, 0]]);
  const target = tf.randomNormal([2, encoderShape(CONFIG.transformer).hidden], 0, 1, "float32", 5);
  await assertGradientsMatch(
    model,
    () => tf.sum(tf.mul(encodePooled(model, inputs), target)) as tf.Scalar,
    [
      ["encoder.layers.0.attn.Wqkv.weight", [0, 7, 21]],
      ["encoder.layers.1.mlp.Wi.weight", [0, 7, 21]],
      ["encoder.embeddings.tok_embeddings.weight", [5 * 32 + 3, 9 * 32 + 30, 49 * 32]], // rows 5, 9 used; 49 unused
    ],
  );
});

Deno.test("cross-encoder gradient, segment and exact-match tables included, matches finite differences", async () => {
  await initBackend("cpu");
  const model = createModel({ ...CONFIG, kind: "cross" }, { seed: 4 });
  const inputs = pairInputs([[1, 5, 9, 5], [2, 7, 4, 8]], [[0, 1, 0, 1], [0, 0, 0, 0]]);
  const target = tf.tensor1d([1, -2]);
  await assertGradientsMatch(
    model,
    () => tf.sum(tf.mul(scorePairs(model, inputs), target)) as tf.Scalar,
    [
      ["cross.exact_match", [0, 31, 32, 63]],
      ["cross.segment", [1, 40]],
      ["cross.score.weight", [3]],
    ],
  );
});

Deno.test("FLOPs per token of a BERT: a plain feed-forward, by hand", () => {
  // hidden 4, intermediate 8, one layer, length 2: 2 x (4 x 16 + 2 x 4 x 8 + 2 x 2 x 4) = 288,
  // where a GeGLU of the same width would count 3 x 4 x 8 for the feed-forward.
  const config = parseBertConfig({
    hidden_size: 4,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 8,
  }, "test");
  assert.equal(encoderFlopsPerToken(config, 2), 288);
  assert.equal(encoderFlopsPerToken({ ...config, numHiddenLayers: 3 }, 2), 3 * 288);
});

Deno.test("BERT: each layer's intermediates are freed with it, so memory does not grow with depth", async () => {
  await initBackend("cpu");
  const peak = async (layers: number) => {
    const config = { ...TINY_BERT, numHiddenLayers: layers };
    const params: Params = new Map();
    initEncoder(new ParamInit(params, 1), config);
    const inputIds = tf.fill([4, 32], 7, "int32") as tf.Tensor2D;
    const attentionMask = tf.ones([4, 32]) as tf.Tensor2D;
    const weights = tf.memory().numBytes;
    const info = await tf.profile(() =>
      encoderForward(params, config, { inputIds, attentionMask })
    );
    tf.dispose([inputIds, attentionMask, info.result as tf.Tensor]);
    disposeParams(params);
    return info.peakBytes - weights;
  };
  const [one, eight] = [await peak(1), await peak(8)];
  // Holding every layer's intermediates until the end would take about 8x one layer's.
  assert.ok(eight < 2 * one, `peak ${eight} bytes at 8 layers against ${one} at 1`);
});

Deno.test("FLOPs per token grow with layers and length", () => {
  const base = forwardFlopsPerToken(TINY_SHAPE, 32);
  assert.ok(forwardFlopsPerToken({ ...TINY_SHAPE, layers: 4 }, 32) === 2 * base);
  assert.ok(forwardFlopsPerToken(TINY_SHAPE, 64) > base);
});
