import assert from "node:assert/strict";
import type { Queries } from "../lib/datasets/beir.ts";
import { evaluateRetriever, type Retriever } from "../lib/retrieval/evaluate.ts";
import type { Run } from "../lib/retrieval/metrics.ts";

const dataset = {
  name: "tiny",
  corpus: new Map([["d1", { title: "", text: "a" }], ["d2", { title: "", text: "b" }]]),
  queries: new Map([["q1", "a"], ["q2", "b"], ["unjudged", "c"]]),
  qrels: new Map([["q1", new Map([["d1", 1]])], ["q2", new Map([["d2", 2]])]]),
};

/** Returns a fixed run and records what it was asked. */
function fixedRetriever(run: Run) {
  const calls: { queries: Queries; k: number }[] = [];
  const retriever: Retriever = {
    name: "fixed",
    search(queries, k) {
      calls.push({ queries, k });
      return Promise.resolve(run);
    },
  };
  return { retriever, calls };
}

Deno.test("evaluateRetriever searches only judged queries and reports means and per-query values", async () => {
  const { retriever, calls } = fixedRetriever(
    new Map([
      ["q1", new Map([["d1", 3], ["d2", 1]])], // relevant first: every metric 1
      ["q2", new Map([["d1", 3], ["d2", 1]])], // relevant second
    ]),
  );
  const result = await evaluateRetriever(dataset, retriever, { k: 7 });
  assert.equal(calls.length, 1);
  assert.equal(calls[0].k, 7);
  assert.deepEqual(calls[0].queries, new Map([["q1", "a"], ["q2", "b"]]));
  assert.equal(result.queries, 2);
  assert.equal(result["recall@100"], 1);
  assert.equal(result["mrr@10"], (1 + 1 / 2) / 2);
  assert.equal(result.map, (1 + 1 / 2) / 2);
  assert.equal(result["ndcg@10"], (1 + 1 / Math.log2(3)) / 2);
  assert.deepEqual(result.perQuery.get("q1"), {
    "ndcg@10": 1,
    "recall@100": 1,
    "mrr@10": 1,
    map: 1,
  });
});

Deno.test("evaluateRetriever rejects a judged query without text, and a dataset judging nothing", async () => {
  const empty = { ...dataset, qrels: new Map() };
  await assert.rejects(
    evaluateRetriever(empty, fixedRetriever(new Map()).retriever),
    /tiny: no judged query/,
  );
  const broken = { ...dataset, queries: new Map([["q1", "a"]]) };
  await assert.rejects(
    evaluateRetriever(broken, fixedRetriever(new Map()).retriever),
    /"q2" has no text/,
  );
});
