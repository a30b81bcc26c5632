/**
 * BERT, as transformers' `BertModel` defines it: token + absolute position + token type
 * embeddings under a LayerNorm, then post-LayerNorm blocks (attention, add, norm; feed-forward,
 * add, norm). Parameters carry the names and shapes of a `BertModel` state dict, so a
 * Hugging Face folder loads without renaming and a saved one is a Hugging Face checkpoint.
 *
 * ```ts
 * const config = parseBertConfig(JSON.parse(text), "all-MiniLM-L6-v2/config.json");
 * const hidden = bertForward(params, config, { inputIds, attentionMask }); // [B, L, 384]
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { gatherRows } from "./ops.ts";
import { param, type ParamInit, type Params } from "./params.ts";
import { configFields, type EncoderConfigBase } from "./config_fields.ts";
import { ENCODER_PREFIX, type EncoderInputs } from "./encoder_inputs.ts";
import {
  ACTIVATIONS,
  keyMaskBias,
  scaledDotProductAttention,
  splitHeads,
  torchLayerNorm,
  torchLinear,
} from "./hf_ops.ts";

/** BERT hyper-parameters, parsed from a transformers config.json (model_type "bert"). */
export interface BertConfig extends EncoderConfigBase {
  modelType: "bert";
  typeVocabSize: number;
  layerNormEps: number;
  hiddenAct: string;
}

/** transformers' `BertConfig` defaults (bert-base-uncased). */
const BERT_DEFAULTS: Record<string, unknown> = {
  model_type: "bert",
  architectures: ["BertModel"],
  vocab_size: 30522,
  hidden_size: 768,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  intermediate_size: 3072,
  hidden_act: "gelu",
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
  position_embedding_type: "absolute",
};

/** Parse and check a BERT config.json object; missing keys take transformers' defaults. */
export function parseBertConfig(json: Record<string, unknown>, source: string): BertConfig {
  const fields = configFields(json, { source, defaults: BERT_DEFAULTS });
  fields.string("position_embedding_type", ["absolute"]);
  const config: BertConfig = {
    modelType: "bert",
    vocabSize: fields.int("vocab_size"),
    hiddenSize: fields.int("hidden_size"),
    intermediateSize: fields.int("intermediate_size"),
    numHiddenLayers: fields.int("num_hidden_layers"),
    numAttentionHeads: fields.int("num_attention_heads"),
    maxPositionEmbeddings: fields.int("max_position_embeddings"),
    typeVocabSize: fields.int("type_vocab_size"),
    layerNormEps: fields.number("layer_norm_eps"),
    hiddenAct: fields.string("hidden_act", Object.keys(ACTIVATIONS)),
    json: fields.json,
  };
  if (config.hiddenSize % config.numAttentionHeads !== 0) {
    throw new Error(
      `${source}: hidden_size ${config.hiddenSize} is not divisible by ` +
        `num_attention_heads ${config.numAttentionHeads}`,
    );
  }
  return config;
}

/** The state-dict names and shapes of a `BertModel` (without the pooler). */
export function bertParameterShapes(config: BertConfig): Map<string, number[]> {
  const { hiddenSize: hidden, intermediateSize: inner } = config;
  const shapes = new Map<string, number[]>([
    ["embeddings.word_embeddings.weight", [config.vocabSize, hidden]],
    ["embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, hidden]],
    ["embeddings.token_type_embeddings.weight", [config.typeVocabSize, hidden]],
    ["embeddings.LayerNorm.weight", [hidden]],
    ["embeddings.LayerNorm.bias", [hidden]],
  ]);
  const linear = (name: string, outputs: number, inputs: number) => {
    shapes.set(`${name}.weight`, [outputs, inputs]);
    shapes.set(`${name}.bias`, [outputs]);
  };
  for (let layer = 0; layer < config.numHiddenLayers; layer++) {
    const p = `encoder.layer.${layer}`;
    for (const part of ["query", "key", "value"]) {
      linear(`${p}.attention.self.${part}`, hidden, hidden);
    }
    linear(`${p}.attention.output.dense`, hidden, hidden);
    shapes.set(`${p}.attention.output.LayerNorm.weight`, [hidden]);
    shapes.set(`${p}.attention.output.LayerNorm.bias`, [hidden]);
    linear(`${p}.intermediate.dense`, inner, hidden);
    linear(`${p}.output.dense`, hidden, inner);
    shapes.set(`${p}.output.LayerNorm.weight`, [hidden]);
    shapes.set(`${p}.output.LayerNorm.bias`, [hidden]);
  }
  return shapes;
}

/**
 * Forward-pass FLOPs per token of `config` at sequence length `length`: 2 x the weights a
 * token touches (query, key, value and output: 4 hidden^2; the feed-forward's two layers:
 * 2 hidden x intermediate) plus the two attention products. A training step costs about 3x.
 */
export function bertFlopsPerToken(config: BertConfig, length: number): number {
  const { hiddenSize: hidden, intermediateSize: inner, numHiddenLayers: layers } = config;
  return layers * 2 * (4 * hidden * hidden + 2 * hidden * inner + 2 * length * hidden);
}

/** Freshly initialised BERT parameters: normal(0, 0.02) matrices, unit gains, zero biases. */
export function initBert(init: ParamInit, config: BertConfig): void {
  for (const [name, shape] of bertParameterShapes(config)) {
    const full = ENCODER_PREFIX + name;
    if (name.endsWith("LayerNorm.weight")) init.constant(full, shape, 1);
    else if (name.endsWith(".bias")) init.constant(full, shape, 0);
    else init.normal(full, shape);
  }
}

/** Last hidden state [B, L, hidden] of a batch (masked positions get vectors too). */
export function bertForward(
  params: Params,
  config: BertConfig,
  inputs: EncoderInputs,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, length] = inputs.inputIds.shape;
    if (length > config.maxPositionEmbeddings) {
      throw new Error(
        `input length ${length} exceeds max_position_embeddings ${config.maxPositionEmbeddings}`,
      );
    }
    const p = (name: string) => param(params, ENCODER_PREFIX + name);
    const types = inputs.tokenTypeIds ?? tf.zeros([batch, length], "int32");
    let x = tf.addN([
      gatherRows(p("embeddings.word_embeddings.weight"), inputs.inputIds),
      p("embeddings.position_embeddings.weight").slice([0, 0], [length, -1]),
      gatherRows(p("embeddings.token_type_embeddings.weight"), types),
    ].map((t) => tf.broadcastTo(t, [batch, length, config.hiddenSize]))) as tf.Tensor3D;
    if (inputs.extraEmbeddings) x = tf.add(x, inputs.extraEmbeddings);
    const norm = (name: string, t: tf.Tensor3D) =>
      torchLayerNorm(params, ENCODER_PREFIX + name, t, config.layerNormEps);
    const linear = (name: string, t: tf.Tensor3D) => torchLinear(params, ENCODER_PREFIX + name, t);
    const act = ACTIVATIONS[config.hiddenAct];
    x = norm("embeddings.LayerNorm", x);
    const bias = keyMaskBias(inputs.attentionMask);
    for (let layer = 0; layer < config.numHiddenLayers; layer++) {
      const l = `encoder.layer.${layer}`;
      const input = x;
      // A scope per layer frees its intermediates as soon as it is done (what a backward pass
      // needs, tfjs keeps on its own): without it, encoding 64 texts of 180 tokens held every
      // layer's at once, 8.6 GiB, and spent most of its time faulting in fresh pages.
      x = tf.tidy(() => {
        const heads = (part: string) =>
          splitHeads(linear(`${l}.attention.self.${part}`, input), config.numAttentionHeads);
        const context = scaledDotProductAttention(
          { query: heads("query"), key: heads("key"), value: heads("value") },
          bias,
        );
        const attended = norm(
          `${l}.attention.output.LayerNorm`,
          tf.add(input, linear(`${l}.attention.output.dense`, context)),
        );
        const inner = act(linear(`${l}.intermediate.dense`, attended));
        return norm(`${l}.output.LayerNorm`, tf.add(attended, linear(`${l}.output.dense`, inner)));
      });
    }
    return x;
  });
}
