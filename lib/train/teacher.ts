/**
 * The cross-encoder teacher of the distillation phase: trained listwise on the supervised
 * examples (each query's positive against its hard negatives), then used to score every
 * training query's first-stage candidates (kd_dataset.ts).
 *
 * The loss is softmax cross-entropy over one query's list of scores with the positive at
 * index 0, the listwise objective of cross-encoder rerankers (and of PyLate's contrastive
 * loss restricted to one query's own documents):
 *
 * ```ts
 * listwiseLoss(tf.tensor1d([2, 1, 0, 0.5, 0.5]), [3, 2]);
 * // mean of ln(e^2 + e^1 + e^0) - 2 = 0.4076 and ln(2) = 0.6931: 0.5504
 * const batch = teacherBatch(tokenizer, examples, { maxLength: 128 });
 * const { loss, grads } = await gradientsOf(teacher, () => teacherLoss(teacher, batch));
 * const scores = await scoreCandidates(teacher, tokenizer, { query: "a query", documents });
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import type { SupervisedExample } from "../datasets/records.ts";
import { encoderInputs } from "../models/embed.ts";
import { crossEntropy } from "../losses/cross_entropy.ts";
import { type Model, scorePairs } from "../models/model.ts";
import { encoderShape } from "../models/encoder.ts";
import { pairBatch, type TextPair, type TokenBatch } from "../models/text_batch.ts";
import type { Tokenizer } from "../models/tokenizer.ts";

// Fills the short lists of a ragged batch up to the longest: softmax gives it a weight of
// exactly 0 in float32, and, unlike -Infinity, times the one-hot's 0 it stays 0, not NaN.
const ABSENT_SCORE = -1e9;

/**
 * Mean over lists of `logsumexp(list) - list[0]`: `scores` [sum of listSizes] holds the
 * lists back to back, each a query's positive followed by its negatives; lists may differ
 * in length. A scalar usable inside `tf.variableGrads`.
 */
export function listwiseLoss(scores: tf.Tensor1D, listSizes: readonly number[]): tf.Scalar {
  const total = listSizes.reduce((sum, size) => sum + size, 0);
  if (listSizes.length === 0 || listSizes.some((size) => !(Number.isInteger(size) && size >= 1))) {
    throw new Error(`teacher.ts: list sizes must be integers >= 1, got [${listSizes}]`);
  }
  if (total !== scores.shape[0]) {
    throw new Error(`teacher.ts: lists of ${total} scores in all, but ${scores.shape[0]} scores`);
  }
  const width = Math.max(...listSizes);
  return tf.tidy(() => {
    let offset = 0;
    const rows = listSizes.map((size) => {
      const row = tf.pad(tf.slice(scores, offset, size), [[0, width - size]], ABSENT_SCORE);
      offset += size;
      return row;
    });
    return crossEntropy(tf.stack(rows) as tf.Tensor2D, new Int32Array(listSizes.length));
  });
}

/** Pair rows of a batch of supervised examples and how many rows each example owns. */
export interface TeacherBatch {
  /** `[CLS] query [SEP] document [SEP]` rows: each example's positive, then its negatives. */
  rows: TokenBatch;
  /** Rows per example (1 + its negatives), in order. */
  listSizes: number[];
}

/** Options of {@link teacherBatch}. */
export interface TeacherBatchOptions {
  /** Tokens per pair row (at most the teacher's position table). */
  maxLength: number;
  /** Keep only each example's first this many negatives (bounds the rows per step). */
  maxNegatives?: number;
}

/** Tokenise `examples` into one {@link TeacherBatch} for {@link teacherLoss}. */
export function teacherBatch(
  tokenizer: Tokenizer,
  examples: readonly SupervisedExample[],
  options: TeacherBatchOptions,
): TeacherBatch {
  const pairs: TextPair[] = [];
  const listSizes: number[] = [];
  for (const example of examples) {
    const documents = [example.positive, ...example.negatives.slice(0, options.maxNegatives)];
    for (const document of documents) pairs.push({ query: example.query, document });
    listSizes.push(documents.length);
  }
  return { rows: pairBatch(tokenizer, pairs, { maxLength: options.maxLength }), listSizes };
}

/** The listwise loss of `teacher` (a "cross" model) on a batch. */
export function teacherLoss(teacher: Model, batch: TeacherBatch): tf.Scalar {
  return tf.tidy(() =>
    listwiseLoss(scorePairs(teacher, encoderInputs(batch.rows)), batch.listSizes)
  );
}

/** Options of {@link scoreCandidates}. */
export interface ScoreCandidatesOptions {
  /** The query every document is paired with. */
  query: string;
  /** The candidates, scored in this order. */
  documents: readonly string[];
  /** Pairs scored at once (bounds activation memory; does not change the scores). */
  batchSize?: number;
  /** Tokens per pair row; the teacher's position table by default. */
  maxLength?: number;
}

/** The teacher's raw scores (logits) of `documents` for `query`, in the documents' order. */
export async function scoreCandidates(
  teacher: Model,
  tokenizer: Tokenizer,
  options: ScoreCandidatesOptions,
): Promise<Float32Array> {
  const {
    query,
    documents,
    batchSize = 32,
    maxLength = encoderShape(teacher.config.transformer).maxLength,
  } = options;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new Error(`teacher.ts: batchSize must be an integer >= 1, got ${batchSize}`);
  }
  const scores = new Float32Array(documents.length);
  for (let start = 0; start < documents.length; start += batchSize) {
    const pairs = documents.slice(start, start + batchSize).map((document) => ({
      query,
      document,
    }));
    const inputs = encoderInputs(pairBatch(tokenizer, pairs, { maxLength }));
    const batchScores = scorePairs(teacher, inputs);
    scores.set(await batchScores.data(), start);
    tf.dispose([...Object.values(inputs), batchScores]);
  }
  return scores;
}
