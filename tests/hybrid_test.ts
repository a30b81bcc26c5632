/**
 * The hybrid of a dense model and BM25 (lib/retrieval/hybrid.ts): z-scores, their mix, the
 * fusion of two runs, and the retriever and KD scorer on a tiny dense BERT, each checked
 * against values computed here by hand (plain loops over the model's own vectors).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/compute/backend.ts";
import type { Corpus, Queries } from "../lib/datasets/beir.ts";
import { TINY_BERT } from "./tiny_encoder.ts";
import { colbertInputConfig } from "../lib/models/colbert_inputs.ts";
import { embedTexts } from "../lib/models/embed.ts";
import { createModel, type Model } from "../lib/models/model.ts";
import { loadBertTokenizer, type Tokenizer } from "../lib/models/tokenizer.ts";
import { bm25Retriever, documentText } from "../lib/retrieval/bm25.ts";
import {
  fuseRuns,
  fuseScores,
  hybridRetriever,
  hybridScorer,
  standardised,
} from "../lib/retrieval/hybrid.ts";
import type { Run } from "../lib/retrieval/metrics.ts";
import { teacherScorer } from "../lib/phases/teacher_phase.ts";
import { TINY } from "../lib/phases/profiles.ts";
import { toyContext } from "./study_fixture.ts";

/** Each of `actual` within `tolerance` of `expected`, with both in the message. */
function assertClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-9) {
  assert.equal(actual.length, expected.length, `lengths: [${actual}] vs [${expected}]`);
  actual.forEach((value, i) =>
    assert.ok(
      Math.abs(value - expected[i]) <= tolerance,
      `at ${i}: ${value} vs ${expected[i]} (all: [${actual}] vs [${expected}])`,
    )
  );
}

Deno.test("standardised: population z-scores, computed by hand", () => {
  // Mean 5, population standard deviation 2 (the sample one, sqrt(32/7), would differ).
  assertClose(standardised([2, 4, 4, 4, 5, 5, 7, 9]), [-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2]);
  assertClose(standardised([10, 20]), [-1, 1]);
});

Deno.test("standardised: all-equal values (and a single one) become zeros, not NaN", () => {
  assert.deepEqual(standardised([3, 3, 3]), [0, 0, 0]);
  assert.deepEqual(standardised([-7.5]), [0]);
});

Deno.test("fuseScores: (1 - weight) x z(dense) + weight x z(BM25), by hand", () => {
  // z(dense) = [-sqrt(1.5), 0, sqrt(1.5)]; z(BM25) of [10, 10, 40] = [-1, -1, 2] / sqrt(2).
  assertClose(
    fuseScores([1, 2, 3], [10, 10, 40], 0.25),
    [-1.0953353488403286, -0.17677669529663687, 1.2721120441369655],
  );
  assertClose(fuseScores([1, 2, 3], [10, 10, 40], 0), standardised([1, 2, 3]));
  assertClose(fuseScores([1, 2, 3], [10, 10, 40], 1), standardised([10, 10, 40]));
});

Deno.test("fuseScores: a length mismatch is an error giving both counts", () => {
  assert.throws(() => fuseScores([1, 2], [1, 2, 3], 0.5), /2 dense scores but 3 BM25 scores/);
});

Deno.test("fuseRuns: the union of both runs; a document one run missed gets its lowest score", () => {
  const dense: Run = new Map([
    ["q1", new Map([["a", 0.9], ["b", 0.5], ["c", 0.1]])],
    ["q2", new Map([["a", 1], ["b", 0]])],
  ]);
  const lexical: Run = new Map([["q1", new Map([["b", 4], ["d", 2]])]]);
  const fused = fuseRuns(dense, lexical, 0.25);
  assert.deepEqual([...fused.keys()].sort(), ["q1", "q2"]);
  // q1: dense [0.9, 0.5, 0.1, d -> 0.1], BM25 [a -> 2, 4, c -> 2, 2] over a, b, c, d.
  const q1 = fused.get("q1")!;
  assert.deepEqual([...q1.keys()].sort(), ["a", "b", "c", "d"]);
  assertClose(
    ["a", "b", "c", "d"].map((id) => q1.get(id)!),
    [0.986329974869207, 0.659146210325542, -0.8227380925973746, -0.8227380925973746],
  );
  // q2: BM25 returned nothing, so its scores are all equal (z = 0): only the dense part is left.
  const q2 = fused.get("q2")!;
  assertClose([q2.get("a")!, q2.get("b")!], [0.75, -0.75]);
});

// --- The retriever and the scorer on a tiny dense model -------------------------------------

/** A random tiny dense BERT (mean pooling, normalised), bert-base-uncased's vocabulary. */
function tinyDense(): Model {
  return createModel({
    kind: "dense",
    transformer: TINY_BERT,
    colbertDim: 8,
    pooling: "mean",
    inputs: colbertInputConfig({ queryLength: 16, documentLength: 32, prompts: false }),
  }, { seed: 7 });
}

/** Five documents that each share a term with every query, at different BM25 scores. */
const CORPUS: Corpus = new Map([
  ["d1", { title: "", text: "the river runs past the old mill and the river bank" }],
  ["d2", { title: "Garden", text: "a garden by the river with apple trees" }],
  ["d3", { title: "", text: "apple pie recipe with a garden apple and cinnamon" }],
  ["d4", { title: "Mill", text: "an old stone mill grinding flour near a garden" }],
  ["d5", { title: "", text: "river apple garden mill" }],
]);
const QUERIES: Queries = new Map([
  ["q1", "river garden"],
  ["q2", "apple mill"],
]);

/** Ids ordered by score, best first (ties: id order, so that the order is well defined). */
function ranked(scores: Map<string, number>): string[] {
  return [...scores].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([id]) => id);
}

/** Rows of a [n, d] tensor as plain arrays. */
async function rows(tensor: tf.Tensor): Promise<number[][]> {
  const values = await tensor.array() as number[][];
  tensor.dispose();
  return values;
}

/** Cosine of two vectors, the slow way. */
function cosine(a: readonly number[], b: readonly number[]): number {
  let [dot, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return dot / Math.sqrt(aa * bb);
}

/** The dense model's cosine of `query` with each of `documents`, from its own vectors. */
async function referenceCosines(
  model: Model,
  tokenizer: Tokenizer,
  query: string,
  documents: readonly string[],
): Promise<number[]> {
  const [q] = await rows(
    embedTexts(model, tokenizer, { texts: [query], side: "query" }) as tf.Tensor,
  );
  const d = await rows(
    embedTexts(model, tokenizer, { texts: documents, side: "document" }) as tf.Tensor,
  );
  return d.map((vector) => cosine(q, vector));
}

/** Precondition of an ordering test: no two scores so close that float noise could swap them. */
function assertDistinct(scores: readonly number[], gap: number, what: string): void {
  const sorted = [...scores].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    assert.ok(sorted[i] - sorted[i - 1] > gap, `${what} too close to order: [${scores}]`);
  }
}

const ids = [...CORPUS.keys()];
const texts = ids.map((id) => documentText(CORPUS.get(id)!));

async function setup(): Promise<{ model: Model; tokenizer: Tokenizer }> {
  await initBackend("cpu");
  return { model: tinyDense(), tokenizer: await loadBertTokenizer() };
}

Deno.test("hybridRetriever: BM25's weight 1 orders exactly as BM25 does", async () => {
  const { model, tokenizer } = await setup();
  const bm25 = await bm25Retriever(CORPUS).search(QUERIES, CORPUS.size);
  const hybrid = await hybridRetriever(model, tokenizer, { corpus: CORPUS, weight: 1, depth: 5 })
    .search(QUERIES, CORPUS.size);
  for (const queryId of QUERIES.keys()) {
    const lexical = bm25.get(queryId)!;
    assert.equal(lexical.size, CORPUS.size, "every document shares a term with the query");
    assertDistinct([...lexical.values()], 1e-6, `BM25 scores of ${queryId}`);
    assert.deepEqual(ranked(hybrid.get(queryId)!), ranked(lexical), queryId);
  }
});

Deno.test("hybridRetriever: BM25's weight 0 orders exactly as the dense model's cosine", async () => {
  const { model, tokenizer } = await setup();
  const hybrid = await hybridRetriever(model, tokenizer, { corpus: CORPUS, weight: 0, depth: 5 })
    .search(QUERIES, CORPUS.size);
  for (const [queryId, query] of QUERIES) {
    const cosines = await referenceCosines(model, tokenizer, query, texts);
    assertDistinct(cosines, 1e-5, `cosines of ${queryId}`);
    const expected = ranked(new Map(ids.map((id, i) => [id, cosines[i]])));
    assert.deepEqual(ranked(hybrid.get(queryId)!), expected, queryId);
  }
});

Deno.test("hybridRetriever: a mixed weight gives the fused z-scores, the best k of them", async () => {
  const { model, tokenizer } = await setup();
  const weight = 0.3;
  const retriever = hybridRetriever(model, tokenizer, { corpus: CORPUS, weight, depth: 5 });
  const all = await retriever.search(QUERIES, CORPUS.size);
  const top = await retriever.search(QUERIES, 2);
  const { index } = bm25Retriever(CORPUS);
  for (const [queryId, query] of QUERIES) {
    const cosines = await referenceCosines(model, tokenizer, query, texts);
    const lexical = new Map(index.search(query, CORPUS.size).map(({ id, score }) => [id, score]));
    const expected = fuseScores(cosines, ids.map((id) => lexical.get(id)!), weight);
    const scores = all.get(queryId)!;
    assertClose(ids.map((id) => scores.get(id)!), expected, 1e-3);
    assert.deepEqual(
      [...top.get(queryId)!.keys()],
      ranked(scores).slice(0, 2),
      `top 2 of ${queryId}`,
    );
  }
});

Deno.test("hybridScorer: fuseScores of the candidates' cosines and BM25 scores (0 where no term is shared)", async () => {
  const { model, tokenizer } = await setup();
  const weight = 0.3;
  const withUnrelated: Corpus = new Map([
    ...CORPUS,
    ["d6", { title: "", text: "violin lessons for beginners" }],
  ]);
  // Candidates as the KD file has them: texts, in the first stage's order, a subset of the corpus.
  const cases: [Corpus, string, string[]][] = [
    [CORPUS, "river garden", ["d4", "d1", "d5", "d2"]],
    [withUnrelated, "apple mill", ["d3", "d6", "d1"]],
  ];
  for (const [corpus, query, candidateIds] of cases) {
    const candidates = candidateIds.map((id) => documentText(corpus.get(id)!));
    const cosines = await referenceCosines(model, tokenizer, query, candidates);
    assertDistinct(cosines, 1e-5, `cosines of "${query}"`);
    // BM25 with the whole corpus's statistics, read for the candidates.
    const { index } = bm25Retriever(corpus);
    const matched = new Map(index.search(query, corpus.size).map(({ id, score }) => [id, score]));
    const lexical = candidateIds.map((id) => matched.get(id) ?? 0);
    const actual = await hybridScorer(model, tokenizer, { corpus, weight })(query, candidates);
    assertClose(Array.from(actual), fuseScores(cosines, lexical, weight), 1e-3);
  }
  const unrelated = bm25Retriever(withUnrelated).index.search("apple mill", withUnrelated.size);
  assert.ok(!unrelated.some(({ id }) => id === "d6"), "d6 shares no term with its query");
});

Deno.test("hybridScorer: BM25's weight 0 gives the candidates' dense z-scores, as fuseScores does", async () => {
  const { model, tokenizer } = await setup();
  const query = "river garden";
  const candidateIds = ["d4", "d1", "d5", "d2"];
  const candidates = candidateIds.map((id) => documentText(CORPUS.get(id)!));
  const cosines = await referenceCosines(model, tokenizer, query, candidates);
  const { index } = bm25Retriever(CORPUS);
  const matched = new Map(index.search(query, CORPUS.size).map(({ id, score }) => [id, score]));
  const lexical = candidateIds.map((id) => matched.get(id) ?? 0);
  const actual = await hybridScorer(model, tokenizer, { corpus: CORPUS, weight: 0 })(
    query,
    candidates,
  );
  assertClose(actual, fuseScores(cosines, lexical, 0), 1e-3);
  assertClose(actual, standardised(cosines), 1e-3);
});

Deno.test("teacherScorer: a hybrid profile's teacher is hybridScorer at the profile's BM25 weight", async () => {
  const { model, tokenizer } = await setup();
  const context = await toyContext();
  context.profile = { ...TINY, teacherKind: "hybrid", hybridBm25Weight: 0.3 };
  const query = "river garden";
  const candidates = ["d4", "d1", "d5", "d2"].map((id) => documentText(CORPUS.get(id)!));
  const actual = Array.from(await teacherScorer(context, model, CORPUS)(query, candidates));
  const expected = async (weight: number) =>
    await hybridScorer(model, tokenizer, { corpus: CORPUS, weight })(query, candidates);
  assert.deepEqual(actual, await expected(0.3));
  assert.notDeepEqual(actual, await expected(0.7), "the weight matters here");
  await Deno.remove(context.cache.root, { recursive: true });
});
