import assert from "node:assert/strict";
import type { SupervisedExample } from "../lib/datasets/records.ts";
import { supervisedPool, teacherExamples } from "../lib/phases/supervised_pool.ts";

const wordnet = (n: number): SupervisedExample[] =>
  Array.from({ length: n }, (_, i) => ({
    query: `w${i}`,
    positive: `gloss ${i}`,
    negatives: [`other ${i}`],
    lemma: `w${i}`,
  }));
const source = (name: string, n: number) => ({
  pairs: Array.from({ length: n }, (_, i) => ({
    query: `${name}${i}`,
    document: `${name} doc ${i}`,
    group: `${name}-g${i}`,
  })),
});

Deno.test("teacherExamples: WordNet's examples, then as many pairs taken from each source in turn", () => {
  const examples = teacherExamples(wordnet(5), [source("a", 1), source("b", 9)]);
  assert.deepEqual(examples.map((e) => e.query), [
    "w0",
    "w1",
    "w2",
    "w3",
    "w4",
    "a0",
    "b0",
    "b1",
    "b2",
    "b3",
  ]);
  assert.deepEqual(examples[5], { query: "a0", positive: "a doc 0", negatives: [], lemma: "a-g0" });
  // Fewer pairs than WordNet examples: all of them.
  assert.equal(teacherExamples(wordnet(5), [source("a", 2)]).length, 7);
});

Deno.test("supervisedPool: later offsets give other examples; the corpus holds every gloss", () => {
  const all = teacherExamples(wordnet(20), [source("a", 20)]);
  const first = supervisedPool(all, 10);
  const next = supervisedPool(all, 10, 10);
  const queries = (pool: typeof first) => pool.examples.map((e) => e.query);
  assert.equal(new Set([...queries(first), ...queries(next)]).size, 20);
  for (const { positive } of first.queries) assert.ok(first.corpus.has(positive));
  const texts = new Set([...first.corpus.values()].map((d) => d.text));
  for (const e of first.examples) e.negatives.forEach((n) => assert.ok(texts.has(n)));
  assert.throws(() => supervisedPool(all, 41), /needs 41 supervised examples, the data has 40/);
});
