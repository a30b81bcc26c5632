import assert from "node:assert/strict";
import type { Provenance } from "../lib/phases/phase.ts";
import { kdDatasetSummary, lossEnds, phaseSummary } from "../lib/study/phase_report.ts";

const provenance = {
  label: "unsupervised",
  profile: "tiny",
  backend: "cpu",
  seed: 1,
  steps: 10,
  tokens: 1000,
  wallSeconds: 2,
  flops: 3e9,
} as Provenance;

function logOf(losses: number[]) {
  return {
    steps: losses.map((loss, i) => ({ step: i + 1, loss, lr: 1e-3, gradNorm: 1 })),
    validation: [{ step: losses.length, metrics: { "dev/ndcg@10": 0.25 } }],
    tokens: 1000,
    seconds: 2,
  };
}

Deno.test("phase summary: smoothed loss trend by hand, dev score, and an untrained phase", () => {
  const log = logOf([4, 4, 4, 4, 4, 2, 2, 2, 2, 1]);
  assert.deepEqual(lossEnds(log), { first: 4, last: 1.8 });
  const summary = phaseSummary({ key: "k1", log, provenance });
  assert.match(
    summary,
    /loss \(mean of the first and last steps\): 4\.0000 -> 1\.8000 \(down 55\.0%\)/,
  );
  assert.match(summary, /dev nDCG@10 at the last validation: 25\.00/);
  const untrained = phaseSummary({
    key: "k0",
    log: { steps: [], validation: [], tokens: 0, seconds: 0 },
    provenance: { ...provenance, steps: 0, tokens: 0, wallSeconds: 0, flops: 0 },
  });
  assert.match(untrained, /not trained: these are the initial weights/);
  assert.doesNotMatch(untrained, /NaN/);
});

Deno.test("kdDatasetSummary prints the teacher's fractions as percentages, once", () => {
  const summary = kdDatasetSummary({
    key: "kd1",
    records: [{
      queryId: "q1",
      query: "q",
      documentIds: Array.from({ length: 32 }, (_, i) => `d${i}`),
      scores: [],
    }],
    quality: { queries: 480, positiveTop: 0.379, mrr: 0.441, firstStageRecall: 0.369 },
  });
  assert.match(summary, /480 queries x 32 candidates/);
  assert.match(summary, /positive for 36\.9% of\nqueries/);
  assert.match(
    summary,
    /first for\n37\.9% of queries \(a random order: 3\.1%\),\nMRR of the positive 0\.441/,
  );
});
