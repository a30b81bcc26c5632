/**
 * Small differentiable building blocks shared by the encoder and its heads.
 */
import * as tf from "@tensorflow/tfjs";
import { param, type Params } from "./params.ts";

/** `x @ weight + bias` on the last axis, for any leading shape. */
export function linear<T extends tf.Tensor>(params: Params, prefix: string, x: T): T {
  const weight = param(params, `${prefix}.weight`);
  const bias = params.get(`${prefix}.bias`);
  const [inputs, outputs] = weight.shape;
  const flat = tf.matMul(x.reshape([-1, inputs]), weight);
  const out = bias ? tf.add(flat, bias) : flat;
  return out.reshape([...x.shape.slice(0, -1), outputs]) as T;
}

/**
 * Divide each vector on the last axis by its L2 norm, floored at 1e-12 as PyTorch's
 * `F.normalize` does, so an all-zero vector stays zero instead of becoming NaN.
 */
export function l2Normalize<T extends tf.Tensor>(x: T): T {
  const norm = tf.sqrt(tf.sum(tf.square(x), -1, true));
  return tf.div(x, tf.maximum(norm, 1e-12)) as T;
}

/**
 * Rows of `table` [N, D] at integer `indices` (any shape) -> [...indices.shape, D].
 *
 * Same values as tf.gather, but its gradient is a ScatterNd (which sums repeated rows)
 * instead of tfjs's UnsortedSegmentSum, which the wasm backend does not implement. The
 * indices are handed to the gradient through `save`, so a surrounding tidy cannot free
 * them before the backward pass runs.
 */
export function gatherRows(table: tf.Tensor, indices: tf.Tensor): tf.Tensor {
  const [rows, width] = table.shape;
  const gather = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [t, flat, save] = args as [tf.Tensor, tf.Tensor2D, tf.GradSaveFunc];
    save([flat]);
    const value = tf.gatherND(t, flat);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.scatterND(saved[0], dy, [rows, width]),
      tf.zerosLike(saved[0]),
    ];
    return { value, gradFunc };
  });
  const flat = indices.reshape([-1, 1]);
  return (gather(table, flat) as tf.Tensor).reshape([...indices.shape, width]);
}
