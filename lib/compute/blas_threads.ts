/**
 * The one owner of OpenBLAS's thread count.
 *
 * The count is process-wide (every Deno thread calls the same library), and OpenBLAS can
 * deadlock when it changes while another thread is inside a threaded sgemm: two test files
 * under `deno test --parallel` did, each setting the count around its own products. So here
 * the count rests at 1; a product that wants more threads raises it, runs and lowers it
 * again inside an exclusive section of a process-wide lock (process_lock.ts), and every
 * one-thread product runs inside a shared section. Nothing can change the count while a
 * threaded product runs, and a threaded product waits until no one-thread product runs.
 *
 * Without the lock (no write access to the temporary folder) the count stays at 1 for good.
 */
import { ProcessLock } from "../util/process_lock.ts";

/** What the owner needs of a loaded OpenBLAS. */
export interface ThreadCountSymbols {
  openblas_set_num_threads(count: number): void;
  openblas_get_num_threads(): number;
}

/** Runs products at a chosen thread count, safely beside every other thread of the process. */
export interface ThreadCountOwner {
  /** The most threads a product may use: OpenBLAS's count when this process first loaded it. */
  readonly limit: number;
  /** Run `work` (which calls sgemm) with OpenBLAS at `threads`, clamped to 1..limit. */
  run<T>(threads: number, work: () => T): T;
}

// Nested runs (a kernel that calls sgemm per batch item) take the lock once, at the outside.
let depth = 0;

/** The owner of `symbols`' thread count, for the library file `path`. */
export function ownThreadCount(symbols: ThreadCountSymbols, path: string): ThreadCountOwner {
  let lock: ProcessLock;
  try {
    lock = new ProcessLock(`openblas-${path}`);
  } catch {
    symbols.openblas_set_num_threads(1);
    return { limit: 1, run: (_threads, work) => work() };
  }
  const limit = lock.exclusive((text) => {
    const count = symbols.openblas_get_num_threads();
    const known = Number(text.read());
    // The first thread here remembers OpenBLAS's own count as the limit.
    if (!(known >= 1)) text.write(String(Math.max(1, count)));
    // A fresh load starts at OpenBLAS's own count: the first one, and also one after every
    // thread that had the library open ended (a test file's isolate does), which unloads it.
    if (count !== 1) symbols.openblas_set_num_threads(1);
    return known >= 1 ? known : Math.max(1, count);
  });
  return {
    limit,
    run(threads, work) {
      if (depth > 0) return work();
      const count = Math.min(limit, Math.max(1, Math.floor(threads)));
      depth++;
      try {
        if (count === 1) return lock.shared(work);
        return lock.exclusive(() => {
          symbols.openblas_set_num_threads(count);
          try {
            return work();
          } finally {
            symbols.openblas_set_num_threads(1);
          }
        });
      } finally {
        depth--;
      }
    },
  };
}
