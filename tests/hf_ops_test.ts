/**
 * The attention kernel shared by BERT and ModernBERT on a case small enough to work by hand
 * (the encoders are pinned to transformers' outputs in reference_models_test.ts and
 * modernbert_test.ts; this one says which part broke).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { keyMaskBias, scaledDotProductAttention, splitHeads } from "../lib/models/hf_ops.ts";

const close = (actual: number[], expected: number[]) =>
  actual.forEach((value, i) =>
    assert.ok(Math.abs(value - expected[i]) < 1e-6, `${i}: ${actual} != ${expected}`)
  );

Deno.test("attention scales scores by 1/sqrt(d) before the softmax and hides masked keys", async () => {
  // One head of width d = 4, so 1/sqrt(d) = 1/2. Query 0 = (2,0,0,0) scores key 0 (1,0,0,0)
  // at 2/2 = 1 and key 1 (0,0,0,0) at 0: weights e/(e+1), 1/(e+1). Query 1 = 0 sees equal
  // scores: weights 1/2, 1/2. Values are the unit vectors e0, e1, so the weights come out.
  const query = tf.tensor4d([2, 0, 0, 0, 0, 0, 0, 0], [1, 1, 2, 4]);
  const key = tf.tensor4d([1, 0, 0, 0, 0, 0, 0, 0], [1, 1, 2, 4]);
  const value = tf.tensor4d([1, 0, 0, 0, 0, 1, 0, 0], [1, 1, 2, 4]);
  const open = tf.tensor2d([[1, 1]]);
  const e = Math.E;
  close([...await scaledDotProductAttention({ query, key, value }, keyMaskBias(open)).data()], [
    ...[e / (e + 1), 1 / (e + 1), 0, 0],
    ...[0.5, 0.5, 0, 0],
  ]);
  // Key 1 masked out: every query attends to key 0 alone.
  const masked = keyMaskBias(tf.tensor2d([[1, 0]]));
  close([...await scaledDotProductAttention({ query, key, value }, masked).data()], [
    ...[1, 0, 0, 0],
    ...[1, 0, 0, 0],
  ]);
});

Deno.test("attention of two heads: heads split the width, outputs join head by head", async () => {
  // Width 4 as 2 heads of d = 2 (scale 1/sqrt(2)). Head 0 of query 0 scores (sqrt(2), 0)
  // -> weights e/(e+1), 1/(e+1); head 1 scores equal -> 1/2, 1/2.
  const s = Math.SQRT2;
  const heads = (rows: number[]) => splitHeads(tf.tensor3d(rows, [1, 1, 4]), 2);
  const keys = splitHeads(tf.tensor3d([1, 0, 0, 0, 0, 0, 0, 0], [1, 2, 4]), 2);
  const values = splitHeads(tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 4]), 2);
  const output = scaledDotProductAttention(
    { query: heads([s, 0, 1, 0]), key: keys, value: values },
    tf.zeros([1, 1, 1, 2]),
  );
  assert.deepEqual(output.shape, [1, 1, 4]);
  const e = Math.E;
  const w = e / (e + 1);
  close([...await output.data()], [w * 1 + (1 - w) * 5, w * 2 + (1 - w) * 6, 5, 6]);
});
