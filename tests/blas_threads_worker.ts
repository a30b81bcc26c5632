/**
 * A test thread for blas_threads_test.ts: hammers OpenBLAS with threaded and one-thread
 * products (checking each against a reference), or reports when it got a process lock.
 */
/// <reference lib="deno.worker" />
import { openBlas } from "../lib/compute/openblas_ffi.ts";
import { ProcessLock } from "../lib/util/process_lock.ts";

/** What the test asks of the thread. */
export type Job = { products: number; size: number } | { lock: string; asking: SharedArrayBuffer };

/** `a · b` for square `size` matrices with known entries, and the expected corner value. */
function squareProduct(size: number) {
  const a = new Float32Array(size * size).fill(1);
  const b = new Float32Array(size * size).fill(0.5);
  return { a, b, c: new Float32Array(size * size), expected: size * 0.5 };
}

self.onmessage = ({ data }: MessageEvent<Job>) => {
  if ("lock" in data) {
    const lock = new ProcessLock(data.lock);
    Atomics.store(new Int32Array(data.asking), 0, 1);
    lock.shared(() => self.postMessage({ acquired: Date.now() }));
    return;
  }
  const blas = openBlas()!;
  let wrong = 0;
  for (let i = 0; i < data.products; i++) {
    // Every other product asks for every thread: owner-run sections interleave with one-thread ones.
    const size = i % 2 ? data.size : 8;
    const { a, b, c, expected } = squareProduct(size);
    blas.sgemm({ a, b, c, m: size, n: size, k: size, threads: i % 2 ? blas.limit : 1 });
    if (c[0] !== expected || c[c.length - 1] !== expected) wrong++;
  }
  self.postMessage({ wrong });
};
