import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  denseScores,
  dotProducts,
  maxsimGrouped,
  maxsimPairwise,
  maxsimScores,
} from "../lib/scores/maxsim.ts";
import {
  assertClose,
  centralDifferences,
  dot,
  type Matrix,
  maxsimReference,
  randomArray,
  rows,
  testOnEveryBackend,
  tokenEmbeddings,
} from "./late_interaction_reference.ts";

// PyLate's docstring examples of colbert_scores / colbert_kd_scores / pairwise, with the
// outputs printed there.
const pylateQueries = [[[1], [0], [0], [0]], [[0], [2], [0], [0]], [[0], [0], [3], [0]]];
const pylateQueryMask = [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 0, 1]];

testOnEveryBackend("maxsimScores reproduces PyLate's colbert_scores example", async () => {
  const documents = tokenEmbeddings([[[10], [0], [1]], [[0], [100], [10]], [[1], [0], [1000]]], [
    [1, 1, 1],
    [1, 0, 1],
    [1, 1, 1],
  ]);
  const scores = maxsimScores(tokenEmbeddings(pylateQueries, pylateQueryMask), documents);
  assert.deepEqual(await scores.array(), [[10, 10, 1000], [20, 20, 2000], [0, 0, 0]]);
});

testOnEveryBackend("maxsimGrouped reproduces PyLate's colbert_kd_scores example", async () => {
  const documents = {
    embeddings: tf.tensor4d([
      [[[10], [0], [1]], [[20], [0], [1]], [[30], [0], [1]]],
      [[[0], [100], [1]], [[0], [200], [1]], [[0], [300], [1]]],
      [[[1], [0], [1000]], [[1], [0], [2000]], [[10], [0], [3000]]],
    ]),
    mask: tf.tensor3d([
      [[0, 1, 1], [1, 1, 1], [1, 1, 1]],
      [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
      [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
    ]),
  };
  const scores = maxsimGrouped(tokenEmbeddings(pylateQueries, pylateQueryMask), documents);
  assert.deepEqual(await scores.array(), [[1, 20, 30], [200, 400, 600], [0, 0, 0]]);
});

testOnEveryBackend(
  "maxsimPairwise reproduces PyLate's colbert_scores_pairwise example",
  async () => {
    const ones = [[1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]];
    const documents = tokenEmbeddings([[[10], [0], [1]], [[0], [100], [1]], [[1], [0], [1000]]], [
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    assert.deepEqual(
      await maxsimPairwise(tokenEmbeddings(pylateQueries, ones), documents).array(),
      [
        10,
        200,
        3000,
      ],
    );
  },
);

testOnEveryBackend(
  "a masked document token scores 0 and wins over negative dot products",
  async () => {
    const query = tokenEmbeddings([[[1, 0], [0, 1]]], [[1, 1]]);
    // Every scored token points away from both query tokens.
    const negative = [[-1, -0.5], [-0.5, -1], [5, 5]];
    const withMasked = maxsimScores(query, tokenEmbeddings([negative], [[1, 1, 0]]));
    assert.deepEqual(await withMasked.array(), [[0]]); // both maxima are the masked token's 0
    const allScored = maxsimScores(query, tokenEmbeddings([negative.slice(0, 2)], [[1, 1]]));
    assert.deepEqual(await allScored.array(), [[-1]]); // -0.5 + -0.5
  },
);

function randomCase(seed: number) {
  const [b, n, lq, ld, dim] = [3, 4, 5, 6, 4];
  const q = randomArray([b, lq, dim], seed) as number[][][];
  const d = randomArray([n, ld, dim], seed + 1) as number[][][];
  // Query 0: [MASK] expansion tokens at the end are scored (mask 1); query 1: padding.
  const qMask = [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 1, 1, 1]];
  // Skiplist zeros inside documents, padding at their ends, one fully scored document.
  const dMask = [[1, 0, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [0, 1, 1, 0, 1, 1], [1, 1, 0, 0, 0, 0]];
  return { q, d, qMask, dMask, dim };
}

testOnEveryBackend("maxsimScores matches nested loops with masks of every kind", async () => {
  const { q, d, qMask, dMask } = randomCase(1);
  const scores = await maxsimScores(tokenEmbeddings(q, qMask), tokenEmbeddings(d, dMask)).array();
  const expected = q.map((qi, i) => d.map((dj, j) => maxsimReference(qi, qMask[i], dj, dMask[j])));
  assertClose(scores.flat(), expected.flat(), 1e-5, "scores");
});

testOnEveryBackend("maxsimGrouped and maxsimPairwise match nested loops", async () => {
  const { q, d, qMask, dMask } = randomCase(2);
  // Query i's group: documents i and i + 1.
  const groups = q.map((_, i) => [d[i], d[i + 1]]);
  const groupMasks = q.map((_, i) => [dMask[i], dMask[i + 1]]);
  const grouped = await maxsimGrouped(tokenEmbeddings(q, qMask), {
    embeddings: tf.tensor4d(groups),
    mask: tf.tensor3d(groupMasks),
  }).array();
  const expected = q.map((qi, i) =>
    [0, 1].map((k) => maxsimReference(qi, qMask[i], groups[i][k], groupMasks[i][k]))
  );
  assertClose(grouped.flat(), expected.flat(), 1e-5, "grouped");
  const pairwise = maxsimPairwise(
    tokenEmbeddings(q, qMask),
    tokenEmbeddings(d.slice(0, 3), dMask.slice(0, 3)),
  );
  assertClose(await pairwise.data(), expected.map((row) => row[0]), 1e-5, "pairwise");
});

testOnEveryBackend("maxsimGrouped refuses a group count that differs from the query count", () => {
  const { q, d, qMask, dMask } = randomCase(2);
  const documents = { embeddings: tf.tensor4d([[d[0]]]), mask: tf.tensor3d([[dMask[0]]]) };
  assert.throws(
    () => maxsimGrouped(tokenEmbeddings(q, qMask), documents),
    new RegExp(`${q.length} queries but 1 groups`),
  );
});

testOnEveryBackend("denseScores is the dot product of pooled vectors", async () => {
  const q = randomArray([3, 4], 3) as Matrix;
  const d = randomArray([5, 4], 4) as Matrix;
  const scores = await denseScores(tf.tensor2d(q), tf.tensor2d(d)).array();
  assertClose(scores.flat(), q.flatMap((qi) => d.map((dj) => dot(qi, dj))), 1e-5, "dense");
});

testOnEveryBackend("maxsimScores gradient matches finite differences", async () => {
  const { q, d, qMask, dMask, dim } = randomCase(5);
  const weights = randomArray([3, 4], 6) as Matrix; // a random linear function of scores
  const reference = (qFlat: number[], dFlat: number[]) => {
    const qs = rows(qFlat, 5 * dim).map((text) => rows(text, dim));
    const ds = rows(dFlat, 6 * dim).map((text) => rows(text, dim));
    let total = 0;
    qs.forEach((qi, i) =>
      ds.forEach((dj, j) => total += weights[i][j] * maxsimReference(qi, qMask[i], dj, dMask[j]))
    );
    return total;
  };
  const [qGrad, dGrad] = tf.grads((qt: tf.Tensor, dt: tf.Tensor) =>
    tf.sum(tf.mul(
      maxsimScores(
        { embeddings: qt as tf.Tensor3D, mask: tf.tensor2d(qMask) },
        { embeddings: dt as tf.Tensor3D, mask: tf.tensor2d(dMask) },
      ),
      tf.tensor2d(weights),
    ))
  )([tf.tensor3d(q), tf.tensor3d(d)]);
  const [qFlat, dFlat] = [q.flat(2), d.flat(2)];
  const qNumeric = centralDifferences((x) => reference(x, dFlat), qFlat);
  const dNumeric = centralDifferences((x) => reference(qFlat, x), dFlat);
  assertClose(await qGrad.data(), qNumeric, 1e-4, "d score / d query");
  assertClose(await dGrad.data(), dNumeric, 1e-4, "d score / d document");
});

testOnEveryBackend(
  "a document token repeated twice gets the gradient once, as in PyTorch",
  async () => {
    const dGrad = tf.grad((dt: tf.Tensor) =>
      tf.sum(maxsimScores(tokenEmbeddings([[[1, 0]]], [[1]]), {
        embeddings: dt as tf.Tensor3D,
        mask: tf.tensor2d([[1, 1, 1]]),
      }))
    )(tf.tensor3d([[[0.6, 0.8], [0.6, 0.8], [0, 1]]]));
    // d score / d token is the query vector, for the first of the tied maxima only.
    assert.deepEqual(await dGrad.array(), [[[1, 0], [0, 0], [0, 0]]]);
  },
);

testOnEveryBackend("maxsim rejects a mask whose shape does not match", () => {
  assert.throws(
    () => maxsimScores(tokenEmbeddings([[[1], [2]]], [[1, 1, 1]]), tokenEmbeddings([[[1]]], [[1]])),
    /maxsim\.ts: query mask has shape \[1,3\]/,
  );
});

testOnEveryBackend("dotProducts equals matMul(a, b, false, true), gradients included", async () => {
  for (const [aShape, bShape] of [[[3, 4], [5, 4]], [[2, 3, 4], [2, 5, 4]]]) {
    const a = tf.tensor(randomArray(aShape, 7) as number[]);
    const b = tf.tensor(randomArray(bShape, 8) as number[]);
    const weights = tf.tensor(randomArray([...aShape.slice(0, -1), bShape.at(-2)!], 9) as number[]);
    const ours = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(dotProducts(x, y), weights))
    )([a, b]);
    const builtIn = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(tf.matMul(x, y, false, true), weights))
    )([a, b]);
    assertClose(await ours.value.data(), await builtIn.value.data(), 1e-5, "value");
    for (const i of [0, 1]) {
      assertClose(await ours.grads[i].data(), await builtIn.grads[i].data(), 1e-5, `grad ${i}`);
    }
  }
});
