/**
 * Keeping a native library loaded until the process ends.
 *
 * Deno closes a thread's `Deno.dlopen` handles when the thread ends (a Worker, or a test
 * file's isolate under `deno test`), and when the last one closes the library is unloaded.
 * OpenBLAS shuts its thread pool down on unload, and does the same before every `fork` (a
 * child process being spawned): when both happen at once on two threads they wait on each
 * other forever (seen: `deno test --parallel` hung in `blas_thread_shutdown_`, one thread
 * unloading, one forking). A reference of our own, taken through the C library's `dlopen` and
 * never released, keeps the library loaded, so only the fork's shutdown ever runs.
 */

const RTLD_NOW = 2;

// glibc has dlopen in libc.so.6 since 2.34, in libdl.so.2 before; macOS in libSystem.
const LOADERS = ["libc.so.6", "libdl.so.2", "/usr/lib/libSystem.B.dylib"];

/** Take a never-released reference to the library at `path`; false when no loader could. */
export function pinLibrary(path: string): boolean {
  const name = new TextEncoder().encode(`${path}\0`);
  for (const loader of LOADERS) {
    let library;
    try {
      library = Deno.dlopen(loader, {
        dlopen: { parameters: ["buffer", "i32"], result: "pointer" },
      });
    } catch {
      continue; // not this platform's loader
    }
    try {
      return library.symbols.dlopen(name, RTLD_NOW) !== null;
    } finally {
      library.close(); // the C library itself is never unloaded; our reference stays
    }
  }
  return false;
}
