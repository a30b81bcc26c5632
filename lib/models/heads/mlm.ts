/**
 * Masked-language-model head, as transformers' `ModernBertForMaskedLM` has it: `head.dense`,
 * the activation, `head.norm`, then the vocabulary `decoder`; its parameters are the task
 * model's own names under `mlm.`, so a backbone checkpoint is a ModernBertForMaskedLM folder.
 *
 * The suite's decoder is not tied to the token embedding table (`tie_word_embeddings`
 * false): with a tied table every row receives a softmax gradient at every step, and Adam
 * turns even the tiny gradients of rare tokens into full-size steps along one shared
 * direction. Measured on a 400-step small-profile backbone (of the suite's earlier pre-norm
 * encoder): mean cosine between token-embedding rows 0.20 tied, 0.015 untied. A folder that
 * ties them (ModernBERT-base) has no decoder weight: the token table is read instead.
 */
import * as tf from "@tensorflow/tfjs";
import { gatherRows } from "../ops.ts";
import { param, type ParamInit, type Params } from "../params.ts";
import type { EncoderConfig } from "../encoder.ts";
import { ENCODER_PREFIX } from "../encoder_inputs.ts";
import { ACTIVATIONS, torchLayerNorm, torchLinear } from "../hf_ops.ts";

/** Prefix of the MLM head's parameters. */
export const MLM_PREFIX = "mlm.";

/** Create the head's dense layer, its norm and an untied decoder. */
export function initMlmHead(init: ParamInit, config: EncoderConfig): void {
  const { hiddenSize: hidden, vocabSize } = config;
  init.normal(`${MLM_PREFIX}head.dense.weight`, [hidden, hidden]);
  if (config.json.classifier_bias === true) {
    init.constant(`${MLM_PREFIX}head.dense.bias`, [hidden], 0);
  }
  init.constant(`${MLM_PREFIX}head.norm.weight`, [hidden], 1);
  if (config.json.norm_bias === true) init.constant(`${MLM_PREFIX}head.norm.bias`, [hidden], 0);
  init.normal(`${MLM_PREFIX}decoder.weight`, [vocabSize, hidden]);
  init.constant(`${MLM_PREFIX}decoder.bias`, [vocabSize], 0);
}

/**
 * Vocabulary logits at the chosen positions only: `hidden` [B, L, H], `positions` int32
 * flat indices into B x L. Scoring only the ~15% masked tokens saves most of the
 * vocabulary-sized matrix product.
 */
export function mlmHead(
  params: Params,
  config: EncoderConfig,
  inputs: { hidden: tf.Tensor3D; positions: tf.Tensor1D },
): tf.Tensor2D {
  const [batch, length, width] = inputs.hidden.shape;
  const flat = inputs.hidden.reshape([batch * length, width]);
  const picked = gatherRows(flat, inputs.positions) as tf.Tensor2D;
  const act = ACTIVATIONS[String(config.json.classifier_activation ?? "gelu")];
  const eps = Number(config.json.norm_eps ?? config.json.layer_norm_eps ?? 1e-5);
  const dense = act(torchLinear(params, `${MLM_PREFIX}head.dense`, picked));
  const transformed = torchLayerNorm(params, `${MLM_PREFIX}head.norm`, dense, eps);
  const decoder = params.get(`${MLM_PREFIX}decoder.weight`) ??
    param(params, `${ENCODER_PREFIX}embeddings.tok_embeddings.weight`);
  const logits = tf.matMul(transformed, decoder, false, true);
  return tf.add(logits, param(params, `${MLM_PREFIX}decoder.bias`));
}
