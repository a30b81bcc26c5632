import assert from "node:assert/strict";
import { initBackend } from "../lib/compute/backend.ts";
import type { Corpus, Queries } from "../lib/datasets/beir.ts";
import { colbertInputConfig } from "../lib/models/colbert_inputs.ts";
import {
  bm25Scorer,
  type LabelledQuery,
  mineHardNegatives,
  type MiningScorer,
  modelScorer,
  withMinedNegatives,
} from "../lib/retrieval/mining.ts";
import { createModel, type ModelKind } from "../lib/models/model.ts";
import { loadBertTokenizer } from "../lib/models/tokenizer.ts";
import { tinyEncoder } from "./tiny_encoder.ts";

await initBackend("cpu");
const tokenizer = await loadBertTokenizer();

function corpusOf(texts: Record<string, string>): Corpus {
  return new Map(Object.entries(texts).map(([id, text]) => [id, { title: "", text }]));
}

// Analyzed (stopwords out): d1 [cats purr softly], d2 [cats purr quietly] (a paraphrase of
// d1, same length, so the same score), d3 [cats chase mice], d4 [dogs bark loudly cats],
// d5 [birds sing], d6 [purr engine]. avgdl = 18 / 6 = 3. For "cats purr": "purr" (df 3) is
// rarer than "cats" (df 4); d1 = d2 hold both terms; d6 (purr, 2 tokens) beats d3 (cats,
// 3 tokens), which beats d4 (cats, 4 tokens); d5 shares nothing. Ties go to the larger id.
const CORPUS = corpusOf({
  d1: "cats purr softly",
  d2: "cats purr quietly",
  d3: "cats chase mice",
  d4: "dogs bark loudly at cats",
  d5: "birds sing",
  d6: "the purr of an engine",
});
const CATS_PURR: LabelledQuery = { id: "q1", text: "cats purr", positive: "d1" };

/** `scorer` with a record of the queries it was asked to score directly. */
function spying(scorer: MiningScorer): MiningScorer & { scored: string[] } {
  const scored: string[] = [];
  return {
    ...scorer,
    scored,
    score(queries, documentIds) {
      scored.push(...documentIds.keys());
      return scorer.score(queries, documentIds);
    },
  };
}

Deno.test("BM25 candidates come in the order worked out by hand", async () => {
  const run = await bm25Scorer(CORPUS).search(new Map([["q1", "cats purr"]]), 10);
  const ranked = [...run.get("q1")!].sort(([a, x], [b, y]) => y - x || (a < b ? 1 : -1));
  assert.deepEqual(ranked.map(([id]) => id), ["d2", "d1", "d6", "d3", "d4"]);
  assert.equal(run.get("q1")!.get("d1"), run.get("q1")!.get("d2"));
});

Deno.test("the guard drops a paraphrase of the positive; the positive is never returned", async () => {
  const scorer = spying(bm25Scorer(CORPUS));
  const guarded = await mineHardNegatives([CATS_PURR], scorer, { margin: 0.95 });
  assert.deepEqual(guarded.negatives.get("q1"), ["d6", "d3", "d4"]);
  assert.equal(guarded.guardDropped, 1);
  assert.equal(guarded.positivesRetrieved, 1);
  assert.equal(guarded.short, 1, "3 of the 10 asked for");
  assert.equal(guarded.unguarded, 0);
  assert.deepEqual(scorer.scored, [], "a retrieved positive needs no direct scoring");
  // The paraphrase scores exactly the positive's score: kept once the margin reaches 1.
  const unguarded = await mineHardNegatives([CATS_PURR], scorer, { margin: 1, count: 2 });
  assert.deepEqual(unguarded.negatives.get("q1"), ["d2", "d6"]);
  assert.equal(unguarded.short, 0);
});

Deno.test("a positive outside the candidates is scored directly for the guard", async () => {
  const scorer = spying(bm25Scorer(CORPUS));
  // Depth 1 retrieves only d2, which ties with the unretrieved positive d1.
  const tied = await mineHardNegatives([CATS_PURR], scorer, { depth: 1 });
  assert.deepEqual(scorer.scored, ["q1"]);
  assert.equal(tied.positivesRetrieved, 0);
  assert.deepEqual(tied.negatives.get("q1"), []);
  assert.equal(tied.guardDropped, 1);
  // "cats" -> d4, the longest "cats" document, scores lowest: everything above it is
  // suspected of being relevant too, unless the margin is wide.
  const low: LabelledQuery = { id: "q2", text: "cats", positive: "d4" };
  assert.deepEqual((await mineHardNegatives([low], scorer)).negatives.get("q2"), []);
  const wide = await mineHardNegatives([low], scorer, { margin: 2 });
  assert.deepEqual(wide.negatives.get("q2"), ["d3", "d2", "d1"]);
  // A positive sharing no term scores 0: the guard cannot judge, and is skipped. "birds"
  // (df 1) outweighs "purr" (df 3), and the 2-token d5 and d6 beat the 3-token d1 and d2.
  const unseen: LabelledQuery = { id: "q3", text: "birds purr", positive: "d3" };
  const unguarded = await mineHardNegatives([unseen, CATS_PURR], scorer, { count: 2 });
  assert.deepEqual(unguarded.negatives.get("q3"), ["d5", "d6"]);
  assert.deepEqual(unguarded.negatives.get("q1"), ["d6", "d3"]);
  assert.equal(unguarded.unguarded, 1);
  assert.equal(unguarded.guardDropped, 1, "d2 for q1 only");
});

Deno.test("mining rejects duplicate query ids and bad options", async () => {
  const scorer = bm25Scorer(CORPUS);
  await assert.rejects(
    mineHardNegatives([CATS_PURR, CATS_PURR], scorer),
    /duplicate query id "q1"/,
  );
  await assert.rejects(mineHardNegatives([CATS_PURR], scorer, { count: 0 }), /count/);
  await assert.rejects(mineHardNegatives([CATS_PURR], scorer, { depth: 1.5 }), /depth/);
});

const SENTENCES = corpusOf({
  a: "a small cat sleeps on the warm mat",
  b: "the stock market fell sharply today",
  c: "cats and kittens like to sleep",
  d: "rain is expected over the mountains",
  e: "a dog chased the cat around the garden",
  f: "interest rates rose again this year",
  g: "the kitten purrs on the sofa",
});
const QUERIES: LabelledQuery[] = [
  { id: "q1", text: "sleeping cat", positive: "a" },
  { id: "q2", text: "stock prices", positive: "b" },
  { id: "q3", text: "weather forecast", positive: "d" },
];

function tinyModel(kind: ModelKind) {
  return createModel({
    kind,
    transformer: tinyEncoder(),
    colbertDim: 8,
    pooling: "mean",
    inputs: colbertInputConfig({ queryLength: 8, documentLength: 16, prompts: false }),
  }, { seed: 3 });
}

for (const kind of ["colbert", "dense"] as const) {
  Deno.test(`a ${kind} model scores a pair as its search does, and mines deterministically`, async () => {
    const scorer = modelScorer(tinyModel(kind), tokenizer, { corpus: SENTENCES, batchSize: 3 });
    const queries: Queries = new Map(QUERIES.map((q) => [q.id, q.text]));
    const run = await scorer.search(queries, SENTENCES.size);
    const direct = await scorer.score(
      queries,
      new Map([["q1", ["g", "a", "c"]], ["q3", ["b"]]]),
    );
    assert.deepEqual([...direct.keys()], ["q1", "q3"]);
    for (const [queryId, scores] of direct) {
      for (const [id, score] of scores) {
        assert.ok(Math.abs(score - run.get(queryId)!.get(id)!) < 1e-4, `${queryId} ${id}`);
      }
    }
    const options = { count: 3, depth: 5, margin: 0.95 };
    const mined = await mineHardNegatives(QUERIES, scorer, options);
    const again = await mineHardNegatives(
      QUERIES,
      modelScorer(tinyModel(kind), tokenizer, { corpus: SENTENCES, batchSize: 2 }),
      options,
    );
    assert.deepEqual(again, mined);
    for (const query of QUERIES) {
      const negatives = mined.negatives.get(query.id)!;
      assert.ok(negatives.length <= 3);
      assert.ok(!negatives.includes(query.positive));
      const scores = run.get(query.id)!;
      const positive = scores.get(query.positive)!;
      for (const id of negatives) {
        assert.ok(positive <= 0 || scores.get(id)! <= 0.95 * positive + 1e-4);
      }
    }
  });
}

Deno.test("mined negatives follow the lexicographer ones, without repeats or the positive", () => {
  const example = {
    query: "bank",
    positive: "sloping land beside a body of water",
    negatives: ["a financial institution", "a long ridge"],
    lemma: "bank",
  };
  const merged = withMinedNegatives(example, [
    "a long ridge",
    "sloping  land beside a body of water ",
    "a supply or stock held in reserve",
    "a supply or stock held in reserve",
  ]);
  assert.deepEqual(merged.negatives, [
    "a financial institution",
    "a long ridge",
    "a supply or stock held in reserve",
  ]);
  assert.equal(merged.positive, example.positive);
  assert.equal(example.negatives.length, 2, "the input example is left unchanged");
});
