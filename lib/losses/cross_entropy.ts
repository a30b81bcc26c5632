/**
 * Softmax cross-entropy against integer targets, the loss under both the contrastive
 * objective (target = the query's positive) and masked language modelling (target = the
 * hidden token).
 */
import * as tf from "@tensorflow/tfjs";

/** Options of {@link crossEntropy}. */
export interface CrossEntropyOptions {
  /** "mean" over rows (PyTorch's default) or "sum" (for losses split into chunks). */
  reduction?: "mean" | "sum";
}

/**
 * `logsumexp(row) - row[target]` for every row of `logits` [M, C], reduced over rows.
 * The targets are picked by a one-hot product rather than `tf.gather`, whose gradient
 * (UnsortedSegmentSum) the wasm backend lacks; with `mlmHead` scoring only the masked
 * positions, M is small and the [M, C] one-hot costs no more than the logits.
 */
export function crossEntropy(
  logits: tf.Tensor2D,
  targets: Int32Array,
  options: CrossEntropyOptions = {},
): tf.Scalar {
  const [rows, classes] = logits.shape;
  if (targets.length !== rows) {
    throw new Error(`cross_entropy.ts: ${targets.length} targets for ${rows} rows of logits`);
  }
  targets.forEach((target, row) => {
    if (!(target >= 0 && target < classes)) {
      throw new Error(`cross_entropy.ts: target ${target} of row ${row} is not in [0, ${classes})`);
    }
  });
  return tf.tidy(() => {
    // Cast after oneHot: wasm ignores oneHot's dtype argument (tfjs 4.22).
    const oneHot = tf.cast(tf.oneHot(tf.tensor1d(targets, "int32"), classes), "float32");
    const picked = tf.sum(tf.mul(logits, oneHot), 1);
    const perRow = tf.sub(tf.logSumExp(logits, 1), picked);
    return options.reduction === "sum" ? tf.sum(perRow) : tf.mean(perRow);
  });
}
