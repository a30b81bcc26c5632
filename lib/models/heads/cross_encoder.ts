/**
 * Cross-encoder head (the teacher): the [CLS] vector of `[CLS] query [SEP] document [SEP]`
 * mapped to one relevance score by a linear layer.
 *
 * The head also owns two small input tables, added to the encoder's token embeddings: BERT's
 * segment embedding (query or document) and an exact-match embedding (does this token occur
 * in the other text). A pretrained cross-encoder learns to match tokens across the [SEP] in
 * pre-training; one trained from scratch here did not find it in 600 steps (loss stayed at
 * ln(6)), while with the exact-match input it learnt in 150 (README, "The teacher").
 */
import * as tf from "@tensorflow/tfjs";
import type { EncoderBatch } from "../encoder_inputs.ts";
import { gatherRows, linear } from "../ops.ts";
import { param, type ParamInit, type Params } from "../params.ts";

/** Create `cross.score.weight` [hidden, 1], its bias, and the segment and exact-match tables. */
export function initCrossEncoderHead(init: ParamInit, hidden: number): void {
  init.normal("cross.score.weight", [hidden, 1]);
  init.constant("cross.score.bias", [1], 0);
  init.normal("cross.segment", [2, hidden]);
  init.normal("cross.exact_match", [2, hidden]);
}

/** The head's input embeddings [B, L, hidden] of a pair batch: segment + exact match. */
export function pairEmbeddings(params: Params, batch: EncoderBatch): tf.Tensor3D {
  if (!batch.tokenTypeIds || !batch.exactMatch) {
    throw new Error("cross-encoder input needs segment ids and exact-match flags (pairBatch)");
  }
  return tf.add(
    gatherRows(param(params, "cross.segment"), batch.tokenTypeIds),
    gatherRows(param(params, "cross.exact_match"), batch.exactMatch),
  ) as tf.Tensor3D;
}

/** Token vectors [B, L, hidden] of query-document pairs -> scores [B]. */
export function crossEncoderHead(params: Params, hidden: tf.Tensor3D): tf.Tensor1D {
  const cls = hidden.slice([0, 0, 0], [-1, 1, -1]).reshape([hidden.shape[0], hidden.shape[2]]);
  return linear(params, "cross.score", cls).reshape([-1]) as tf.Tensor1D;
}
