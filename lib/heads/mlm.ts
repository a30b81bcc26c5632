/**
 * Masked-language-model head, as in BERT: dense + GELU + layer norm, then a vocabulary
 * decoder. Unlike BERT the decoder is not tied to the token embedding table: with a tied
 * table every row receives a softmax gradient at every step, and Adam turns even the
 * tiny gradients of rare tokens into full-size steps along one shared direction. Measured
 * on a 400-step small-profile backbone: mean cosine between token-embedding rows 0.20
 * tied, 0.015 untied. It does not make a short MLM run a good starting point, though:
 * the hidden states still share one direction, and neither backbone could be trained
 * contrastively (notebook 01, README "Sizing the small profile").
 */
import * as tf from "@tensorflow/tfjs";
import { gatherRows, gelu, layerNorm, linear } from "../ops.ts";
import { param, type ParamInit, type Params } from "../params.ts";

/** Create the transform, its layer norm and the decoder. */
export function initMlmHead(init: ParamInit, hidden: number, vocabSize: number): void {
  init.normal("mlm.transform.weight", [hidden, hidden]);
  init.normal("mlm.decoder.weight", [vocabSize, hidden]);
  init.constant("mlm.transform.bias", [hidden], 0);
  init.constant("mlm.norm.gain", [hidden], 1);
  init.constant("mlm.norm.bias", [hidden], 0);
  init.constant("mlm.decoder.bias", [vocabSize], 0);
}

/**
 * Vocabulary logits at the chosen positions only: `hidden` [B, L, H], `positions` int32
 * flat indices into B x L. Scoring only the ~15% masked tokens saves most of the
 * vocabulary-sized matrix product.
 */
export function mlmHead(params: Params, hidden: tf.Tensor3D, positions: tf.Tensor1D): tf.Tensor2D {
  const [batch, length, width] = hidden.shape;
  const picked = gatherRows(hidden.reshape([batch * length, width]), positions) as tf.Tensor2D;
  const transformed = layerNorm(params, "mlm.norm", gelu(linear(params, "mlm.transform", picked)));
  const logits = tf.matMul(transformed, param(params, "mlm.decoder.weight"), false, true);
  return tf.add(logits, param(params, "mlm.decoder.bias"));
}
