/**
 * In-batch contrastive loss (PyLate's `Contrastive`): every query is scored against every
 * document of the batch (the positives of all queries, then each group of hard
 * negatives), and cross-entropy pushes up its own positive.
 *
 * ```ts
 * // 2 queries, positives p0 p1, one hard negative each n0 n1: scores [2, 4],
 * // columns p0 p1 n0 n1, targets 0 and 1.
 * const loss = contrastiveLoss(queries, [positives, negatives], { temperature: 0.2 });
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { denseScores, maxsimScores, type TokenEmbeddings } from "../scores/maxsim.ts";
import { crossEntropy } from "./cross_entropy.ts";

/**
 * One side of a batch as the model encoded it: token embeddings with their scoring mask
 * (multi-vector, scored by MaxSim) or one pooled vector per text [B, dim] (dense, scored
 * by the dot product).
 */
export type Encoded = TokenEmbeddings | tf.Tensor2D;

/** Number of texts in an encoded batch. */
export function encodedCount(encoded: Encoded): number {
  return encoded instanceof tf.Tensor ? encoded.shape[0] : encoded.embeddings.shape[0];
}

/** Release the tensors of an encoded batch. */
export function disposeEncoded(encoded: Encoded): void {
  tf.dispose(encoded instanceof tf.Tensor ? encoded : [encoded.embeddings, encoded.mask]);
}

/** Scores [B, N] of every query against every document, by MaxSim or by dot product. */
export function inBatchScores(queries: Encoded, documents: Encoded): tf.Tensor2D {
  const denseQueries = queries instanceof tf.Tensor;
  if (denseQueries !== documents instanceof tf.Tensor) {
    throw new Error(
      "contrastive.ts: queries and documents must both be token batches or both be " +
        "pooled vectors",
    );
  }
  return denseQueries
    ? denseScores(queries, documents as tf.Tensor2D)
    : maxsimScores(queries, documents as TokenEmbeddings);
}

/** Options of {@link contrastiveLoss}. */
export interface ContrastiveLossOptions {
  /** Scores are divided by it (the paper's scripts: 0.02 unsupervised, 0.2 supervised). */
  temperature: number;
  /**
   * Position among the positives of the first query's positive (default 0). GradCache
   * scores a slice of the queries against all documents and sets it to the slice's start.
   */
  firstPositive?: number;
  /** "mean" over queries (default) or "sum" (to add up slices of one batch). */
  reduction?: "mean" | "sum";
}

/**
 * Cross-entropy of `scores / temperature` with target "own positive": `documents[0]`
 * holds one positive per query, every further entry one group of hard negatives. Returns
 * a scalar usable inside `tf.variableGrads`.
 */
export function contrastiveLoss(
  queries: Encoded,
  documents: Encoded[],
  options: ContrastiveLossOptions,
): tf.Scalar {
  const { temperature, firstPositive = 0 } = options;
  if (!(temperature > 0)) {
    throw new Error(`contrastive.ts: temperature must be > 0, got ${temperature}`);
  }
  if (documents.length === 0) throw new Error("contrastive.ts: no documents (positives first)");
  const queryCount = encodedCount(queries);
  const positives = encodedCount(documents[0]);
  if (firstPositive < 0 || firstPositive + queryCount > positives) {
    throw new Error(
      `contrastive.ts: queries ${firstPositive}..${firstPositive + queryCount} have no ` +
        `positive among ${positives} positives`,
    );
  }
  const targets = Int32Array.from({ length: queryCount }, (_, row) => firstPositive + row);
  return tf.tidy(() => {
    const scores = tf.concat(documents.map((group) => inBatchScores(queries, group)), 1);
    return crossEntropy(tf.div(scores, temperature), targets, { reduction: options.reduction });
  });
}
