/**
 * Dense (single-vector) head: one normalised vector per text, pooled from the token
 * vectors by a mean over attended tokens (as ModernBERT-embed does) or by the [CLS] token.
 */
import * as tf from "@tensorflow/tfjs";
import { l2Normalize } from "../ops.ts";

/** How token vectors become one vector. */
export type Pooling = "mean" | "cls";

/** Token vectors [B, L, H] and attention mask [B, L] -> normalised text vectors [B, H]. */
export function denseHead(
  hidden: tf.Tensor3D,
  attentionMask: tf.Tensor2D,
  pooling: Pooling,
): tf.Tensor2D {
  return tf.tidy(() => {
    if (pooling === "cls") return l2Normalize(hidden.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]));
    const weights = attentionMask.expandDims(2);
    const summed = tf.sum(tf.mul(hidden, weights), 1);
    const counts = tf.maximum(tf.sum(weights, 1), 1);
    return l2Normalize(tf.div(summed, counts) as tf.Tensor2D);
  });
}
