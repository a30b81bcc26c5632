import assert from "node:assert/strict";
import {
  averagePrecision,
  evaluateRun,
  ndcgAt,
  rankDocuments,
  recallAt,
  reciprocalRankAt,
  type Run,
} from "../lib/retrieval/metrics.ts";

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} != ${expected}`);

// Graded judgments used by several cases: d1 highly relevant, d2 relevant, d3 judged 0.
const graded = new Map([["d1", 2], ["d2", 1], ["d3", 0]]);

Deno.test("rankDocuments sorts by score descending, then by document id descending", () => {
  const scores = new Map([["a", 1], ["b", 2], ["c", 1], ["d", 1], ["e", -3]]);
  assert.deepEqual(rankDocuments(scores), ["b", "d", "c", "a", "e"]);
  assert.throws(() => rankDocuments(new Map([["x", NaN]])), /NaN/);
});

Deno.test("rankDocuments: a long run of tied scores comes out by id descending whatever its order", () => {
  const ids = ["c", "a", "h", "e", "b", "g", "d", "f", "j", "i", "k"];
  const descending = [...ids].sort().reverse();
  for (const order of [ids, [...ids].sort(), descending]) {
    assert.deepEqual(rankDocuments(new Map(order.map((id) => [id, 0.5]))), descending);
  }
});

Deno.test("negative grades count as 0 (trec_eval): pytrec_eval's figures on a hand-made run", () => {
  // pytrec_eval 0.5 (trec_eval 9) on these qrels and run gave ndcg_cut_10 0.6433224083306327
  // and 0.6309297535714575, map 0.5 and 0.5, recip_rank 0.5 and 0.5, recall_100 1 and 1.
  // By hand for q1: dcg = 0 + 2/log2(3) + 0 + 1/log2(5), ideal = 2 + 1/log2(3).
  const qrels = new Map([
    ["q1", new Map([["d1", -1], ["d2", 2], ["d3", 0], ["d4", 1]])],
    ["q2", new Map([["a", -2], ["b", 1]])],
  ]);
  const run: Run = new Map([
    ["q1", new Map([["d1", 4], ["d2", 3], ["d3", 2], ["d4", 1]])],
    ["q2", new Map([["a", 2], ["b", 1]])],
  ]);
  const { perQuery } = evaluateRun(run, qrels, ["ndcg@10", "map", "mrr@10", "recall@100"]);
  close(perQuery.get("q1")!["ndcg@10"], 0.6433224083306327);
  close(perQuery.get("q2")!["ndcg@10"], 0.6309297535714575);
  close(
    perQuery.get("q1")!["ndcg@10"],
    (2 / Math.log2(3) + 1 / Math.log2(5)) / (2 + 1 / Math.log2(3)),
  );
  for (const query of ["q1", "q2"]) {
    assert.deepEqual(
      { ...perQuery.get(query)!, "ndcg@10": 0 },
      { "ndcg@10": 0, map: 0.5, "mrr@10": 0.5, "recall@100": 1 },
      query,
    );
  }
});

Deno.test("nDCG uses linear gains, log2 discount and the ideal ranking of all judgments", () => {
  // d3 (grade 0) at rank 1, d1 (2) at rank 2, an unjudged doc at rank 3, d2 (1) at rank 4.
  const ranking = ["d3", "d1", "unjudged", "d2"];
  const dcg = 2 / Math.log2(3) + 1 / Math.log2(5);
  const idealDcg = 2 / Math.log2(2) + 1 / Math.log2(3);
  close(ndcgAt(ranking, graded, 10), dcg / idealDcg);
  // The cut-off applies to the ideal ranking too.
  close(ndcgAt(ranking, graded, 2), (2 / Math.log2(3)) / idealDcg);
  close(ndcgAt(ranking, graded, 1), 0);
  close(ndcgAt(["d1", "d2"], graded, 10), 1);
  close(ndcgAt(["d1", "d2"], graded, 1), 1);
  // A relevant document the run never retrieved still counts in the ideal.
  close(ndcgAt(["d1"], graded, 10), 2 / idealDcg);
  // Judgments listed worst first: the ideal ranking must sort them (3, 2 at the top).
  const ascending = new Map([["w", 0], ["x", 1], ["y", 2], ["z", 3]]);
  close(ndcgAt(["y", "z"], ascending, 2), (2 + 3 / Math.log2(3)) / (3 + 2 / Math.log2(3)));
});

Deno.test("recall@k counts grade >= 1 as relevant and ignores unjudged and grade-0 documents", () => {
  const ranking = ["unjudged", "d2", "d3", "d1"];
  close(recallAt(ranking, graded, 1), 0);
  close(recallAt(ranking, graded, 2), 1 / 2);
  close(recallAt(ranking, graded, 3), 1 / 2);
  close(recallAt(ranking, graded, 100), 1);
});

Deno.test("reciprocal rank stops at the first relevant document inside the cut-off", () => {
  const ranking = ["unjudged", "d3", "d2", "d1"];
  close(reciprocalRankAt(ranking, graded, 10), 1 / 3);
  close(reciprocalRankAt(ranking, graded, 2), 0);
  close(reciprocalRankAt([], graded, 10), 0);
});

Deno.test("average precision averages precision at each relevant rank over all relevant", () => {
  const judged = new Map([["a", 1], ["b", 1], ["c", 3]]);
  close(averagePrecision(["a", "x", "b"], judged), (1 / 1 + 2 / 3) / 3);
  close(averagePrecision(["x", "c", "a", "b"], judged), (1 / 2 + 2 / 3 + 3 / 4) / 3);
  close(averagePrecision([], judged), 0);
});

Deno.test("a query judged only with grade 0 scores 0 on every measure", () => {
  const nothingRelevant = new Map([["a", 0], ["b", 0]]);
  close(ndcgAt(["a", "b"], nothingRelevant, 10), 0);
  close(recallAt(["a", "b"], nothingRelevant, 10), 0);
  close(reciprocalRankAt(["a", "b"], nothingRelevant, 10), 0);
  close(averagePrecision(["a", "b"], nothingRelevant), 0);
});

Deno.test("evaluateRun averages over judged queries: missing runs score 0, unjudged queries are ignored", () => {
  const qrels = new Map([
    ["q1", new Map([["a", 1]])],
    ["q2", new Map([["b", 1]])], // absent from the run: counts as 0
    ["q3", new Map([["c", 0]])], // no relevant document: counts as 0
  ]);
  const run: Run = new Map([
    ["q1", new Map([["a", 1], ["z", 1]])], // tie: "z" > "a" so "z" ranks first
    ["q3", new Map([["c", 5]])],
    ["q9", new Map([["a", 1]])], // not judged: ignored
  ]);
  const result = evaluateRun(run, qrels, ["ndcg@10", "mrr@10", "recall@1", "map"]);
  assert.equal(result.queries, 3);
  assert.deepEqual([...result.perQuery.keys()], ["q1", "q2", "q3"]);
  const q1 = result.perQuery.get("q1")!;
  close(q1["ndcg@10"], 1 / Math.log2(3));
  close(q1["mrr@10"], 1 / 2);
  close(q1["recall@1"], 0);
  close(q1.map, 1 / 2);
  assert.deepEqual(result.perQuery.get("q2"), { "ndcg@10": 0, "mrr@10": 0, "recall@1": 0, map: 0 });
  close(result.mean["ndcg@10"], 1 / Math.log2(3) / 3);
  close(result.mean["mrr@10"], 1 / 6);
  close(result.mean.map, 1 / 6);
});

Deno.test("evaluateRun rejects unknown measures and empty qrels", () => {
  const qrels = new Map([["q1", new Map([["a", 1]])]]);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => evaluateRun(new Map(), qrels, ["precision@5" as any]), /unknown measure/);
  assert.throws(() => evaluateRun(new Map(), qrels, ["ndcg@0"]), /bad cut-off/);
  assert.throws(() => evaluateRun(new Map(), new Map(), ["map"]), /no query/);
});
