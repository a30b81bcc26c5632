/**
 * ModernBERT's config.json, read the way transformers 5 reads it: the layer pattern from
 * `layer_types` or, in files written by transformers 4, `global_attn_every_n_layers`; the rotary
 * bases from `rope_parameters` or `global_rope_theta` / `local_rope_theta`.
 */
import { configFields, type EncoderConfigBase } from "./config_fields.ts";
import { ACTIVATIONS } from "./hf_ops.ts";

/** Full (global) attention, or attention within a sliding window (local). */
export type ModernBertLayerType = "full_attention" | "sliding_attention";

/** ModernBERT hyper-parameters, parsed from a transformers config.json (model_type "modernbert"). */
export interface ModernBertConfig extends EncoderConfigBase {
  modelType: "modernbert";
  /** Attention kind of each layer. */
  layerTypes: ModernBertLayerType[];
  /** Window of local layers: a query sees the keys at most floor(localAttention / 2) away. */
  localAttention: number;
  /** Rotary base of full-attention layers. */
  globalRopeTheta: number;
  /** Rotary base of sliding-window layers. */
  localRopeTheta: number;
  normEps: number;
  /** LayerNorms have a bias. */
  normBias: boolean;
  /** Wqkv and the attention's Wo have biases. */
  attentionBias: boolean;
  /** The MLP's Wi and Wo have biases. */
  mlpBias: boolean;
  /** A key of ACTIVATIONS (hf_ops.ts). */
  hiddenActivation: string;
}

/** transformers' `ModernBertConfig` defaults (ModernBERT-base); the rotary ones are below. */
const MODERNBERT_DEFAULTS: Record<string, unknown> = {
  model_type: "modernbert",
  architectures: ["ModernBertModel"],
  vocab_size: 50368,
  hidden_size: 768,
  intermediate_size: 1152,
  num_hidden_layers: 22,
  num_attention_heads: 12,
  hidden_activation: "gelu",
  max_position_embeddings: 8192,
  initializer_range: 0.02,
  initializer_cutoff_factor: 2.0,
  norm_eps: 1e-5,
  norm_bias: false,
  pad_token_id: 50283,
  eos_token_id: 50282,
  bos_token_id: 50281,
  cls_token_id: 50281,
  sep_token_id: 50282,
  attention_bias: false,
  attention_dropout: 0.0,
  global_attn_every_n_layers: 3,
  local_attention: 128,
  embedding_dropout: 0.0,
  mlp_bias: false,
  mlp_dropout: 0.0,
  decoder_bias: true,
  classifier_pooling: "cls",
  classifier_dropout: 0.0,
  classifier_bias: false,
  classifier_activation: "gelu",
  deterministic_flash_attn: false,
  sparse_prediction: false,
  sparse_pred_ignore_index: -100,
  tie_word_embeddings: true,
};

/** Rotary base per layer type when neither `rope_parameters` nor the legacy key sets it. */
const ROPE_DEFAULTS = {
  full_attention: { legacyKey: "global_rope_theta", theta: 160_000 },
  sliding_attention: { legacyKey: "local_rope_theta", theta: 10_000 },
};

/**
 * Parse (and validate) a config.json object; `source` names the file in errors. Missing keys
 * take transformers' ModernBertConfig defaults, so a partial object (e.g. {model_type,
 * vocab_size, hidden_size, ...}) creates a new config whose `json` is complete.
 */
export function parseModernBertConfig(
  json: Record<string, unknown>,
  source: string,
): ModernBertConfig {
  if (json.model_type !== "modernbert") {
    throw new Error(
      `${source}: "model_type" must be "modernbert", got ${JSON.stringify(json.model_type)}`,
    );
  }
  const fields = configFields(json, { source, defaults: MODERNBERT_DEFAULTS });
  const numHiddenLayers = fields.int("num_hidden_layers");
  fields.json.layer_types ??= Array.from(
    { length: numHiddenLayers },
    (_, i) => i % fields.int("global_attn_every_n_layers") ? "sliding_attention" : "full_attention",
  );
  fields.json.rope_parameters = ropeParameters(fields.json, source);
  const rope = fields.json.rope_parameters as Record<ModernBertLayerType, { rope_theta: number }>;
  const config: ModernBertConfig = {
    modelType: "modernbert",
    vocabSize: fields.int("vocab_size"),
    hiddenSize: fields.int("hidden_size"),
    intermediateSize: fields.int("intermediate_size"),
    numHiddenLayers,
    numAttentionHeads: fields.int("num_attention_heads"),
    maxPositionEmbeddings: fields.int("max_position_embeddings"),
    layerTypes: layerTypes(fields.json.layer_types, numHiddenLayers, source),
    localAttention: fields.int("local_attention"),
    globalRopeTheta: rope.full_attention.rope_theta,
    localRopeTheta: rope.sliding_attention.rope_theta,
    normEps: fields.number("norm_eps"),
    normBias: fields.bool("norm_bias"),
    attentionBias: fields.bool("attention_bias"),
    mlpBias: fields.bool("mlp_bias"),
    hiddenActivation: fields.string("hidden_activation", Object.keys(ACTIVATIONS)),
    json: fields.json,
  };
  if (config.hiddenSize % config.numAttentionHeads !== 0) {
    throw new Error(
      `${source}: "hidden_size" ${config.hiddenSize} is not divisible by ` +
        `"num_attention_heads" ${config.numAttentionHeads}`,
    );
  }
  if ((config.hiddenSize / config.numAttentionHeads) % 2 !== 0) {
    throw new Error(
      `${source}: rotary embeddings need an even head size, but "hidden_size" / ` +
        `"num_attention_heads" is ${config.hiddenSize / config.numAttentionHeads}`,
    );
  }
  return config;
}

/** `layer_types`, checked: one known type per layer. */
function layerTypes(value: unknown, layers: number, source: string): ModernBertLayerType[] {
  const known = (type: unknown) => type === "full_attention" || type === "sliding_attention";
  if (!Array.isArray(value) || value.length !== layers || !value.every(known)) {
    throw new Error(
      `${source}: "layer_types" must list "full_attention" or "sliding_attention" for each ` +
        `of the ${layers} layers, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** `rope_parameters` completed as transformers 5 completes it (default rotary only). */
function ropeParameters(json: Record<string, unknown>, source: string): Record<string, unknown> {
  if (json.rope_scaling != null) {
    throw new Error(
      `${source}: "rope_scaling" is not supported, got ${JSON.stringify(json.rope_scaling)}`,
    );
  }
  const given = (json.rope_parameters ?? {}) as Record<string, Record<string, unknown>>;
  const complete: Record<string, Record<string, unknown>> = {};
  for (const [type, { legacyKey, theta }] of Object.entries(ROPE_DEFAULTS)) {
    const entry = { rope_type: "default", rope_theta: json[legacyKey] ?? theta, ...given[type] };
    if (entry.rope_type !== "default") {
      throw new Error(
        `${source}: "rope_parameters.${type}.rope_type" must be "default", got ${
          JSON.stringify(entry.rope_type)
        }`,
      );
    }
    if (typeof entry.rope_theta !== "number" || !(entry.rope_theta > 0)) {
      throw new Error(
        `${source}: the ${type} rotary base ("rope_parameters.${type}.rope_theta" or ` +
          `"${legacyKey}") must be a positive number, got ${JSON.stringify(entry.rope_theta)}`,
      );
    }
    complete[type] = entry;
  }
  return complete;
}
