/**
 * The progress line of long work: phase, step, loss, throughput and time left, printed
 * at most every few seconds so notebooks and logs stay readable.
 */

/** One progress observation. */
export interface ProgressUpdate {
  phase: string;
  step: number;
  total: number;
  loss: number;
  tokensPerSecond: number;
  secondsLeft: number;
}

/** Format an update as one line: `unsupervised | step 40/200 | loss 1.2345 | ...`. */
export function formatProgress(u: ProgressUpdate): string {
  return [
    u.phase,
    `step ${u.step}/${u.total}`,
    `loss ${u.loss.toFixed(4)}`,
    `${Math.round(u.tokensPerSecond).toLocaleString("en-US")} tok/s`,
    `${formatDuration(u.secondsLeft)} left`,
  ].join(" | ");
}

/** `75` -> `1m15s`, `3700` -> `1h01m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Calls `print` with a formatted line when at least `intervalMs` passed, or on the last step. */
export function throttledPrinter(
  print: (line: string) => void = console.log,
  intervalMs = 5000,
): (u: ProgressUpdate) => void {
  let last = -Infinity;
  return (u) => {
    const now = performance.now();
    if (now - last < intervalMs && u.step < u.total) return;
    last = now;
    print(formatProgress(u));
  };
}
