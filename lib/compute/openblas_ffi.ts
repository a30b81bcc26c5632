/**
 * The system OpenBLAS through Deno's FFI: `cblas_sgemm`, the one routine every fast
 * path of the suite needs, plus its thread count.
 *
 * OpenBLAS runs sgemm at about 10x tfjs's wasm backend on the same cores, and apt's
 * `libopenblas0` ships it on every Debian machine, so a suite that can reach it gets the
 * machine's real arithmetic. Everything here is optional: {@link openBlas} returns null
 * when the library is missing, FFI is not allowed (`deno run -A` or `--allow-ffi`), or
 * `COLBERT_BLAS=off`, and callers fall back to tfjs.
 *
 * Typed arrays are passed to C as pointers to their own memory (no copy), so a view into
 * the wasm backend's heap is read and written in place. OpenBLAS's thread count belongs to
 * blas_threads.ts: a product names the threads it wants, nothing else sets the count.
 *
 * ```ts
 * const blas = openBlas();
 * // C[2x2] = A[2x3] · B[3x2]
 * blas?.sgemm({ a, b, c, m: 2, n: 2, k: 3 });
 * ```
 */
import { ownThreadCount } from "./blas_threads.ts";
import { pinLibrary } from "./pin_library.ts";

/** `off` disables BLAS (to test the fallback); a file path picks the library to load. */
export const BLAS_ENV = "COLBERT_BLAS";

/** Where Debian, Ubuntu and Fedora install OpenBLAS (pthread build first). */
export const OPENBLAS_PATHS = [
  "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
  "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "/usr/lib64/libopenblas.so.0",
  "/usr/lib/libopenblas.so.0",
  "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
  "/usr/local/opt/openblas/lib/libopenblas.dylib",
];

/**
 * One row-major product `c = alpha · op(a) · op(b) + beta · c`, with `op(a)` of shape
 * [m, k] and `op(b)` of shape [k, n]. Leading dimensions default to dense storage.
 */
export interface SgemmArgs {
  a: Float32Array;
  b: Float32Array;
  c: Float32Array;
  m: number;
  n: number;
  k: number;
  transposeA?: boolean;
  transposeB?: boolean;
  alpha?: number;
  beta?: number;
  lda?: number;
  ldb?: number;
  ldc?: number;
  /** OpenBLAS threads for this product (default: {@link OpenBlas.threads}). */
  threads?: number;
}

/** A loaded OpenBLAS. */
export interface OpenBlas {
  /** The file that was loaded. */
  readonly path: string;
  /** OpenBLAS's own description of its build (version, kernel family, thread limit). */
  readonly config: string;
  /** The most threads one product may use (OpenBLAS's count when the process loaded it). */
  readonly limit: number;
  /** Run one sgemm on the calling thread (OpenBLAS spreads it over `args.threads` threads). */
  sgemm(args: SgemmArgs): void;
  /** Run `work`'s sgemm calls at `threads` threads, taking the thread-count lock once. */
  withThreads<T>(threads: number, work: () => T): T;
  /** Threads a product gets when it names none: this thread's choice, `limit` at first. */
  threads(): number;
  /** Set {@link threads} for this thread (an integer from 1 to `limit`). */
  setThreads(count: number): void;
}

const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32", // order
      "i32", // transA
      "i32", // transB
      "i32", // M
      "i32", // N
      "i32", // K
      "f32", // alpha
      "buffer", // A
      "i32", // lda
      "buffer", // B
      "i32", // ldb
      "f32", // beta
      "buffer", // C
      "i32", // ldc
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
  openblas_get_config: { parameters: [], result: "pointer" },
} as const;

/** Elements a row-major [rows, cols] matrix with leading dimension `ld` reaches. */
function extent(rows: number, cols: number, ld: number): number {
  return rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
}

// C reads and writes out of bounds silently; every size is checked here instead, so a
// wrong shape is an Error naming the operand rather than a corrupted heap or a crash.
function checkOperand(name: string, array: Float32Array, rows: number, cols: number, ld: number) {
  if (ld < Math.max(1, cols)) {
    throw new Error(`openblas_ffi.ts: sgemm ld${name} ${ld} < ${cols} columns`);
  }
  const needed = extent(rows, cols, ld);
  if (array.length < needed) {
    throw new Error(
      `openblas_ffi.ts: sgemm operand ${name} has ${array.length} elements, ` +
        `[${rows}, ${cols}] with ld ${ld} needs ${needed}`,
    );
  }
}

/** Check an {@link SgemmArgs} and fill in its defaults. */
export function resolveSgemm(args: SgemmArgs): Required<Omit<SgemmArgs, "threads">> {
  const { m, n, k, transposeA = false, transposeB = false } = args;
  for (const [name, value] of [["m", m], ["n", n], ["k", k]] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(
        `openblas_ffi.ts: sgemm ${name} must be a non-negative integer, got ${value}`,
      );
    }
  }
  const [aRows, aCols] = transposeA ? [k, m] : [m, k];
  const [bRows, bCols] = transposeB ? [n, k] : [k, n];
  const { threads: _, ...operands } = args;
  const full = {
    ...operands,
    transposeA,
    transposeB,
    alpha: args.alpha ?? 1,
    beta: args.beta ?? 0,
    lda: args.lda ?? Math.max(1, aCols),
    ldb: args.ldb ?? Math.max(1, bCols),
    ldc: args.ldc ?? Math.max(1, n),
  };
  checkOperand("A", full.a, aRows, aCols, full.lda);
  checkOperand("B", full.b, bRows, bCols, full.ldb);
  checkOperand("C", full.c, m, n, full.ldc);
  return full;
}

/**
 * Open OpenBLAS from the first of `paths` that loads. Returns null when none does or
 * FFI is not permitted; never throws for a missing library.
 */
export function loadOpenBlas(paths: readonly string[] = OPENBLAS_PATHS): OpenBlas | null {
  for (const path of paths) {
    let library: Deno.DynamicLibrary<typeof SYMBOLS>;
    try {
      library = Deno.dlopen(path, SYMBOLS);
    } catch {
      continue; // absent, not OpenBLAS, or FFI not permitted: try the next one
    }
    // Never unloaded: an unload racing a fork's thread-pool shutdown deadlocks OpenBLAS.
    pinLibrary(path);
    const symbols = library.symbols;
    const configPointer = symbols.openblas_get_config();
    const config = configPointer ? Deno.UnsafePointerView.getCString(configPointer) : "";
    const owner = ownThreadCount(symbols, path);
    let preferred = owner.limit;
    return {
      path,
      config,
      limit: owner.limit,
      sgemm(args) {
        const s = resolveSgemm(args);
        if (s.m === 0 || s.n === 0) return;
        owner.run(args.threads ?? preferred, () => callSgemm(symbols, s));
      },
      withThreads: (threads, work) => owner.run(threads, work),
      threads: () => preferred,
      setThreads(count) {
        if (!Number.isInteger(count) || count < 1 || count > owner.limit) {
          throw new Error(
            `openblas_ffi.ts: threads must be an integer from 1 to ${owner.limit}, got ${count}`,
          );
        }
        preferred = count;
      },
    };
  }
  return null;
}

function callSgemm(
  symbols: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"],
  s: ReturnType<typeof resolveSgemm>,
): void {
  symbols.cblas_sgemm(
    ROW_MAJOR,
    s.transposeA ? TRANS : NO_TRANS,
    s.transposeB ? TRANS : NO_TRANS,
    s.m,
    s.n,
    s.k,
    s.alpha,
    s.a,
    s.lda,
    s.b,
    s.ldb,
    s.beta,
    s.c,
    s.ldc,
  );
}

let cached: OpenBlas | null | undefined;

/**
 * The process's OpenBLAS, loaded once: from `COLBERT_BLAS` when it names a file, from
 * {@link OPENBLAS_PATHS} otherwise, null when absent or `COLBERT_BLAS=off`.
 */
export function openBlas(): OpenBlas | null {
  if (cached !== undefined) return cached;
  let setting: string | undefined;
  try {
    setting = Deno.env.get(BLAS_ENV);
  } catch {
    setting = undefined; // no --allow-env: use the default search
  }
  cached = setting === "off" ? null : loadOpenBlas(setting ? [setting] : OPENBLAS_PATHS);
  return cached;
}
