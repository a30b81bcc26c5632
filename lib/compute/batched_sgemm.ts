/**
 * tfjs's `BatchMatMul` semantics (transposes, broadcast batch dimensions) on flat
 * Float32Arrays, one sgemm per batch entry, or a single sgemm when the batch folds into
 * the rows of A.
 *
 * ```ts
 * const plan = planBatchMatMul([4, 2, 3], [3, 5], {}); // plan.outShape = [4, 2, 5]
 * runBatchMatMul(blas, plan, { a, b, out });
 * ```
 */
import type { OpenBlas } from "./openblas_ffi.ts";

/** Transpose flags as tfjs's matMul takes them. */
export interface MatMulFlags {
  transposeA?: boolean;
  transposeB?: boolean;
}

/** Sizes of one batched product, worked out once from the shapes. */
export interface BatchMatMulPlan {
  outShape: number[];
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
  /** For each output batch entry, the batch entry of A and of B it reads. */
  aBatchIndex: Int32Array;
  bBatchIndex: Int32Array;
  /** True when B is shared by the whole batch and A is not transposed: one sgemm. */
  foldsIntoRows: boolean;
}

function broadcastShapes(aShape: number[], bShape: number[]): number[] {
  const rank = Math.max(aShape.length, bShape.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const a = aShape[aShape.length - rank + i] ?? 1;
    const b = bShape[bShape.length - rank + i] ?? 1;
    if (a !== b && a !== 1 && b !== 1) {
      throw new Error(
        `batched_sgemm.ts: batch shapes [${aShape}] and [${bShape}] do not broadcast`,
      );
    }
    out.push(Math.max(a, b));
  }
  return out;
}

/** Index into a batch of shape `inShape` read by each entry of the broadcast `outShape`. */
function broadcastIndices(outShape: number[], inShape: number[]): Int32Array {
  const size = outShape.reduce((p, d) => p * d, 1);
  const indices = new Int32Array(size);
  const offset = outShape.length - inShape.length;
  for (let flat = 0; flat < size; flat++) {
    let rest = flat;
    let index = 0;
    let stride = 1;
    for (let axis = outShape.length - 1; axis >= 0; axis--) {
      const coordinate = rest % outShape[axis];
      rest = Math.floor(rest / outShape[axis]);
      const inAxis = axis - offset;
      if (inAxis < 0) continue;
      if (inShape[inAxis] !== 1) index += coordinate * stride;
      stride *= inShape[inAxis];
    }
    indices[flat] = index;
  }
  return indices;
}

/** Work out sizes and batch mapping of `matMul(a, b)`; throws on mismatched shapes. */
export function planBatchMatMul(
  aShape: number[],
  bShape: number[],
  flags: MatMulFlags,
): BatchMatMulPlan {
  if (aShape.length < 2 || bShape.length < 2) {
    throw new Error(`batched_sgemm.ts: matMul needs rank >= 2, got [${aShape}] and [${bShape}]`);
  }
  const transposeA = flags.transposeA ?? false;
  const transposeB = flags.transposeB ?? false;
  const [aRows, aCols] = aShape.slice(-2);
  const [bRows, bCols] = bShape.slice(-2);
  const [m, k] = transposeA ? [aCols, aRows] : [aRows, aCols];
  const [kB, n] = transposeB ? [bCols, bRows] : [bRows, bCols];
  if (k !== kB) {
    throw new Error(
      `batched_sgemm.ts: inner sizes ${k} and ${kB} differ for [${aShape}] x [${bShape}] ` +
        `(transposeA=${transposeA}, transposeB=${transposeB})`,
    );
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch);
  const bBatchSize = bBatch.reduce((p, d) => p * d, 1);
  const aBatchSize = aBatch.reduce((p, d) => p * d, 1);
  const outBatchSize = batch.reduce((p, d) => p * d, 1);
  return {
    outShape: [...batch, m, n],
    m,
    n,
    k,
    transposeA,
    transposeB,
    aBatchIndex: broadcastIndices(batch, aBatch),
    bBatchIndex: broadcastIndices(batch, bBatch),
    foldsIntoRows: bBatchSize === 1 && !transposeA && aBatchSize === outBatchSize,
  };
}

/** Operands of {@link runBatchMatMul}: dense row-major data of A, B and the output. */
export interface BatchMatMulData {
  a: Float32Array;
  b: Float32Array;
  out: Float32Array;
  /** Add the product to what `out` holds (sgemm's beta = 1) instead of overwriting it. */
  accumulate?: boolean;
}

/**
 * Products smaller than this (m x n x k) run on one thread. OpenBLAS wakes its second
 * thread from 262,144 on, but on this suite's 2-core machine that doubled the time of an
 * attention product (96 x 96 x 32: 8 us on one thread, 20-60 us on two) and only paid
 * off from about 4M on.
 */
const ONE_THREAD_BELOW = 4_000_000;

/** `out = matMul(a, b)` as planned, over OpenBLAS. */
export function runBatchMatMul(blas: OpenBlas, plan: BatchMatMulPlan, data: BatchMatMulData) {
  const { m, n, k } = plan;
  const rows = plan.foldsIntoRows ? plan.aBatchIndex.length * m : m;
  const threads = rows * n * k < ONE_THREAD_BELOW ? 1 : blas.threads();
  blas.withThreads(threads, () => products(blas, plan, data));
}

function products(blas: OpenBlas, plan: BatchMatMulPlan, data: BatchMatMulData) {
  const { m, n, k, transposeA, transposeB } = plan;
  const batch = plan.aBatchIndex.length;
  const beta = data.accumulate ? 1 : 0;
  if (plan.foldsIntoRows) {
    blas.sgemm({ a: data.a, b: data.b, c: data.out, m: batch * m, n, k, transposeB, beta });
    return;
  }
  const aSize = m * k, bSize = k * n, outSize = m * n;
  for (let i = 0; i < batch; i++) {
    const aStart = plan.aBatchIndex[i] * aSize;
    const bStart = plan.bBatchIndex[i] * bSize;
    blas.sgemm({
      a: data.a.subarray(aStart, aStart + aSize),
      b: data.b.subarray(bStart, bStart + bSize),
      c: data.out.subarray(i * outSize, (i + 1) * outSize),
      m,
      n,
      k,
      transposeA,
      transposeB,
      beta,
    });
  }
}
