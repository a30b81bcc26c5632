/**
 * Knowledge distillation from a cross-encoder teacher (PyLate's `Distillation`): per
 * query, KL(teacher || student) between the softmax of the teacher's scores and the
 * softmax of the student's scores of the same K documents, averaged over queries
 * ("batchmean"). No temperature. The student's scores are first min-max normalised per
 * query to [0, 1], so the softmax sees the ranking's shape, not MaxSim's raw scale (a sum
 * over up to 32 query tokens).
 *
 * ```ts
 * const student = maxsimGrouped(queries, documents); // [B, K]
 * const loss = distillationLoss(student, teacherScores); // teacherScores [B, K]
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { maxLastAxis } from "../scores/maxsim.ts";

/** PyLate's guard against a query whose K student scores are all equal. */
export const NORMALIZE_EPSILON = 1e-8;

/** Options of {@link distillationLoss}. */
export interface DistillationLossOptions {
  /** Min-max normalise the student's scores per query (default true, as in the paper). */
  normalize?: boolean;
}

/** `(s - min) / (max - min + 1e-8)` along each row of `scores` [B, K]. */
export function minMaxNormalize(scores: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    // PyTorch's max/min send the gradient to one of tied entries; so does maxLastAxis.
    const high = maxLastAxis<tf.Tensor1D>(scores).expandDims(1);
    const low = tf.neg(maxLastAxis<tf.Tensor1D>(tf.neg(scores))).expandDims(1);
    return tf.div(tf.sub(scores, low), tf.add(tf.sub(high, low), NORMALIZE_EPSILON));
  });
}

/**
 * `mean over queries of sum_k p_t(k) (log p_t(k) - log p_s(k))` with `p = softmax(row)`:
 * `student` [B, K] scores of the model being trained, `teacher` [B, K] raw teacher scores
 * (logits). Returns a scalar usable inside `tf.variableGrads`.
 */
export function distillationLoss(
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  options: DistillationLossOptions = {},
): tf.Scalar {
  if (student.shape.join() !== teacher.shape.join()) {
    throw new Error(
      `distillation.ts: student scores [${student.shape}] and teacher scores ` +
        `[${teacher.shape}] differ in shape`,
    );
  }
  return tf.tidy(() => {
    const scores = options.normalize === false ? student : minMaxNormalize(student);
    const logStudent = tf.logSoftmax(scores);
    const logTeacher = tf.logSoftmax(teacher);
    const pointwise = tf.mul(tf.exp(logTeacher), tf.sub(logTeacher, logStudent));
    return tf.div(tf.sum(pointwise), student.shape[0]);
  });
}
