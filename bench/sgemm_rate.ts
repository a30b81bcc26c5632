/**
 * The machine's matrix ceiling: OpenBLAS sgemm on square matrices, the largest rate any
 * path of the suite can reach here. Best of several runs, since other processes share
 * the cores.
 */
import type { OpenBlas } from "../lib/compute/openblas_ffi.ts";

/** How to measure {@link sgemmGflops}. */
export interface SgemmRateOptions {
  /** Side of the square matrices (2,048: large enough to reach the plateau). */
  size?: number;
  /** OpenBLAS threads (default: its own choice, every core). */
  threads?: number;
  /** Timed runs; the best one counts. */
  runs?: number;
}

/** GFLOP/s of the best of `runs` sgemms of `size` x `size` matrices. */
export function sgemmGflops(blas: OpenBlas, options: SgemmRateOptions = {}): number {
  const { size = 2048, runs = 5 } = options;
  const previous = blas.threads();
  if (options.threads) blas.setThreads(options.threads);
  const a = new Float32Array(size * size).map((_, i) => (i % 13) / 13 - 0.5);
  const c = new Float32Array(size * size);
  let best = Infinity;
  try {
    blas.sgemm({ a, b: a, c, m: size, n: size, k: size }); // warm-up: threads, caches
    for (let run = 0; run < runs; run++) {
      const start = performance.now();
      blas.sgemm({ a, b: a, c, m: size, n: size, k: size });
      best = Math.min(best, (performance.now() - start) / 1000);
    }
  } finally {
    blas.setThreads(previous);
  }
  return (2 * size ** 3) / best / 1e9;
}
