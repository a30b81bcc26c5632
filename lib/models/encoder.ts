/**
 * The encoder architectures a model can have, as transformers defines them (BERT and
 * ModernBERT, read from a Hugging Face config.json), behind one set of functions.
 */
import type * as tf from "@tensorflow/tfjs";
import type { ParamInit, Params } from "./params.ts";
import {
  type BertConfig,
  bertFlopsPerToken,
  bertForward,
  initBert,
  parseBertConfig,
} from "./bert.ts";
import type { EncoderInputs } from "./encoder_inputs.ts";
import {
  initModernBert,
  type ModernBertConfig,
  modernBertForward,
  parseModernBertConfig,
} from "./modernbert.ts";
import { type EncoderShape, forwardFlopsPerToken } from "./suite_encoder.ts";

/** An encoder's config, as read from or written to config.json. */
export type EncoderConfig = BertConfig | ModernBertConfig;

/** The `model_type` values this suite can load. */
export const HF_MODEL_TYPES = ["bert", "modernbert"] as const;

/** Parse a transformers config.json object by its `model_type`; `source` names the file. */
export function parseEncoderConfig(
  json: Record<string, unknown>,
  source: string,
): EncoderConfig {
  if (json.model_type === "bert") return parseBertConfig(json, source);
  if (json.model_type === "modernbert") return parseModernBertConfig(json, source);
  throw new Error(
    `${source}: unknown architecture (model_type ${JSON.stringify(json.model_type)}); ` +
      `this suite loads ${HF_MODEL_TYPES.join(" and ")}`,
  );
}

/** The sizes of `config`. */
export function encoderShape(config: EncoderConfig): EncoderShape {
  return {
    vocabSize: config.vocabSize,
    hidden: config.hiddenSize,
    layers: config.numHiddenLayers,
    heads: config.numAttentionHeads,
    intermediate: config.intermediateSize,
    maxLength: config.maxPositionEmbeddings,
  };
}

/** Create an encoder's parameters. */
export function initEncoder(init: ParamInit, config: EncoderConfig): void {
  if (config.modelType === "bert") initBert(init, config);
  else initModernBert(init, config);
}

/** Token vectors [B, L, hidden] of a batch. */
export function encoderForward(
  params: Params,
  config: EncoderConfig,
  inputs: EncoderInputs,
): tf.Tensor3D {
  if (config.modelType === "bert") return bertForward(params, config, inputs);
  return modernBertForward(params, config, inputs);
}

/** Forward-pass FLOPs per token at sequence length `length` (a training step is about 3x). */
export function encoderFlopsPerToken(config: EncoderConfig, length: number): number {
  if (config.modelType === "bert") return bertFlopsPerToken(config, length);
  return forwardFlopsPerToken(encoderShape(config), length);
}
