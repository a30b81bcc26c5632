/**
 * Smoothing a noisy training curve for a figure: an exponential moving average with
 * TensorBoard's bias correction, so the first points are not pulled towards zero.
 *
 * @example
 * emaSmooth([4, 2, 3, 1], smoothingSpan(4)); // the curve a reader sees in bold
 */

/**
 * The span of a curve of `points` points: about a twentieth of it, but at least 5 (a 30-step
 * KD phase is as noisy per step as a long one); a curve under 10 points is drawn as it is.
 */
export function smoothingSpan(points: number): number {
  return points < 10 ? 1 : Math.max(5, Math.round(points / 20));
}

/**
 * The bias-corrected exponential moving average of `values` with span `span` (weight
 * 2 / (span + 1) on the newest value, as pandas' `ewm(span=...)`): the average of the
 * points seen so far, weighted towards the recent ones. A span of 1 returns `values`.
 */
export function emaSmooth(values: readonly number[], span: number): number[] {
  if (!(span >= 1)) throw new Error(`emaSmooth: span must be at least 1, got ${span}`);
  const keep = 1 - 2 / (span + 1);
  let average = 0;
  let weight = 0;
  return values.map((value) => {
    average = keep * average + (1 - keep) * value;
    weight = keep * weight + (1 - keep);
    return average / weight;
  });
}
