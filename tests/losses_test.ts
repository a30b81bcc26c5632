import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { contrastiveLoss } from "../lib/losses/contrastive.ts";
import { crossEntropy } from "../lib/losses/cross_entropy.ts";
import { distillationLoss } from "../lib/losses/distillation.ts";
import { maskTokens, mlmLoss, unigramLogPrior } from "../lib/losses/mlm.ts";
import {
  assertClose,
  centralDifferences,
  contrastiveReference,
  distillationReference,
  dot,
  logSoftmax,
  type Matrix,
  maxsimReference,
  randomArray,
  rows,
  testOnEveryBackend,
  tokenEmbeddings,
} from "./late_interaction_reference.ts";

testOnEveryBackend("contrastive loss of a 1-d case worked by hand", async () => {
  // q0 = 1, q1 = 2; positives p0 = 1, p1 = -1: scores [[1, -1], [2, -2]], targets 0, 1.
  const expected = (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(4))) / 2;
  const multiVector = contrastiveLoss(tokenEmbeddings([[[1]], [[2]]], [[1], [1]]), [
    tokenEmbeddings([[[1]], [[-1]]], [[1], [1]]),
  ], { temperature: 1 });
  const dense = contrastiveLoss(tf.tensor2d([[1], [2]]), [tf.tensor2d([[1], [-1]])], {
    temperature: 1,
  });
  assertClose(await multiVector.data(), [expected], 1e-6, "maxsim");
  assertClose(await dense.data(), [expected], 1e-6, "dense");
});

// 3 queries; positives and two groups of hard negatives, masks with zeros everywhere.
const [B, LQ, LD, DIM] = [3, 3, 4, 3];
const queryMask = [[1, 1, 0], [1, 1, 1], [0, 1, 1]];
const documentMasks = [
  [[1, 0, 1, 1], [1, 1, 0, 0], [1, 1, 1, 1]],
  [[0, 1, 1, 1], [1, 1, 1, 0], [1, 0, 0, 1]],
  [[1, 1, 1, 0], [1, 0, 1, 1], [1, 1, 0, 1]],
];

function contrastiveMaxsimReference(flat: number[], temperature: number): number {
  const q = rows(flat.slice(0, B * LQ * DIM), LQ * DIM);
  const texts = rows(flat.slice(B * LQ * DIM), LD * DIM).map((text) => rows(text, DIM));
  const scores = q.map((qi, i) => {
    const queryTokens = rows(qi, DIM);
    return texts.map((d, j) =>
      maxsimReference(queryTokens, queryMask[i], d, documentMasks[Math.floor(j / B)][j % B])
    );
  });
  return contrastiveReference(scores, temperature);
}

testOnEveryBackend("contrastive loss over MaxSim: value and gradient vs float64", async () => {
  const temperature = 0.2;
  const q = randomArray([B, LQ, DIM], 11) as number[][][];
  const groups = [0, 1, 2].map((g) => randomArray([B, LD, DIM], 12 + g) as number[][][]);
  const loss = (qt: tf.Tensor, ...dts: tf.Tensor[]) =>
    contrastiveLoss(
      { embeddings: qt as tf.Tensor3D, mask: tf.tensor2d(queryMask) },
      dts.map((d, g) => ({ embeddings: d as tf.Tensor3D, mask: tf.tensor2d(documentMasks[g]) })),
      { temperature },
    );
  const inputs = [tf.tensor3d(q), ...groups.map((g) => tf.tensor3d(g))];
  const { value, grads } = tf.valueAndGrads(loss)(inputs);
  const flat = [...q.flat(2), ...groups.flat(3)];
  assertClose(await value.data(), [contrastiveMaxsimReference(flat, temperature)], 1e-5, "loss");
  const numeric = centralDifferences((x) => contrastiveMaxsimReference(x, temperature), flat);
  const analytic = (await Promise.all(grads.map((g) => g.data()))).flatMap((g) => [...g]);
  assertClose(analytic, numeric, 2e-4, "gradient");
});

testOnEveryBackend("contrastive loss over dense vectors: value and gradient", async () => {
  const temperature = 0.05;
  const q = randomArray([B, DIM], 21) as Matrix;
  const d = randomArray([2 * B, DIM], 22) as Matrix; // positives, then one hard negative each
  const reference = (flat: number[]) => {
    const [qs, ds] = [rows(flat.slice(0, B * DIM), DIM), rows(flat.slice(B * DIM), DIM)];
    return contrastiveReference(qs.map((qi) => ds.map((dj) => dot(qi, dj))), temperature);
  };
  const { value, grads } = tf.valueAndGrads((qt: tf.Tensor, pt: tf.Tensor, nt: tf.Tensor) =>
    contrastiveLoss(qt as tf.Tensor2D, [pt as tf.Tensor2D, nt as tf.Tensor2D], { temperature })
  )([tf.tensor2d(q), tf.tensor2d(d.slice(0, B)), tf.tensor2d(d.slice(B))]);
  const flat = [...q.flat(), ...d.flat()];
  assertClose(await value.data(), [reference(flat)], 1e-5, "loss");
  const analytic = (await Promise.all(grads.map((g) => g.data()))).flatMap((g) => [...g]);
  assertClose(analytic, centralDifferences(reference, flat), 2e-4, "gradient");
});

testOnEveryBackend("contrastive loss summed over query slices equals the mean x B", async () => {
  const q = tf.tensor2d(randomArray([4, DIM], 31) as Matrix);
  const p = tf.tensor2d(randomArray([4, DIM], 32) as Matrix);
  const whole = contrastiveLoss(q, [p], { temperature: 0.1 });
  const parts = [0, 3].map((begin) =>
    contrastiveLoss(q.slice(begin, begin === 0 ? 3 : 1), [p], {
      temperature: 0.1,
      firstPositive: begin,
      reduction: "sum",
    })
  );
  const summed = (await parts[0].data())[0] + (await parts[1].data())[0];
  assertClose([summed], [4 * (await whole.data())[0]], 1e-5, "sum of slices");
  assert.throws(
    () => contrastiveLoss(q, [p.slice(0, 3)], { temperature: 0.1 }),
    /contrastive\.ts: queries 0\.\.4 have no positive among 3 positives/,
  );
});

testOnEveryBackend("contrastive loss refuses a temperature that is not > 0", () => {
  const [q, p] = [tf.tensor2d([[1], [2]]), tf.tensor2d([[1], [-1]])];
  for (const temperature of [0, -0.2, NaN]) {
    assert.throws(
      () => contrastiveLoss(q, [p], { temperature }),
      /contrastive\.ts: temperature must be > 0/,
      `temperature ${temperature}`,
    );
  }
});

testOnEveryBackend("distillation loss of a 2-query case worked by hand", async () => {
  // Student rows min-max normalise to [0, 1/2, 1] and [0, 0, 1] (up to the 1e-8);
  // teacher softmaxes are [1/4, 1/4, 1/2] and [3/5, 1/5, 1/5].
  const student = tf.tensor2d([[1, 2, 3], [4, 4, 6]]);
  const teacher = tf.tensor2d([[0, 0, Math.log(2)], [Math.log(3), 0, 0]]);
  const e = Math.E;
  const kl0 = -1.5 * Math.log(2) - 0.625 + Math.log(1 + Math.sqrt(e) + e);
  const kl1 = 0.6 * Math.log(0.6) + 0.4 * Math.log(0.2) - 0.2 + Math.log(2 + e);
  const loss = distillationLoss(student, teacher);
  assertClose(await loss.data(), [(kl0 + kl1) / 2], 1e-6, "loss");
  assertClose([(kl0 + kl1) / 2], [0.2083615], 1e-6, "the hand computation itself");
});

testOnEveryBackend(
  "distillation loss: 0 when the teacher agrees, gradient vs float64",
  async () => {
    const student = randomArray([2, 4], 41) as Matrix;
    const normalised = student.map((row) => {
      const [low, high] = [Math.min(...row), Math.max(...row)];
      return row.map((s) => (s - low) / (high - low + 1e-8));
    });
    const agreeing = distillationLoss(tf.tensor2d(student), tf.tensor2d(normalised));
    assertClose(await agreeing.data(), [0], 1e-6, "agreeing teacher");

    const teacher = randomArray([2, 4], 42) as Matrix;
    const reference = (flat: number[]) => distillationReference(rows(flat, 4), teacher);
    const { value, grads } = tf.valueAndGrads((s: tf.Tensor) =>
      distillationLoss(s as tf.Tensor2D, tf.tensor2d(teacher))
    )([tf.tensor2d(student)]);
    assertClose(await value.data(), [reference(student.flat())], 1e-5, "loss");
    assertClose(await grads[0].data(), centralDifferences(reference, student.flat()), 1e-4, "grad");
  },
);

testOnEveryBackend("distillation without normalisation is KL of raw softmaxes", async () => {
  const [student, teacher] = [[[0.5, -1, 2]], [[1, 0, 0]]];
  const [ls, lt] = [logSoftmax(student[0]), logSoftmax(teacher[0])];
  const expected = lt.reduce((sum, t, k) => sum + Math.exp(t) * (t - ls[k]), 0);
  const loss = distillationLoss(tf.tensor2d(student), tf.tensor2d(teacher), { normalize: false });
  assertClose(await loss.data(), [expected], 1e-6, "loss");
});

testOnEveryBackend("MLM loss: hand-computed value and gradient", async () => {
  const logits = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
  const expected = (Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3 + Math.log(3)) / 2;
  assertClose(await mlmLoss(logits, Int32Array.from([2, 1])).data(), [expected], 1e-6, "loss");

  const random = randomArray([3, 5], 51) as Matrix;
  const targets = Int32Array.from([4, 0, 2]);
  const reference = (flat: number[]) =>
    rows(flat, 5).reduce((sum, row, i) => sum - logSoftmax(row)[targets[i]], 0) / 3;
  const grad = tf.grad((x: tf.Tensor) => mlmLoss(x as tf.Tensor2D, targets))(tf.tensor2d(random));
  assertClose(await grad.data(), centralDifferences(reference, random.flat()), 1e-4, "grad");

  assert.throws(() => mlmLoss(tf.zeros([0, 5]), new Int32Array()), /mlm\.ts: no masked/);
});

testOnEveryBackend(
  "cross entropy rejects a target outside the classes or a count unlike the rows",
  () => {
    assert.throws(
      () => crossEntropy(tf.zeros([2, 3]), Int32Array.from([0, 3])),
      /cross_entropy\.ts: target 3 of row 1 is not in \[0, 3\)/,
    );
    assert.throws(
      () => crossEntropy(tf.zeros([2, 3]), Int32Array.from([0])),
      /cross_entropy\.ts: 1 targets for 2 rows of logits/,
    );
  },
);

Deno.test("maskTokens: BERT's 15% / 80-10-10, seeded, never a special token", () => {
  const [vocabSize, maskTokenId, special] = [1000, 103, [0, 101, 102]];
  // 400 sequences of 64: [CLS] words [SEP] then padding.
  const ids = new Int32Array(400 * 64);
  for (let s = 0; s < 400; s++) {
    ids[s * 64] = 101;
    for (let t = 1; t < 50; t++) ids[s * 64 + t] = 200 + ((s * 7 + t * 13) % 700);
    ids[s * 64 + 50] = 102;
  }
  const options = { maskTokenId, vocabSize, specialTokenIds: special, seed: 7 };
  const masked = maskTokens(ids, options);
  assert.deepEqual(maskTokens(ids, options), masked, "same seed, same masking");
  assert.notDeepEqual(maskTokens(ids, { ...options, seed: 8 }).positions, masked.positions);

  const eligible = ids.filter((id) => !special.includes(id)).length;
  const counts = { mask: 0, kept: 0, other: 0 };
  masked.positions.forEach((position, i) => {
    assert.ok(!special.includes(ids[position]), "a special token was chosen");
    assert.equal(masked.targets[i], ids[position]);
    const now = masked.inputIds[position];
    if (now === maskTokenId) counts.mask++;
    else if (now === ids[position]) counts.kept++;
    else counts.other++;
  });
  const chosen = new Set(masked.positions);
  ids.forEach((id, i) => {
    if (!chosen.has(i)) assert.equal(masked.inputIds[i], id, "an unchosen token changed");
  });
  const n = masked.positions.length;
  assert.ok(Math.abs(n / eligible - 0.15) < 0.01, `chose ${n / eligible}`);
  assert.ok(Math.abs(counts.mask / n - 0.8) < 0.03, `[MASK] share ${counts.mask / n}`);
  assert.ok(Math.abs(counts.kept / n - 0.1) < 0.02, `kept share ${counts.kept / n}`);
  assert.ok(Math.abs(counts.other / n - 0.1) < 0.02, `random share ${counts.other / n}`);
});

Deno.test("maskTokens: the 80/10/10 split and the fallback pick, worked by hand", () => {
  // seededRandom(36) draws 0.9562 0.9427 0.2548 0.1630 0.8151 0.8523 0.5851 ...
  const options = { maskTokenId: 3, vocabSize: 1000, specialTokenIds: [1], seed: 36 };
  // Probability 1: every token takes a choice draw, an action draw and, for an action in
  // [0.8, 0.9), a replacement draw. 5: action 0.9427 keeps it; 6: action 0.1630 -> [MASK];
  // 7: action 0.8523 -> floor(0.5851 x 1000) = 585.
  const all = maskTokens([5, 6, 7], { ...options, probability: 1 });
  assert.deepEqual([...all.inputIds], [5, 3, 585]);
  assert.deepEqual([...all.positions], [0, 1, 2]);
  // A probability so low that none of the 4 eligible tokens is chosen (draws 1-4): the
  // fallback picks eligible floor(0.8151 x 4) = 3 (id 8), action 0.8523 -> 585.
  const fallback = maskTokens([1, 5, 6, 7, 8], { ...options, probability: 1e-9 });
  assert.deepEqual([...fallback.inputIds], [1, 5, 6, 7, 585]);
  assert.deepEqual([...fallback.positions], [4]);
  assert.deepEqual([...fallback.targets], [8]);
});

Deno.test("maskTokens always leaves a target when some token can be masked", () => {
  const options = { maskTokenId: 3, vocabSize: 10, specialTokenIds: [0, 1], seed: 0 };
  for (let seed = 0; seed < 50; seed++) {
    const masked = maskTokens([1, 5, 0, 0], { ...options, seed });
    assert.deepEqual([...masked.positions], [1]);
    assert.deepEqual([...masked.targets], [5]);
  }
  assert.equal(maskTokens([1, 0, 0], options).positions.length, 0);
});

Deno.test("unigramLogPrior: add-one smoothed log frequencies, by hand", () => {
  // Ids 0,1,1,2 over a vocabulary of 4: counts 1+1, 2+1, 1+1, 0+1 over 4 + 4 tokens.
  const prior = unigramLogPrior([[0, 1], [1, 2]], 4);
  const expected = [2 / 8, 3 / 8, 2 / 8, 1 / 8].map(Math.log);
  prior.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-6, `id ${i}`));
  assert.ok(Math.abs(prior.reduce((sum, p) => sum + Math.exp(p), 0) - 1) < 1e-6);
  assert.throws(() => unigramLogPrior([[4]], 4), /token id 4 is outside the vocabulary of 4/);
});
