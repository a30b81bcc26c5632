/**
 * Parity of lib/retrieval/metrics.ts with trec_eval: the fixture holds a TF-IDF run on CISI and the
 * per-query figures pytrec_eval gave for it (scripts/reference/make_fixtures.py). mrr@10
 * here is pytrec_eval's recip_rank on the run cut to its top 10, which is what mrr@10 on
 * the whole run means.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { evaluateRun, type Measure } from "../lib/retrieval/metrics.ts";
import { readSmart } from "../lib/datasets/smart.ts";
import { readTrecRun } from "../lib/retrieval/trec_run.ts";
import { CISI, hasCisi } from "./cisi.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/reference/", import.meta.url));
const MEASURES: Measure[] = ["ndcg@10", "recall@100", "mrr@10", "map"];
const TOLERANCE = 1e-6;

type TrecEvalFixture = {
  queries: number;
  mean: Record<string, number>;
  per_query: Record<string, Record<string, number>>;
};

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= TOLERANCE, `${what}: ${actual}, trec_eval ${expected}`);
}

Deno.test({
  name: "evaluateRun matches pytrec_eval on every CISI query for ndcg@10, recall@100, mrr@10, map",
  ignore: !hasCisi,
  async fn() {
    const { qrels } = await readSmart(CISI);
    const run = await readTrecRun(join(FIXTURES, "cisi.run"));
    const expected: TrecEvalFixture = JSON.parse(
      await Deno.readTextFile(join(FIXTURES, "cisi_trec_eval.json")),
    );
    const evaluation = evaluateRun(run, qrels, MEASURES);
    assert.equal(evaluation.queries, expected.queries);
    assert.deepEqual(
      [...evaluation.perQuery.keys()].sort(),
      Object.keys(expected.per_query).sort(),
    );
    for (const [queryId, values] of evaluation.perQuery) {
      for (const measure of MEASURES) {
        assertClose(
          values[measure],
          expected.per_query[queryId][measure],
          `${measure} of ${queryId}`,
        );
      }
    }
    for (const measure of MEASURES) {
      assertClose(evaluation.mean[measure], expected.mean[measure], `mean ${measure}`);
    }
  },
});
