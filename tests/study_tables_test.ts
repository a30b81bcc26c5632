import assert from "node:assert/strict";
import { backboneLabel } from "../lib/phases/backbone.ts";
import { SMALL } from "../lib/phases/profiles.ts";
import type { ScoredCheckpoint, StudyRun } from "../lib/study/study.ts";
import { setupCostTable } from "../lib/study/tables.ts";

/** A checkpoint that only has the provenance the cost table reads. */
function trained(steps: number, tokens: number, wallSeconds: number): ScoredCheckpoint {
  return { provenance: { steps, tokens, wallSeconds, flops: 3 * tokens } } as ScoredCheckpoint;
}

Deno.test("setup and cost table: queries, rates and core-hours from each phase's provenance", () => {
  const stages = [trained(80, 8000, 40), trained(30, 3000, 10), trained(30, 1500, 5)];
  const run = {
    profile: "small",
    settings: SMALL,
    cores: 2,
    backend: "wasm",
    backbone: { ...trained(0, 0, 0), label: backboneLabel("backbone", SMALL.backbone) },
    teacher: trained(600, 6000, 120),
    pipelines: [{ id: "c", name: "(c)", seed: 1, stages }],
  } as unknown as StudyRun;
  const table = setupCostTable(run);
  const rows = Object.fromEntries(table.rows.map((row) => [row.cells.phase, row.cells]));
  assert.deepEqual(Object.keys(rows), [
    "backbone (random initialisation)",
    "unsupervised contrastive",
    "supervised contrastive",
    "teacher (cross-encoder)",
    "knowledge distillation",
  ]);
  const unsupervised = rows["unsupervised contrastive"];
  assert.equal(unsupervised.queries, 80 * SMALL.unsupervised.batchSize);
  assert.equal(unsupervised.rate, 200);
  assert.equal(unsupervised.coreHours, (40 / 3600) * 2);
  assert.equal(unsupervised.paperBatch, 16384);
  assert.equal(rows["teacher (cross-encoder)"].rate, 50);
  assert.equal(rows["backbone (random initialisation)"].rate, null, "no rate without time");
});
