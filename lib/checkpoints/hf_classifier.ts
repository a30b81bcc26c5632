/**
 * The sequence-classification heads of transformers' cross-encoders, on the encoder's token
 * vectors of `[CLS] query [SEP] document [SEP]` pairs:
 *
 * - BERT (`BertForSequenceClassification`): the pooler, tanh(dense([CLS])), then `classifier`;
 * - ModernBERT (`ModernBertForSequenceClassification`): [CLS] or mean pooling
 *   (`classifier_pooling`), `head.dense`, the activation, `head.norm`, then `classifier`.
 *
 * Their parameters live under `cross_hf.` with transformers' names.
 */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "../models/params.ts";
import type { EncoderConfig } from "../models/encoder.ts";
import { ACTIVATIONS, torchLayerNorm, torchLinear } from "../models/hf_ops.ts";

/** Prefix of the classification head's parameters. */
export const HF_CLASSIFIER_PREFIX = "cross_hf.";

/** One score per pair [B] from token vectors [B, L, H] and the attention mask [B, L]. */
export function hfClassifierScores(
  params: Params,
  config: EncoderConfig,
  inputs: { hidden: tf.Tensor3D; attentionMask: tf.Tensor2D },
): tf.Tensor1D {
  const p = (name: string) => HF_CLASSIFIER_PREFIX + name;
  const { hidden, attentionMask } = inputs;
  const cls = hidden.slice([0, 0, 0], [-1, 1, -1]).squeeze([1]) as tf.Tensor2D;
  let pooled: tf.Tensor2D;
  if (config.modelType === "bert") {
    pooled = tf.tanh(torchLinear(params, p("pooler.dense"), cls));
  } else {
    const mean = () => {
      const weights = attentionMask.expandDims(2);
      return tf.div(tf.sum(tf.mul(hidden, weights), 1), tf.sum(weights, 1)) as tf.Tensor2D;
    };
    const base = config.json.classifier_pooling === "mean" ? mean() : cls;
    const act = ACTIVATIONS[String(config.json.classifier_activation ?? "gelu")];
    if (!act) {
      throw new Error(`unsupported classifier_activation ${config.json.classifier_activation}`);
    }
    const eps = Number(config.json.norm_eps ?? 1e-5);
    pooled = torchLayerNorm(
      params,
      p("head.norm"),
      act(torchLinear(params, p("head.dense"), base)),
      eps,
    );
  }
  return torchLinear(params, p("classifier"), pooled).reshape([-1]) as tf.Tensor1D;
}
