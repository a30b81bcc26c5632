/**
 * `Identity`, and `Reshape` and `Cast` that change nothing, on the `tensorflow` backend without
 * a call into TensorFlow: the output shares the input's tensor, counted once more.
 *
 * tfjs-node runs every kernel as a TensorFlow eager op, tens of microseconds of dispatch each
 * however small the work. A training step of all-MiniLM-L6-v2 ran 6,128 kernels, and about 2,000
 * of them moved no data: tfjs clones (`Identity`) every tensor it saves for the backward pass,
 * its gradients reshape a gradient to the shape it already has, and cast operands to the dtype
 * they already are. TensorFlow's tensors are immutable and tfjs-node counts references to them
 * (as tfjs's cpu backend does for the same kernels), so sharing one changes no value. A reshape
 * to another shape or a real cast still goes to TensorFlow's kernel, kept from before.
 *
 * ```ts
 * await initBackend("tensorflow"); // calls shareUnchangedTensors()
 * ```
 */
import * as tf from "@tensorflow/tfjs";

const BACKEND = "tensorflow";

/** The backend calls these kernels need: tfjs-node's reference count on a tensor. */
interface CountedBackend {
  incRef(dataId: object): void;
}

/** The same tensor, one more reference: what a kernel that changes nothing returns. */
function shared(x: tf.TensorInfo, backend: CountedBackend): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((size, axis) => size === b[axis]);

/** Whether a kernel's output would be its input unchanged (else TensorFlow's kernel runs). */
const UNCHANGED: Record<string, (x: tf.TensorInfo, attrs: tf.NamedAttrMap) => boolean> = {
  Identity: () => true,
  Reshape: (x, attrs) => {
    const shape = attrs.shape as number[];
    // A -1 is left to TensorFlow, which infers it.
    return shape.every((size) => size >= 0) && sameShape(x.shape, shape);
  },
  Cast: (x, attrs) => attrs.dtype === x.dtype,
};

/**
 * Make `Identity`, `Reshape` and `Cast` on the `tensorflow` backend share their input when
 * their output would equal it. Call once the backend is registered; calling again is harmless.
 */
export function shareUnchangedTensors(): void {
  for (const [kernelName, unchanged] of Object.entries(UNCHANGED)) {
    const original = tf.getKernel(kernelName, BACKEND);
    if (!original || original.kernelFunc.name === "sharedWhenUnchanged") continue;
    const run = original.kernelFunc;
    const sharedWhenUnchanged: tf.KernelFunc = (args) => {
      const x = Object.values(args.inputs)[0] as tf.TensorInfo;
      if (unchanged(x, args.attrs ?? {})) {
        return shared(x, args.backend as unknown as CountedBackend);
      }
      return run(args);
    };
    tf.unregisterKernel(kernelName, BACKEND);
    tf.registerKernel({ ...original, kernelFunc: sharedWhenUnchanged });
  }
}
