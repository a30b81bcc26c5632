/**
 * tfjs's `BatchMatMul` and `_FusedMatMul` kernels for the `wasm` backend, computed by
 * OpenBLAS directly on the backend's WebAssembly heap.
 *
 * The wasm backend keeps every tensor in its heap; this kernel takes Float32Array views
 * of the inputs there, allocates the output there, and hands the views to `cblas_sgemm`,
 * so no tensor is copied and every other op of the backend is left alone. The views are
 * taken after the output is allocated because an allocation can grow (and so replace)
 * the heap's buffer. Whatever the kernel does not handle (other dtypes, PReLU) goes to
 * the backend's own kernel, kept from before.
 *
 * Why it matters most for training: tfjs-wasm 4.22 multiplies untransposed operands with
 * XNNPACK but runs `transposeA`/`transposeB` products (every weight gradient) at about
 * 0.5 GFLOP/s, so a backward pass is almost all matMul time there. Its fused kernel also
 * adds the bias to the wrong columns after the first row; this one matches `cpu`.
 *
 * ```ts
 * await initBackend("wasm");
 * useBlasMatMul(); // true when OpenBLAS was found; tf.matMul is now BLAS-backed
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { type OpenBlas, openBlas } from "./openblas_ffi.ts";
import { planBatchMatMul, runBatchMatMul } from "./batched_sgemm.ts";

const BACKEND = "wasm";
const KERNELS = ["BatchMatMul", "_FusedMatMul"] as const;

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

/** Elementwise activations of `_FusedMatMul` applied in place after the product. */
const ACTIVATIONS: Record<string, ((out: Float32Array, alpha: number) => void) | undefined> = {
  linear: () => {},
  relu: (out) => {
    for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0;
  },
  relu6: (out) => {
    for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(out[i], 0), 6);
  },
  leakyrelu: (out, alpha) => {
    for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] *= alpha;
  },
  sigmoid: (out) => {
    for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-out[i]));
  },
  elu: (out) => {
    for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = Math.expm1(out[i]);
  },
};

/** A bias this kernel can add: one value, or one per output column (as wasm's own). */
function biasFits(bias: tf.TensorInfo, columns: number): boolean {
  const size = bias.shape.length === 0 ? 1 : bias.shape[0];
  return bias.dtype === "float32" && bias.shape.length <= 1 && (size === 1 || size === columns);
}

type MatMulInputs = { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo };

/** The product as planned, into a new heap tensor; null when the backend's kernel must run. */
function blasMatMul(blas: OpenBlas, args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo | null {
  const { a, b, bias, preluActivationWeights } = args.inputs as
    & MatMulInputs
    & tf.NamedTensorInfoMap;
  const attrs = args.attrs as unknown as MatMulAttrs;
  const activate = ACTIVATIONS[attrs.activation ?? "linear"];
  if (a.dtype !== "float32" || b.dtype !== "float32" || preluActivationWeights || !activate) {
    return null;
  }
  const plan = planBatchMatMul(a.shape, b.shape, attrs);
  if (bias && !biasFits(bias, plan.n)) return null;
  const backend = args.backend as BackendWasm;
  const out = backend.makeOutput(plan.outShape, "float32");
  // Views are taken after makeOutput: growing the heap there replaces its buffer.
  const outView = backend.typedArrayFromHeap(out) as Float32Array;
  if (bias) {
    // Start every output row from the bias and let sgemm add the product to it.
    const biasView = backend.typedArrayFromHeap(bias) as Float32Array;
    for (let row = 0; row < outView.length; row += plan.n) {
      if (biasView.length === 1) outView.fill(biasView[0], row, row + plan.n);
      else outView.set(biasView, row);
    }
  }
  const aView = backend.typedArrayFromHeap(a) as Float32Array;
  const bView = backend.typedArrayFromHeap(b) as Float32Array;
  runBatchMatMul(blas, plan, { a: aView, b: bView, out: outView, accumulate: bias != null });
  activate(outView, attrs.leakyreluAlpha ?? 0.2);
  return out;
}

/** The kernel configs in force before {@link useBlasMatMul}, to restore them. */
const originals = new Map<string, tf.KernelConfig>();

/**
 * Route the wasm backend's matrix products to OpenBLAS. Returns false (and changes
 * nothing) when no OpenBLAS is available; `blas` overrides the process's library.
 */
export function useBlasMatMul(options: { blas?: OpenBlas | null } = {}): boolean {
  const blas = options.blas === undefined ? openBlas() : options.blas;
  if (!blas) return false;
  restoreWasmMatMul();
  for (const kernelName of KERNELS) {
    const original = tf.getKernel(kernelName, BACKEND);
    if (!original) {
      throw new Error(
        `wasm_matmul_kernels.ts: no wasm kernel ${kernelName}; start the backend first ` +
          `(initBackend("wasm"))`,
      );
    }
    originals.set(kernelName, original);
    const kernelFunc: tf.KernelFunc = (args) => blasMatMul(blas, args) ?? original.kernelFunc(args);
    tf.unregisterKernel(kernelName, BACKEND);
    tf.registerKernel({ ...original, kernelFunc });
  }
  return true;
}

/** Put the wasm backend's own matrix-product kernels back. */
export function restoreWasmMatMul(): void {
  for (const [kernelName, original] of originals) {
    tf.unregisterKernel(kernelName, BACKEND);
    tf.registerKernel(original);
  }
  originals.clear();
}
