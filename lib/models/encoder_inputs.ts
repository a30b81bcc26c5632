/**
 * What every encoder architecture reads: a batch of token ids with its attention mask, and
 * the optional extras some models use; and the batch a whole model (encoder plus head) reads.
 */
import type * as tf from "@tensorflow/tfjs";

/** One batch of encoder input, [B, L] each. */
export interface EncoderInputs {
  /** Token ids, int32. */
  inputIds: tf.Tensor2D;
  /** 1 where the encoder attends, 0 elsewhere; float32. */
  attentionMask: tf.Tensor2D;
  /** Segment ids (BERT's token types), int32; all 0 when absent. */
  tokenTypeIds?: tf.Tensor2D;
  /** Vectors [B, L, hidden] added to the input embeddings (a head's own input features). */
  extraEmbeddings?: tf.Tensor3D;
}

/**
 * One batch of model input (encoder plus head), [B, L] each: what tokenisation produces and
 * every model function takes. Kept here, beside the encoder's inputs, so the heads and
 * model.ts can both name it without importing each other.
 */
export interface EncoderBatch {
  inputIds: tf.Tensor2D;
  attentionMask: tf.Tensor2D;
  /** Pairs only (cross-encoder): segment ids, int32 [B, L]. */
  tokenTypeIds?: tf.Tensor2D;
  /** Pairs only (cross-encoder): exact-match flags, int32 [B, L]. */
  exactMatch?: tf.Tensor2D;
}

/** Parameter names of an encoder start with this (heads have their own prefixes). */
export const ENCODER_PREFIX = "encoder.";
