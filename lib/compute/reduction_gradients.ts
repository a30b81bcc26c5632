/**
 * The gradients of `Sum` and `Mean`, with dy broadcast to the input's shape instead of
 * multiplied by a tensor of ones of that shape.
 *
 * tfjs's own gradients build that tensor of ones in JavaScript on every backward pass
 * (`ones(x.shape)`: a Float32Array filled with 1), hand it to the backend (a copy into
 * TensorFlow, an upload to a GPU) and run a full-size `Multiply`. Every layer norm takes two
 * means, so a training step of all-MiniLM-L6-v2 at 16 x (32 + 128) made 52 such tensors, about
 * 100 MB, and on webgpu uploaded them all. `dy x 1` is `dy`, and the mean divides the same
 * numbers, so the gradients are the same bit for bit (tested against tfjs's formula).
 *
 * ```ts
 * registerReductionGradients(); // initBackend does it, for every backend
 * ```
 */
import * as tf from "@tensorflow/tfjs";

/** `dy` reshaped to keep the reduced axes (as size 1), for broadcasting back to `x`'s shape. */
function expanded(dy: tf.Tensor, x: tf.Tensor, attrs: tf.NamedAttrMap): tf.Tensor {
  const shape = x.shape.slice();
  for (const axis of tf.util.parseAxisParam(attrs.axis as number | number[], x.shape)) {
    shape[axis] = 1;
  }
  return tf.reshape(dy, shape);
}

const sumGradient: tf.GradConfig = {
  kernelName: tf.Sum,
  inputsToSave: ["x"],
  gradFunc: (dy, [x], attrs) => ({
    x: () => tf.broadcastTo(expanded(dy as tf.Tensor, x, attrs), x.shape),
  }),
};

const meanGradient: tf.GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ["x"],
  gradFunc: (dy, [x], attrs) => ({
    x: () => {
      const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
      const count = axes.reduce((product, axis) => product * x.shape[axis], 1);
      return tf.broadcastTo(tf.div(expanded(dy as tf.Tensor, x, attrs), count), x.shape);
    },
  }),
};

/** Replace tfjs's `Sum` and `Mean` gradients (they are shared by every backend). */
export function registerReductionGradients(): void {
  tf.registerGradient(sumGradient);
  tf.registerGradient(meanGradient);
}
