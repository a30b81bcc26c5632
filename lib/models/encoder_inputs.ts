/**
 * What every encoder architecture reads: a batch of token ids with its attention mask, and
 * the optional extras some models use.
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

/** Parameter names of an encoder start with this (heads have their own prefixes). */
export const ENCODER_PREFIX = "encoder.";
