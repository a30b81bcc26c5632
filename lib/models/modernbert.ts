/**
 * ModernBERT, as transformers' `ModernBertModel` defines it: token embeddings under a LayerNorm,
 * pre-norm blocks whose attention is global every few layers and sliding-window in between
 * (both with rotary positions), GeGLU feed-forward, a final LayerNorm. Parameters carry the
 * names and shapes of a `ModernBertModel` state dict.
 *
 * ```ts
 * const config = parseModernBertConfig(JSON.parse(text), "ModernBERT-base/config.json");
 * const hidden = modernBertForward(params, config, { inputIds, attentionMask }); // [B, L, 768]
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { gatherRows } from "./ops.ts";
import { param, type ParamInit, type Params } from "./params.ts";
import { ENCODER_PREFIX, type EncoderInputs } from "./encoder_inputs.ts";
import { ACTIVATIONS, torchLayerNorm, torchLinear } from "./hf_ops.ts";
import {
  type AttentionContext,
  attentionContext,
  modernBertAttention,
} from "./modernbert_attention.ts";
import type { ModernBertConfig, ModernBertLayerType } from "./modernbert_config.ts";

export {
  type ModernBertConfig,
  type ModernBertLayerType,
  parseModernBertConfig,
} from "./modernbert_config.ts";

/** The state-dict names and shapes of a `ModernBertModel`, in its order. */
export function modernBertParameterShapes(config: ModernBertConfig): Map<string, number[]> {
  const { hiddenSize: hidden, intermediateSize: inner } = config;
  const shapes = new Map<string, number[]>();
  const norm = (name: string) => {
    shapes.set(`${name}.weight`, [hidden]);
    if (config.normBias) shapes.set(`${name}.bias`, [hidden]);
  };
  const linear = (name: string, [outputs, inputs]: number[], bias: boolean) => {
    shapes.set(`${name}.weight`, [outputs, inputs]);
    if (bias) shapes.set(`${name}.bias`, [outputs]);
  };
  shapes.set("embeddings.tok_embeddings.weight", [config.vocabSize, hidden]);
  norm("embeddings.norm");
  for (let layer = 0; layer < config.numHiddenLayers; layer++) {
    const l = `layers.${layer}`;
    // Layer 0 reads the already normalised embeddings: its attn_norm is an nn.Identity.
    if (layer > 0) norm(`${l}.attn_norm`);
    linear(`${l}.attn.Wqkv`, [3 * hidden, hidden], config.attentionBias);
    linear(`${l}.attn.Wo`, [hidden, hidden], config.attentionBias);
    norm(`${l}.mlp_norm`);
    linear(`${l}.mlp.Wi`, [2 * inner, hidden], config.mlpBias);
    linear(`${l}.mlp.Wo`, [hidden, inner], config.mlpBias);
  }
  norm("final_norm");
  return shapes;
}

/**
 * Create freshly initialised parameters (normal(0, 0.02) matrices, unit norm gains, zero
 * biases; not transformers' init scheme) under ENCODER_PREFIX + the state-dict names.
 */
export function initModernBert(init: ParamInit, config: ModernBertConfig): void {
  for (const [name, shape] of modernBertParameterShapes(config)) {
    const full = ENCODER_PREFIX + name;
    if (name.endsWith(".bias")) init.constant(full, shape, 0);
    else if (shape.length === 1) init.constant(full, shape, 1);
    else init.normal(full, shape);
  }
}

/**
 * Last hidden state [B, L, hidden] of a batch; `extraEmbeddings` are added to the token
 * embeddings before their norm, token types are ignored (ModernBERT has none). Positions with
 * attention mask 0 still get output vectors (ColBERT scores its [MASK] expansion tokens), they
 * are just never attended to. Throws when L > maxPositionEmbeddings.
 */
export function modernBertForward(
  params: Params,
  config: ModernBertConfig,
  inputs: EncoderInputs,
): tf.Tensor3D {
  const length = inputs.inputIds.shape[1];
  if (length > config.maxPositionEmbeddings) {
    throw new Error(
      `input length ${length} exceeds max_position_embeddings ${config.maxPositionEmbeddings}`,
    );
  }
  return tf.tidy(() => {
    const norm = (prefix: string, t: tf.Tensor3D) =>
      torchLayerNorm(params, ENCODER_PREFIX + prefix, t, config.normEps);
    const context = (type: ModernBertLayerType) =>
      attentionContext(inputs.attentionMask, {
        headSize: config.hiddenSize / config.numAttentionHeads,
        ...(type === "full_attention"
          ? { theta: config.globalRopeTheta, halfWindow: Infinity }
          : { theta: config.localRopeTheta, halfWindow: Math.floor(config.localAttention / 2) }),
      });
    const contexts = new Map(config.layerTypes.map((type) => [type, context(type)]));
    const table = param(params, `${ENCODER_PREFIX}embeddings.tok_embeddings.weight`);
    let x = gatherRows(table, inputs.inputIds) as tf.Tensor3D;
    if (inputs.extraEmbeddings) x = tf.add(x, inputs.extraEmbeddings);
    x = norm("embeddings.norm", x);
    config.layerTypes.forEach((type, layer) => {
      // A scope per layer frees its intermediates as soon as it is done (what a backward
      // pass needs, tfjs keeps on its own), so memory does not grow with the depth.
      x = tf.tidy(() => encoderLayer(params, x, { config, layer, context: contexts.get(type)! }));
    });
    return norm("final_norm", x);
  });
}

/** One pre-norm block: x + attention(attn_norm(x)), then + Wo(act(a) * b), [a, b] = Wi(mlp_norm). */
function encoderLayer(
  params: Params,
  x: tf.Tensor3D,
  options: { config: ModernBertConfig; layer: number; context: AttentionContext },
): tf.Tensor3D {
  const { config, layer, context } = options;
  const prefix = `${ENCODER_PREFIX}layers.${layer}`;
  const norm = (name: string, t: tf.Tensor3D) =>
    torchLayerNorm(params, `${prefix}.${name}`, t, config.normEps);
  const attended = tf.add<tf.Tensor3D>(
    x,
    modernBertAttention(params, layer > 0 ? norm("attn_norm", x) : x, {
      prefix: `${prefix}.attn`,
      heads: config.numAttentionHeads,
      context,
    }),
  );
  const wi = torchLinear(params, `${prefix}.mlp.Wi`, norm("mlp_norm", attended));
  const [value, gate] = tf.split<tf.Tensor3D>(wi, 2, -1);
  const gated = tf.mul<tf.Tensor3D>(ACTIVATIONS[config.hiddenActivation](value), gate);
  return tf.add(attended, torchLinear(params, `${prefix}.mlp.Wo`, gated));
}
