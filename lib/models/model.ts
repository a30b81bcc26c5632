/**
 * A model is a transformer encoder plus one head, as a config and a flat parameter map.
 *
 * The study moves one backbone through several heads: MLM pre-training, then dense or
 * ColBERT contrastive phases, then distillation; `withHead` carries the `encoder.*`
 * weights of a parent into a model with a new head, as PyLate does when it wraps a
 * sentence-transformers model into a ColBERT model.
 */
import * as tf from "@tensorflow/tfjs";
import type { ColbertInputConfig } from "./colbert_inputs.ts";
import type { EncoderBatch } from "./encoder_inputs.ts";
import { colbertHead, initColbertHead } from "./heads/colbert.ts";
import { crossEncoderHead, initCrossEncoderHead, pairEmbeddings } from "./heads/cross_encoder.ts";
import { denseHead, type Pooling } from "./heads/dense.ts";
import { initMlmHead, mlmHead } from "./heads/mlm.ts";
import { addParam, ParamInit, type Params } from "./params.ts";
import { type EncoderConfig, encoderForward, encoderShape, initEncoder } from "./encoder.ts";
import { HF_CLASSIFIER_PREFIX, hfClassifierScores } from "../checkpoints/hf_classifier.ts";

/** Which head sits on the encoder. */
export type ModelKind = "mlm" | "colbert" | "dense" | "cross";

/** Everything needed to rebuild a model's computation (stored in checkpoints). */
export interface ModelConfig {
  kind: ModelKind;
  /** The encoder: a BERT or ModernBERT as transformers defines it (config.json). */
  transformer: EncoderConfig;
  /** Width of ColBERT token embeddings (128 in the paper). */
  colbertDim: number;
  /** Pooling of the dense head. */
  pooling: Pooling;
  /** Dense head: L2-normalise the pooled vector (default true; false for a folder without Normalize). */
  normalize?: boolean;
  /** How texts become token rows: prompts, markers, lengths (markers unused by dense). */
  inputs: ColbertInputConfig;
}

/** A config and its parameters. */
export interface Model {
  config: ModelConfig;
  params: Params;
}

/** Build a model with freshly initialised weights; the same seed gives the same weights. */
export function createModel(config: ModelConfig, options: { seed: number }): Model {
  const params: Params = new Map();
  const init = new ParamInit(params, options.seed);
  initEncoder(init, config.transformer);
  initHead(new ParamInit(params, options.seed + 1), config);
  return { config, params };
}

/** A new model of `kind` whose encoder weights are copies of `parent`'s. */
export function withHead(parent: Model, kind: ModelKind, options: { seed: number }): Model {
  const config = { ...parent.config, kind };
  const params: Params = new Map();
  for (const [name, variable] of parent.params) {
    if (name.startsWith("encoder.")) {
      addParam(params, name, variable.clone());
    }
  }
  initHead(new ParamInit(params, options.seed), config);
  return { config, params };
}

function initHead(init: ParamInit, config: ModelConfig): void {
  const { hidden } = encoderShape(config.transformer);
  if (config.kind === "colbert") initColbertHead(init, { hidden, dim: config.colbertDim });
  if (config.kind === "cross") initCrossEncoderHead(init, hidden);
  if (config.kind === "mlm") initMlmHead(init, config.transformer);
}

function encoderOutput(model: Model, batch: EncoderBatch, extra?: tf.Tensor3D): tf.Tensor3D {
  return encoderForward(model.params, model.config.transformer, {
    inputIds: batch.inputIds,
    attentionMask: batch.attentionMask,
    tokenTypeIds: batch.tokenTypeIds,
    extraEmbeddings: extra,
  });
}

/** ColBERT: normalised token embeddings [B, L, colbertDim]. */
export function encodeTokens(model: Model, batch: EncoderBatch): tf.Tensor3D {
  expectKind(model, "colbert");
  return tf.tidy(() => colbertHead(model.params, encoderOutput(model, batch)));
}

/** Dense: one normalised vector per text [B, hidden]. */
export function encodePooled(model: Model, batch: EncoderBatch): tf.Tensor2D {
  expectKind(model, "dense");
  return tf.tidy(() =>
    denseHead(encoderOutput(model, batch), batch.attentionMask, {
      pooling: model.config.pooling,
      normalize: model.config.normalize ?? true,
    })
  );
}

/**
 * Cross-encoder: relevance scores [B] of query-document pair inputs, by transformers'
 * classification head for a loaded cross-encoder, else by the suite's own teacher head.
 */
export function scorePairs(model: Model, batch: EncoderBatch): tf.Tensor1D {
  expectKind(model, "cross");
  return tf.tidy(() => {
    const { transformer } = model.config;
    if (model.params.has(`${HF_CLASSIFIER_PREFIX}classifier.weight`)) {
      const hidden = encoderOutput(model, batch);
      return hfClassifierScores(model.params, transformer, {
        hidden,
        attentionMask: batch.attentionMask,
      });
    }
    const extra = pairEmbeddings(model.params, batch);
    return crossEncoderHead(model.params, encoderOutput(model, batch, extra));
  });
}

/** MLM: vocabulary logits [M, vocab] at the flat positions `positions` (int32 [M]). */
export function mlmLogits(model: Model, batch: EncoderBatch, positions: tf.Tensor1D): tf.Tensor2D {
  expectKind(model, "mlm");
  return tf.tidy(() =>
    mlmHead(model.params, model.config.transformer, {
      hidden: encoderOutput(model, batch),
      positions,
    })
  );
}

function expectKind(model: Model, kind: ModelKind): void {
  if (model.config.kind !== kind) {
    throw new Error(`this operation needs a '${kind}' model, got a '${model.config.kind}' model`);
  }
}
