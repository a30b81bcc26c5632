/**
 * Dense (single-vector) head: one vector per text, pooled from the token vectors by a mean
 * over attended tokens (as ModernBERT-embed does) or by the [CLS] token, then L2-normalised
 * (sentence-transformers' Normalize module) unless a loaded model has no such module.
 */
import * as tf from "@tensorflow/tfjs";
import { l2Normalize } from "../ops.ts";

/** How token vectors become one vector. */
export type Pooling = "mean" | "cls";

/** Token vectors [B, L, H] and attention mask [B, L] -> text vectors [B, H]. */
export function denseHead(
  hidden: tf.Tensor3D,
  attentionMask: tf.Tensor2D,
  options: { pooling: Pooling; normalize: boolean },
): tf.Tensor2D {
  return tf.tidy(() => {
    const pooled = options.pooling === "cls"
      ? hidden.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]) as tf.Tensor2D
      : meanPool(hidden, attentionMask);
    return options.normalize ? l2Normalize(pooled) : pooled;
  });
}

function meanPool(hidden: tf.Tensor3D, attentionMask: tf.Tensor2D): tf.Tensor2D {
  const weights = attentionMask.expandDims(2);
  const summed = tf.sum(tf.mul(hidden, weights), 1);
  const counts = tf.maximum(tf.sum(weights, 1), 1);
  return tf.div(summed, counts) as tf.Tensor2D;
}
