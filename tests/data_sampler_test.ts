import assert from "node:assert/strict";
import { batchShares, planBatches } from "../lib/train/sampler.ts";

const SOURCES = [
  { name: "big", groups: Array.from({ length: 400 }, (_, i) => `g${i % 150}`) },
  { name: "small", groups: Array.from({ length: 100 }, (_, i) => `s${i}`) },
];

Deno.test("every batch comes from one source and never repeats a group", () => {
  const batches = planBatches(SOURCES, { batchSize: 16, seed: 1 });
  for (const batch of batches) {
    const source = SOURCES.find((s) => s.name === batch.source)!;
    const groups = batch.indices.map((i) => source.groups[i]);
    assert.equal(new Set(groups).size, groups.length);
    assert.equal(batch.indices.length, 16);
  }
});

Deno.test("batches per source are proportional to size; each record used at most once", () => {
  const batches = planBatches(SOURCES, { batchSize: 10, seed: 3, dropLast: false });
  for (const source of SOURCES) {
    const used = batches.filter((b) => b.source === source.name).flatMap((b) => b.indices).sort((
      a,
      b,
    ) => a - b);
    assert.deepEqual(used, source.groups.map((_, i) => i));
  }
  const full = planBatches(SOURCES, { batchSize: 10, seed: 3 });
  const big = full.filter((b) => b.source === "big").length;
  assert.equal(big + full.filter((b) => b.source === "small").length, full.length);
  // 400 and 100 records -> 40 and 10 full batches (groups of 'big' never exceed 3 records).
  assert.equal(big, 40);
  assert.equal(full.length, 50);
  assert.deepEqual(batchShares({ big: 400, small: 100 }), { big: 0.8, small: 0.2 });
});

Deno.test("the plan is a function of the seed, and sources are interleaved", () => {
  const a = planBatches(SOURCES, { batchSize: 8, seed: 5 });
  assert.deepEqual(planBatches(SOURCES, { batchSize: 8, seed: 5 }), a);
  assert.notDeepEqual(planBatches(SOURCES, { batchSize: 8, seed: 6 }), a);
  const firstHalf = a.slice(0, a.length / 2).filter((b) => b.source === "small").length;
  assert.ok(firstHalf > 0 && firstHalf < 12, `small batches spread over the epoch (${firstHalf})`);
  assert.throws(
    () => planBatches(SOURCES, { batchSize: 0, seed: 1 }),
    /batchSize must be a positive integer/,
  );
});
