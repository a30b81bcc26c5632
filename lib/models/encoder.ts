/**
 * The encoder architectures a model can have, behind one set of functions: the suite's own
 * pre-norm transformer (models trained here from scratch) and, as transformers defines them,
 * BERT and ModernBERT (read from a Hugging Face config.json).
 */
import type * as tf from "@tensorflow/tfjs";
import type { ParamInit, Params } from "../params.ts";
import {
  forwardFlopsPerToken,
  initTransformer,
  type TransformerConfig,
  transformerForward,
} from "../transformer.ts";
import { type BertConfig, bertForward, initBert, parseBertConfig } from "./bert.ts";
import type { EncoderInputs } from "./encoder_inputs.ts";
import {
  initModernBert,
  type ModernBertConfig,
  modernBertForward,
  parseModernBertConfig,
} from "./modernbert.ts";

/** A Hugging Face architecture, read from or written to config.json. */
export type HfEncoderConfig = BertConfig | ModernBertConfig;

/** Any encoder a model can have. */
export type EncoderConfig = TransformerConfig | HfEncoderConfig;

/** The sizes every architecture has, under one set of names. */
export interface EncoderShape {
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  maxLength: number;
}

/** The `model_type` values this suite can load. */
export const HF_MODEL_TYPES = ["bert", "modernbert"] as const;

/** Parse a transformers config.json object by its `model_type`; `source` names the file. */
export function parseHfEncoderConfig(
  json: Record<string, unknown>,
  source: string,
): HfEncoderConfig {
  if (json.model_type === "bert") return parseBertConfig(json, source);
  if (json.model_type === "modernbert") return parseModernBertConfig(json, source);
  throw new Error(
    `${source}: unknown architecture (model_type ${JSON.stringify(json.model_type)}); ` +
      `this suite loads ${HF_MODEL_TYPES.join(" and ")}`,
  );
}

/** True for BERT and ModernBERT configs, false for the suite's own transformer. */
export function isHfEncoder(config: EncoderConfig): config is HfEncoderConfig {
  return "modelType" in config;
}

/** The sizes of `config`. */
export function encoderShape(config: EncoderConfig): EncoderShape {
  if (!isHfEncoder(config)) return config;
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
  if (!isHfEncoder(config)) initTransformer(init, config);
  else if (config.modelType === "bert") initBert(init, config);
  else initModernBert(init, config);
}

/** Token vectors [B, L, hidden] of a batch. */
export function encoderForward(
  params: Params,
  config: EncoderConfig,
  inputs: EncoderInputs,
): tf.Tensor3D {
  if (!isHfEncoder(config)) {
    return transformerForward(
      params,
      config,
      inputs.inputIds,
      inputs.attentionMask,
      inputs.extraEmbeddings,
    );
  }
  if (config.modelType === "bert") return bertForward(params, config, inputs);
  return modernBertForward(params, config, inputs);
}

/** Forward-pass FLOPs per token at sequence length `length` (a training step is about 3x). */
export function encoderFlopsPerToken(config: EncoderConfig, length: number): number {
  return forwardFlopsPerToken(encoderShape(config), length);
}
