/**
 * Summary statistics, the one `mean` and the one `quantile` of the suite (result tables,
 * significance intervals, data cards, validation and reports all use these).
 *
 * Written here rather than taken from a statistics package: the study's numbers depend on
 * the exact floating-point sum (a left-to-right sum from 0, as `reduce` gave before), and
 * the common packages either sum with compensation (simple-statistics) or define the
 * quantile another way.
 *
 * @example
 * mean([1, 2, 6]); // 3
 * quantile([1, 2, 3, 4], 0.5); // 2.5 (numpy.quantile's default, "linear")
 */

/** Sum, left to right from 0 (0 for no values). */
export function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

/** Arithmetic mean, summed left to right from 0; throws on no values (a mean of nothing). */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) throw new Error("mean: no values");
  return sum(values) / values.length;
}

/**
 * Quantile `q` (0 to 1) of `sorted` (ascending), by numpy's default definition ("linear",
 * Hyndman & Fan type 7): position q * (n - 1), interpolating linearly between the order
 * statistics on either side. Throws on no values or a q outside [0, 1].
 */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new Error("quantile: no values");
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be in [0, 1], got ${q}`);
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  if (sorted[low] === sorted[high]) return sorted[low]; // also avoids Infinity - Infinity
  return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
}
