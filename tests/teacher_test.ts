import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/compute/backend.ts";
import { colbertInputConfig } from "../lib/models/colbert_inputs.ts";
import type { SupervisedExample } from "../lib/datasets/records.ts";
import { createModel } from "../lib/models/model.ts";
import { AdamW, clipByGlobalNorm } from "../lib/train/adamw.ts";
import { gradientsOf } from "../lib/train/loop.ts";
import { listwiseLoss, scoreCandidates, teacherBatch, teacherLoss } from "../lib/train/teacher.ts";
import { loadBertTokenizer } from "../lib/models/tokenizer.ts";
import { tinyEncoder } from "./tiny_encoder.ts";

await initBackend("wasm");
const tokenizer = await loadBertTokenizer();

const close = (actual: number, expected: number, tolerance = 1e-5) =>
  assert.ok(Math.abs(actual - expected) < tolerance, `${actual} != ${expected}`);

Deno.test("listwise loss of ragged lists, and its gradient softmax - one-hot", () => {
  const lists = [[2, 1, 0], [0.5, 0.5], [3]];
  const scores = tf.tensor1d(lists.flat());
  const loss = listwiseLoss(scores, lists.map((list) => list.length));
  // ln(e^2 + e + 1) - 2 = 0.40760596, ln 2 = 0.69314718, a list of one: 0.
  close(loss.dataSync()[0], (0.40760596 + 0.69314718 + 0) / 3);
  const gradient = tf.grad((s) => listwiseLoss(s as tf.Tensor1D, [3, 2, 1]))(scores).dataSync();
  const expected = lists.flatMap((list) => {
    const total = list.reduce((sum, s) => sum + Math.exp(s), 0);
    return list.map((s, i) => (Math.exp(s) / total - (i === 0 ? 1 : 0)) / lists.length);
  });
  expected.forEach((value, i) => close(gradient[i], value));
  assert.throws(() => listwiseLoss(scores, [3, 2]), /lists of 5 scores in all, but 6 scores/);
  assert.throws(() => listwiseLoss(scores, [3, 3, 0]), /integers >= 1/);
});

function tinyTeacher() {
  return createModel({
    kind: "cross",
    transformer: tinyEncoder(),
    colbertDim: 8,
    pooling: "mean",
    inputs: colbertInputConfig(),
  }, { seed: 11 });
}

const EXAMPLES: SupervisedExample[] = [
  {
    query: "feline",
    positive: "a small cat kept as a pet",
    negatives: ["a large body of salt water", "a tool for cutting wood", "a yellow fruit"],
    lemma: "feline",
  },
  {
    query: "ocean",
    positive: "a large body of salt water",
    negatives: ["a small cat kept as a pet", "a yellow fruit"],
    lemma: "ocean",
  },
  {
    query: "saw",
    positive: "a tool for cutting wood",
    negatives: ["a yellow fruit", "a large body of salt water"],
    lemma: "saw",
  },
  { query: "banana", positive: "a yellow fruit", negatives: [], lemma: "banana" },
];

Deno.test("teacher batches: positive first, negatives capped", () => {
  const batch = teacherBatch(tokenizer, EXAMPLES, { maxLength: 16, maxNegatives: 2 });
  assert.deepEqual(batch.listSizes, [3, 3, 3, 1]);
  assert.equal(batch.rows.batchSize, 10);
  const firstRow = [...batch.rows.inputIds.subarray(0, batch.rows.length)].filter((id) => id);
  assert.equal(tokenizer.decode(firstRow), "[CLS] feline [SEP] a small cat kept as a pet [SEP]");
});

Deno.test("a few steps of listwise training rank each positive first", async () => {
  const STEPS = 80;
  const teacher = tinyTeacher();
  const optimizer = new AdamW(teacher.params);
  const batch = teacherBatch(tokenizer, EXAMPLES, { maxLength: 24 });
  const losses: number[] = [];
  // Clipped at 1 as the training loop does. This tiny ModernBERT from scratch needs 3e-3:
  // at 1e-3 its loss had only fallen from 0.90 to 0.36 after 80 steps (0.001 at 3e-3).
  for (let step = 0; step < STEPS; step++) {
    const { loss, grads } = await gradientsOf(teacher, () => teacherLoss(teacher, batch));
    const clipped = await clipByGlobalNorm(grads, 1);
    optimizer.apply(clipped.grads, 3e-3);
    tf.dispose([...new Set([...grads.values(), ...clipped.grads.values()])]);
    losses.push(loss);
  }
  optimizer.dispose();
  assert.ok(losses[STEPS - 1] < 0.3 * losses[0], `loss ${losses[0]} -> ${losses[STEPS - 1]}`);
  for (const example of EXAMPLES.slice(0, 3)) {
    const documents = [example.positive, ...example.negatives];
    const scores = await scoreCandidates(teacher, tokenizer, { query: example.query, documents });
    assert.ok(scores.slice(1).every((score) => score < scores[0]), `${example.query}: ${scores}`);
  }
});

Deno.test("scores do not depend on the batch size", async () => {
  const teacher = tinyTeacher();
  const documents = [
    "a yellow fruit",
    "a small cat kept as a pet, often fed twice a day",
    "wood",
    "a large body of salt water that covers most of the earth",
    "a tool",
    "the tool for cutting wood has teeth",
    "fruit",
    "a pet",
    "water",
  ];
  const one = await scoreCandidates(teacher, tokenizer, {
    query: "feline",
    documents,
    batchSize: 1,
  });
  const seven = await scoreCandidates(teacher, tokenizer, {
    query: "feline",
    documents,
    batchSize: 7,
  });
  assert.equal(one.length, documents.length);
  one.forEach((score, i) => close(seven[i], score));
  assert.ok(new Set(one).size > 1, "different documents get different scores");
  const empty = await scoreCandidates(teacher, tokenizer, { query: "feline", documents: [] });
  assert.equal(empty.length, 0);
  await assert.rejects(
    scoreCandidates(teacher, tokenizer, { query: "feline", documents, batchSize: 0 }),
    /batchSize/,
  );
});
