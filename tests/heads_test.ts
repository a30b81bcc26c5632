/**
 * The heads on hand-worked inputs: which token a [CLS] pooling reads, what a mean pooling
 * averages over, and what the ColBERT and cross-encoder heads compute from known weights.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/compute/backend.ts";
import { colbertHead } from "../lib/models/heads/colbert.ts";
import { crossEncoderHead, initCrossEncoderHead } from "../lib/models/heads/cross_encoder.ts";
import { denseHead } from "../lib/models/heads/dense.ts";
import { addParam, disposeParams, ParamInit, type Params } from "../lib/models/params.ts";
import { assertClose } from "./late_interaction_reference.ts";

// Two texts of three positions: the first has two real tokens, the second one.
const hidden = () => tf.tensor3d([[[3, 4], [1, 1], [9, 9]], [[0, 2], [2, 0], [5, 5]]]);
const mask = () => tf.tensor2d([[1, 1, 0], [1, 0, 0]]);

async function pooled(pooling: "cls" | "mean", normalize: boolean, attention = mask()) {
  const out = denseHead(hidden(), attention, { pooling, normalize });
  assert.deepEqual(out.shape, [2, 2]);
  return [...await out.data()];
}

Deno.test("dense head: [CLS] pooling reads position 0, mean pooling only attended tokens", async () => {
  await initBackend("cpu");
  assert.deepEqual(await pooled("cls", false), [3, 4, 0, 2]);
  assertClose(await pooled("cls", true), [0.6, 0.8, 0, 1], 1e-6, "cls, normalised");
  // (3 + 1) / 2, (4 + 1) / 2; the second text is its one token.
  assert.deepEqual(await pooled("mean", false), [2, 2.5, 0, 2]);
  assertClose(
    await pooled("mean", true),
    [2 / Math.hypot(2, 2.5), 2.5 / Math.hypot(2, 2.5), 0, 1],
    1e-6,
    "mean",
  );
  // A text with no attended token pools to zeros, as sentence-transformers' clamp(min=1e-9) gives.
  assert.deepEqual(await pooled("mean", false, tf.tensor2d([[1, 1, 0], [0, 0, 0]])), [
    2,
    2.5,
    0,
    0,
  ]);
});

Deno.test("ColBERT head: each token projected by the bias-free weight, then unit length", async () => {
  await initBackend("cpu");
  const params: Params = new Map();
  // [hidden 2, dim 2]: (x, y) -> (x + y, x - y).
  addParam(params, "colbert.projection.weight", tf.tensor2d([[1, 1], [1, -1]]));
  const out = colbertHead(params, tf.tensor3d([[[3, 1], [2, 2]]]));
  // (4, 2) / sqrt(20), (4, 0) / 4.
  assertClose([...await out.data()], [2 / Math.sqrt(5), 1 / Math.sqrt(5), 1, 0], 1e-6, "colbert");
  disposeParams(params);
});

Deno.test("cross-encoder head: the [CLS] vector times the score weight plus its bias", async () => {
  await initBackend("cpu");
  const params: Params = new Map();
  addParam(params, "cross.score.weight", tf.tensor2d([[2], [-1]]));
  addParam(params, "cross.score.bias", tf.tensor1d([0.5]));
  const scores = crossEncoderHead(params, hidden());
  assert.deepEqual(scores.shape, [2]);
  // 2 x 3 - 4 + 0.5 and 2 x 0 - 2 + 0.5.
  assert.deepEqual([...await scores.data()], [2.5, -1.5]);
  disposeParams(params);
});

Deno.test("cross-encoder head: two segments and two exact-match rows, as BERT's token types", async () => {
  await initBackend("cpu");
  const params: Params = new Map();
  initCrossEncoderHead(new ParamInit(params, 1), 4);
  const shapes = Object.fromEntries([...params].map(([name, value]) => [name, value.shape]));
  assert.deepEqual(shapes, {
    "cross.score.weight": [4, 1],
    "cross.score.bias": [1],
    "cross.segment": [2, 4],
    "cross.exact_match": [2, 4],
  });
  disposeParams(params);
});
