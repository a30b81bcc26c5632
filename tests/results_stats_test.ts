import assert from "node:assert/strict";
import {
  averageOverSeeds,
  comparePaired,
  type DatasetScores,
  meanAndSpread,
} from "../lib/results/stats.ts";
import { seededRandom } from "../lib/util/random.ts";

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} != ${expected}`);

/** Scores of one system: dataset name -> its per-query values (query ids q0, q1, ...). */
function scores(datasets: Record<string, number[]>): DatasetScores {
  return new Map(
    Object.entries(datasets).map((
      [name, values],
    ) => [name, new Map(values.map((v, i) => [`q${i}`, v]))]),
  );
}

/** Exact two-sided sign-flip p-value of the plain mean, by enumerating all 2^n patterns. */
function bruteForcePValue(differences: number[]): number {
  const observed = Math.abs(differences.reduce((s, d) => s + d, 0));
  let hits = 0;
  for (let mask = 0; mask < 2 ** differences.length; mask++) {
    let sum = 0;
    for (let i = 0; i < differences.length; i++) sum += (mask & (1 << i) ? -1 : 1) * differences[i];
    if (Math.abs(sum) >= observed - 1e-9) hits++;
  }
  return hits / 2 ** differences.length;
}

Deno.test("sign flips over 4 queries enumerate the 16 patterns exactly (hand-computed)", () => {
  // Differences 1, 2, 3, 4: only all-plus and all-minus reach |sum| >= 10: p = 2/16.
  const first = comparePaired(scores({ toy: [1, 2, 3, 4] }), scores({ toy: [0, 0, 0, 0] }));
  assert.equal(first.exact, true);
  close(first.pValue, 2 / 16);
  close(first.difference, 2.5);
  // Differences 3, 1, 1, -1 (sum 4): the sums +-3 +-1 +-1 +-1 are 6, 4 (x3), 2 (x3), 0 and
  // their negatives; |sum| >= 4 in 1 + 3 + 3 + 1 = 8 of 16 patterns.
  const second = comparePaired(scores({ toy: [3, 1, 1, 0] }), scores({ toy: [0, 0, 0, 1] }));
  close(second.pValue, 8 / 16);
});

Deno.test("several datasets: the statistic is the mean of per-dataset means (hand-computed)", () => {
  // X: difference 1 (one query). Y: differences 3, -1. Macro weights 1/2, 1/4, 1/4 give
  // terms 0.5, 0.75, -0.25 (observed 1.0); |+-0.5 +-0.75 +-0.25| >= 1 in 4 of 8 patterns.
  // Pooling the three queries instead (terms 1, 3, -1) would give 6 of 8.
  const a = scores({ X: [1], Y: [3, 0] });
  const b = scores({ X: [0], Y: [0, 1] });
  const result = comparePaired(a, b);
  close(result.meanA, (1 + 1.5) / 2);
  close(result.meanB, (0 + 0.5) / 2);
  close(result.difference, 1);
  close(result.pValue, 4 / 8);
  assert.equal(result.queries, 3);
  assert.equal(result.datasets, 2);
  close(bruteForcePValue([1, 3, -1]), 6 / 8); // the pooled alternative, for contrast
});

Deno.test("identical systems give p = 1 and a zero interval, exact or sampled", () => {
  const random = seededRandom(3);
  for (const n of [5, 60]) {
    const same = scores({ d: Array.from({ length: n }, () => random()) });
    const result = comparePaired(same, same, { resamples: 2000 });
    assert.equal(result.exact, n <= 10);
    assert.equal(result.pValue, 1);
    assert.deepEqual(result.differenceInterval, [0, 0]);
    assert.deepEqual(result.ratioInterval, [1, 1]);
  }
});

Deno.test("a large consistent difference gives the smallest possible p", () => {
  const random = seededRandom(5);
  const b = Array.from({ length: 200 }, () => random() * 0.5);
  const a = b.map((v) => v + 0.1 + 0.01 * random());
  const result = comparePaired(scores({ d: a }), scores({ d: b }));
  assert.equal(result.exact, false);
  close(result.pValue, 1 / 10_001);
  assert.ok(result.differenceInterval[0] > 0.1 && result.differenceInterval[1] < 0.11);
});

Deno.test("sampled sign flips agree with the exact enumeration (14 queries, 2^14 patterns)", () => {
  const random = seededRandom(11);
  const differences = Array.from({ length: 14 }, () => random() - 0.45);
  const result = comparePaired(scores({ d: differences }), scores({ d: differences.map(() => 0) }));
  assert.equal(result.exact, false);
  const exact = bruteForcePValue(differences);
  // 10,000 samples: standard error <= 0.005.
  assert.ok(Math.abs(result.pValue - exact) < 0.02, `${result.pValue} vs exact ${exact}`);
  assert.ok(exact > 0.01 && exact < 0.99, `choose a case with a non-trivial p (${exact})`);
});

Deno.test("bootstrap intervals: hand-computed small cases and the normal approximation", () => {
  // Constant differences per dataset: resampling within datasets cannot move the macro mean.
  const constant = comparePaired(
    scores({ X: [3, 2, 5], Y: [1, 1] }),
    scores({ X: [2, 1, 4], Y: [0, 0] }),
  );
  close(constant.differenceInterval[0], 1, 1e-12);
  close(constant.differenceInterval[1], 1, 1e-12);
  // A = 2 B on every query: the ratio is 2 in every sample.
  const double = comparePaired(scores({ d: [0.2, 0.4, 0.6] }), scores({ d: [0.1, 0.2, 0.3] }));
  close(double.ratio!, 2);
  close(double.ratioInterval![0], 2);
  close(double.ratioInterval![1], 2);
  // Two queries with differences 0 and 1: the resampled mean is 0, 0.5, 1 with 1/4, 1/2, 1/4,
  // so the 2.5% and 97.5% quantiles are 0 and 1.
  assert.deepEqual(comparePaired(scores({ d: [0, 1] }), scores({ d: [0, 0] })).differenceInterval, [
    0,
    1,
  ]);
  // Many queries: the 95% interval is about mean +- 1.96 sd / sqrt(n).
  const random = seededRandom(7);
  const d = Array.from({ length: 400 }, () => random() - 0.4);
  const wide = comparePaired(scores({ d }), scores({ d: d.map(() => 0) }), { resamples: 4000 });
  const sd = meanAndSpread(d).std!;
  const halfWidth = (wide.differenceInterval[1] - wide.differenceInterval[0]) / 2;
  close(halfWidth, (1.96 * sd) / Math.sqrt(400), 0.1 * halfWidth);
  assert.ok(
    wide.differenceInterval[0] < wide.difference && wide.difference < wide.differenceInterval[1],
  );
});

Deno.test("results are deterministic per seed and independent of map insertion order", () => {
  const random = seededRandom(13);
  const values = Array.from({ length: 40 }, () => random());
  const a = scores({ d: values });
  const b = scores({ d: values.map((v) => v + 0.2 * (random() - 0.45)) });
  const reversed: DatasetScores = new Map([["d", new Map([...a.get("d")!].reverse())]]);
  const once = comparePaired(a, b, { seed: 1 });
  assert.deepEqual(comparePaired(reversed, b, { seed: 1 }), once);
  const other = comparePaired(a, b, { seed: 2 });
  assert.notDeepEqual(other.differenceInterval, once.differenceInterval);
  assert.notEqual(other.pValue, once.pValue);
  close(other.difference, once.difference);
});

Deno.test("mismatched queries or datasets are errors naming them", () => {
  const a = scores({ d: [1, 2] });
  assert.throws(
    () => comparePaired(a, scores({ d: [1] })),
    /dataset "d" has 1 queries, expected 2/,
  );
  assert.throws(() => comparePaired(a, scores({ e: [1, 2] })), /no scores for dataset "d"/);
  const renamed = new Map([["d", new Map([["q0", 1], ["x9", 2]])]]);
  assert.throws(() => comparePaired(a, renamed), /lacks query "q1"/);
  assert.throws(() => comparePaired(a, scores({ d: [1, NaN] })), /query "q1" has score NaN/);
  assert.throws(() => comparePaired(a, a, { confidence: 95 }), /confidence/);
});

Deno.test("mean and sample spread over seeds; per-query averages over seeds", () => {
  const summary = meanAndSpread([1, 2, 3, 4]);
  close(summary.mean, 2.5);
  close(summary.std!, Math.sqrt(5 / 3));
  assert.deepEqual(meanAndSpread([0.4]), { mean: 0.4, std: null, n: 1 });
  assert.throws(() => meanAndSpread([1, NaN]), /non-finite/);
  const averaged = averageOverSeeds([
    scores({ d: [1, 0] }),
    scores({ d: [0, 0] }),
    scores({ d: [2, 3] }),
  ]);
  assert.deepEqual([...averaged.get("d")!], [["q0", 1], ["q1", 1]]);
  assert.throws(() => averageOverSeeds([scores({ d: [1] }), scores({ e: [1] })]), /seed 1/);
});
