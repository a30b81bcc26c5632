/**
 * Paired significance over queries: is system A better than system B on the same queries,
 * or is the difference inside the noise of which queries happened to be asked?
 *
 * - Randomisation test (sign flips): under "A and B are exchangeable" each query's
 *   difference d_i = a_i - b_i is as likely to be -d_i, so the observed mean difference is
 *   compared with the means of all (or, above `log2(resamples)` queries, `resamples` random)
 *   sign patterns. Two-sided: p = share of patterns with |statistic| >= |observed|. The
 *   random version counts the observed pattern too, p = (1 + hits) / (1 + resamples), so
 *   p is never 0 (Phipson & Smyth 2010).
 * - Paired bootstrap: queries are resampled with replacement, A and B together, and the
 *   interval is the percentile interval (linear interpolation between order statistics)
 *   of the resampled statistic.
 * - Several datasets: the statistic is the MACRO mean, the mean over datasets of each
 *   dataset's mean, i.e. the difference of the BEIR-style averages the paper reports, so a
 *   dataset with 2,000 queries does not outweigh one with 75. Accordingly the bootstrap
 *   resamples within each dataset (stratified) and the sign flips are per query, each
 *   query weighted 1 / (datasets x its dataset's queries). One dataset is the plain case.
 *
 * Seeds: average each query's score over the seeds of a system first (`averageOverSeeds`),
 * then compare: the test is over queries; the spread over seeds is reported beside it
 * (`meanAndSpread`).
 *
 * @example
 * // differences 1, 2, 3, 4: only "all +" and "all -" reach |mean| >= 2.5 among 2^4 patterns
 * const a = new Map([["q1", 1], ["q2", 2], ["q3", 3], ["q4", 4]]);
 * const b = new Map([["q1", 0], ["q2", 0], ["q3", 0], ["q4", 0]]);
 * comparePaired(new Map([["toy", a]]), new Map([["toy", b]])).pValue; // 2 / 16 = 0.125
 */
import { hashString, seededRandom } from "../util/random.ts";
import { mean, quantile } from "../util/summary.ts";

/** One system's score (e.g. nDCG@10) by query id. */
export type QueryScores = Map<string, number>;
/** One system's per-query scores on every evaluation dataset, by dataset name. */
export type DatasetScores = Map<string, QueryScores>;

/** Resampling settings shared by the test and the interval. */
export interface ResamplingOptions {
  /** Random sign patterns and bootstrap samples (default 10,000). */
  resamples?: number;
  /** Seed of the resampling; the same seed gives the same p-value and interval. */
  seed?: number;
  /** Coverage of the bootstrap intervals (default 0.95). */
  confidence?: number;
}

/** A paired comparison of A against B on the same queries (differences are A - B). */
export interface PairedComparison {
  /** Macro means (average over datasets of per-dataset means). */
  meanA: number;
  meanB: number;
  difference: number;
  /** Bootstrap percentile interval of `difference`. */
  differenceInterval: [number, number];
  /** Two-sided sign-flip p-value of `difference`. */
  pValue: number;
  /** True when every sign pattern was enumerated (few queries), so pValue is exact. */
  exact: boolean;
  /** meanA / meanB and its bootstrap interval; null when meanB is 0 (scores are >= 0). */
  ratio: number | null;
  ratioInterval: [number, number] | null;
  queries: number;
  datasets: number;
  resamples: number;
  confidence: number;
}

/** Mean, sample standard deviation (n - 1; null for a single value) and count. */
export interface MeanSpread {
  mean: number;
  std: number | null;
  n: number;
}

/** Mean and sample standard deviation of one value per seed. */
export function meanAndSpread(values: readonly number[]): MeanSpread {
  if (values.length === 0) throw new Error("meanAndSpread: no values");
  if (values.some((v) => !Number.isFinite(v))) {
    throw new Error(`meanAndSpread: non-finite value in [${values.join(", ")}]`);
  }
  const n = values.length;
  const average = mean(values);
  if (n === 1) return { mean: average, std: null, n };
  const squares = values.reduce((sum, v) => sum + (v - average) ** 2, 0);
  return { mean: average, std: Math.sqrt(squares / (n - 1)), n };
}

/** Each query's score averaged over the runs of several seeds (same datasets and queries). */
export function averageOverSeeds(runs: readonly DatasetScores[]): DatasetScores {
  if (runs.length === 0) throw new Error("averageOverSeeds: no runs");
  for (const [seed, run] of runs.entries()) {
    if (run.size !== runs[0].size) {
      throw new Error(`averageOverSeeds: seed ${seed}: other datasets`);
    }
  }
  const average: DatasetScores = new Map();
  for (const [dataset, first] of runs[0]) {
    const queryIds = [...first.keys()];
    const columns = runs.map((run, seed) => alignedScores(run, dataset, queryIds, `seed ${seed}`));
    average.set(
      dataset,
      new Map(queryIds.map((id, i) => [id, mean(columns.map((column) => column[i]))])),
    );
  }
  return average;
}

/** Compare A with B on the same datasets and queries: difference, p-value and intervals. */
export function comparePaired(
  a: DatasetScores,
  b: DatasetScores,
  options: ResamplingOptions = {},
): PairedComparison {
  const { resamples = 10_000, seed = 0, confidence = 0.95 } = options;
  if (!(Number.isInteger(resamples) && resamples > 0)) {
    throw new Error(`comparePaired: resamples must be a positive integer, got ${resamples}`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new Error(`comparePaired: confidence must be in (0, 1), got ${confidence}`);
  }
  if (a.size === 0) throw new Error("comparePaired: no dataset");
  if (b.size !== a.size) throw new Error("comparePaired: A and B cover different datasets");
  // Sorted ids make the result independent of the order in which the maps were filled.
  const datasets = [...a.keys()].sort();
  const strataA: number[][] = [];
  const strataB: number[][] = [];
  for (const dataset of datasets) {
    const queryIds = [...a.get(dataset)!.keys()].sort();
    if (queryIds.length === 0) throw new Error(`comparePaired: dataset "${dataset}" is empty`);
    strataA.push(alignedScores(a, dataset, queryIds, "A"));
    strataB.push(alignedScores(b, dataset, queryIds, "B"));
  }
  const differences = strataA.map((s, k) => s.map((v, i) => v - strataB[k][i]));
  const meanA = macroMean(strataA);
  const meanB = macroMean(strataB);
  const { pValue, exact } = signFlipTest(differences, resamples, seed);
  const intervals = bootstrapIntervals(strataA, strataB, { resamples, seed, confidence });
  return {
    meanA,
    meanB,
    difference: meanA - meanB,
    differenceInterval: intervals.difference,
    pValue,
    exact,
    ratio: meanB > 0 ? meanA / meanB : null,
    ratioInterval: meanB > 0 ? intervals.ratio : null,
    queries: differences.reduce((sum, s) => sum + s.length, 0),
    datasets: datasets.length,
    resamples,
    confidence,
  };
}

/** Mean over strata of each stratum's mean (the paper's average over datasets). */
function macroMean(strata: readonly number[][]): number {
  return mean(strata.map(mean));
}

/** The scores of `queryIds` in `scores[dataset]`, in that order; throws on any mismatch. */
function alignedScores(
  scores: DatasetScores,
  dataset: string,
  queryIds: readonly string[],
  label: string,
): number[] {
  const byQuery = scores.get(dataset);
  if (byQuery === undefined) throw new Error(`${label}: no scores for dataset "${dataset}"`);
  if (byQuery.size !== queryIds.length) {
    const extra = [...byQuery.keys()].filter((id) => !queryIds.includes(id)).slice(0, 3);
    throw new Error(
      `${label}: dataset "${dataset}" has ${byQuery.size} queries, expected ${queryIds.length}` +
        (extra.length > 0 ? ` (unexpected: ${extra.join(", ")})` : ""),
    );
  }
  return queryIds.map((id) => {
    const value = byQuery.get(id);
    if (value === undefined) throw new Error(`${label}: dataset "${dataset}" lacks query "${id}"`);
    if (!Number.isFinite(value)) {
      throw new Error(`${label}: dataset "${dataset}" query "${id}" has score ${value}`);
    }
    return value;
  });
}

/** Two-sided sign-flip p-value of the macro-mean difference; exact when 2^n <= resamples. */
function signFlipTest(
  differences: readonly number[][],
  resamples: number,
  seed: number,
): { pValue: number; exact: boolean } {
  // Query i's weight in the macro mean: 1 / (datasets x queries of its dataset).
  const weighted = differences.flatMap((s) => s.map((d) => d / (s.length * differences.length)));
  const observed = Math.abs(weighted.reduce((sum, v) => sum + v, 0));
  // Sums of the same terms in another order differ in the last bits: count ties as hits.
  const threshold = observed - 1e-12 * weighted.reduce((sum, v) => sum + Math.abs(v), 0);
  const n = weighted.length;
  const flippedSum = (sign: (i: number) => number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sign(i) * weighted[i];
    return Math.abs(sum);
  };
  if (n <= Math.floor(Math.log2(resamples))) {
    let hits = 0;
    for (let mask = 0; mask < 2 ** n; mask++) {
      if (flippedSum((i) => (mask >> i) & 1 ? -1 : 1) >= threshold) hits++;
    }
    return { pValue: hits / 2 ** n, exact: true };
  }
  const random = seededRandom(hashString("sign flips", seed));
  let hits = 0;
  for (let r = 0; r < resamples; r++) {
    if (flippedSum(() => random() < 0.5 ? -1 : 1) >= threshold) hits++;
  }
  return { pValue: (1 + hits) / (1 + resamples), exact: false };
}

/** Stratified paired bootstrap of the macro-mean difference A - B and ratio A / B. */
function bootstrapIntervals(
  strataA: readonly number[][],
  strataB: readonly number[][],
  options: Required<ResamplingOptions>,
): { difference: [number, number]; ratio: [number, number] } {
  const { resamples, seed, confidence } = options;
  const random = seededRandom(hashString("bootstrap", seed));
  const differences = new Float64Array(resamples);
  const ratios = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let meanA = 0;
    let meanB = 0;
    for (let k = 0; k < strataA.length; k++) {
      const n = strataA[k].length;
      let sumA = 0;
      let sumB = 0;
      for (let j = 0; j < n; j++) {
        const i = Math.floor(random() * n);
        sumA += strataA[k][i];
        sumB += strataB[k][i];
      }
      meanA += sumA / n / strataA.length;
      meanB += sumB / n / strataA.length;
    }
    differences[r] = meanA - meanB;
    // A sample where B scores 0 everywhere: A / 0 is unbounded, 0 / 0 counts as parity.
    ratios[r] = meanB > 0 ? meanA / meanB : meanA > 0 ? Infinity : 1;
  }
  const tail = (1 - confidence) / 2;
  const interval = (values: Float64Array): [number, number] => {
    values.sort();
    return [quantile(values, tail), quantile(values, 1 - tail)];
  };
  return { difference: interval(differences), ratio: interval(ratios) };
}
