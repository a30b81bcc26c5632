/**
 * A BERT-style transformer encoder in plain TensorFlow.js ops, sized by configuration.
 *
 * Pre-layer-norm (LN before attention and feed-forward, one final LN): it trains from a
 * random start without warmup tricks, which matters because no pretrained backbone can be
 * downloaded here and every model starts from scratch. Learned absolute positions, GELU,
 * no dropout (small models trained for few steps do not overfit, and it keeps runs
 * exactly reproducible).
 *
 * ```ts
 * const params: Params = new Map();
 * initTransformer(new ParamInit(params, 0), TINY_TRANSFORMER);
 * const hidden = transformerForward(params, TINY_TRANSFORMER, ids, mask); // [B, L, hidden]
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { gatherRows, gelu, layerNorm, linear } from "./ops.ts";
import { param, type ParamInit, type Params } from "./params.ts";

/** Shape of the encoder. */
export interface TransformerConfig {
  /** Token vocabulary size (30,522 for bert-base-uncased's WordPiece). */
  vocabSize: number;
  /** Width of every token vector. */
  hidden: number;
  /** Number of transformer blocks. */
  layers: number;
  /** Attention heads; `hidden` must be divisible by it. */
  heads: number;
  /** Width of the feed-forward layer (4 x hidden in BERT). */
  intermediate: number;
  /** Longest input the position table covers. */
  maxLength: number;
}

/** A very small encoder for tests: trains in seconds on one core. */
export const TINY_TRANSFORMER: TransformerConfig = {
  vocabSize: 30522,
  hidden: 32,
  layers: 2,
  heads: 2,
  intermediate: 64,
  maxLength: 64,
};

/** Create the encoder's parameters under the `encoder.` prefix. */
export function initTransformer(init: ParamInit, config: TransformerConfig): void {
  if (config.hidden % config.heads !== 0) {
    throw new Error(`hidden ${config.hidden} is not divisible by heads ${config.heads}`);
  }
  const { hidden, intermediate } = config;
  init.normal("encoder.embeddings.token", [config.vocabSize, hidden]);
  init.normal("encoder.embeddings.position", [config.maxLength, hidden]);
  for (let layer = 0; layer < config.layers; layer++) {
    const p = `encoder.layers.${layer}`;
    init.constant(`${p}.attention_norm.gain`, [hidden], 1);
    init.constant(`${p}.attention_norm.bias`, [hidden], 0);
    init.normal(`${p}.attention.qkv.weight`, [hidden, 3 * hidden]);
    init.constant(`${p}.attention.qkv.bias`, [3 * hidden], 0);
    init.normal(`${p}.attention.output.weight`, [hidden, hidden]);
    init.constant(`${p}.attention.output.bias`, [hidden], 0);
    init.constant(`${p}.feed_forward_norm.gain`, [hidden], 1);
    init.constant(`${p}.feed_forward_norm.bias`, [hidden], 0);
    init.normal(`${p}.feed_forward.up.weight`, [hidden, intermediate]);
    init.constant(`${p}.feed_forward.up.bias`, [intermediate], 0);
    init.normal(`${p}.feed_forward.down.weight`, [intermediate, hidden]);
    init.constant(`${p}.feed_forward.down.bias`, [hidden], 0);
  }
  init.constant("encoder.final_norm.gain", [hidden], 1);
  init.constant("encoder.final_norm.bias", [hidden], 0);
}

/**
 * Token vectors of a batch: `inputIds` int32 [B, L], `attentionMask` float32 [B, L]
 * (1 = attend), and optionally `extraEmbeddings` [B, L, hidden] added to the token and
 * position embeddings (a head's own input features: the cross-encoder's segments and exact
 * matches). Returns float32 [B, L, hidden]. Masked positions still get an output vector
 * (ColBERT scores the [MASK] expansion tokens), they are just never attended to.
 */
export function transformerForward(
  params: Params,
  config: TransformerConfig,
  inputIds: tf.Tensor2D,
  attentionMask: tf.Tensor2D,
  extraEmbeddings?: tf.Tensor3D,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, length] = inputIds.shape;
    if (length > config.maxLength) {
      throw new Error(`input length ${length} exceeds the model's maxLength ${config.maxLength}`);
    }
    const tokens = gatherRows(param(params, "encoder.embeddings.token"), inputIds);
    const positions = param(params, "encoder.embeddings.position").slice([0, 0], [length, -1]);
    let x = tf.add(tokens, positions) as tf.Tensor3D;
    if (extraEmbeddings) x = tf.add(x, extraEmbeddings);
    // Additive bias: 0 where attended, a large negative number where masked, so the
    // softmax gives masked keys a weight of exactly 0 in float32.
    const maskBias = tf.mul(tf.sub(1, attentionMask), -1e9).reshape([batch, 1, 1, length]);
    for (let layer = 0; layer < config.layers; layer++) {
      const p = `encoder.layers.${layer}`;
      const attended = selfAttention(
        params,
        config,
        p,
        layerNorm(params, `${p}.attention_norm`, x),
        maskBias,
      );
      x = tf.add(x, attended);
      const normed = layerNorm(params, `${p}.feed_forward_norm`, x);
      const up = gelu(linear(params, `${p}.feed_forward.up`, normed));
      x = tf.add(x, linear(params, `${p}.feed_forward.down`, up));
    }
    return layerNorm(params, "encoder.final_norm", x);
  });
}

function selfAttention(
  params: Params,
  config: TransformerConfig,
  prefix: string,
  x: tf.Tensor3D,
  maskBias: tf.Tensor,
): tf.Tensor3D {
  const [batch, length, hidden] = x.shape;
  const headSize = hidden / config.heads;
  const qkv = linear(params, `${prefix}.attention.qkv`, x);
  // Three [B, heads, L, headSize] tensors. Split first, then a rank-4 transpose each:
  // tfjs-wasm runs a rank-5 transpose about 10x slower than this.
  const [query, key, value] = tf.split(qkv, 3, -1).map((part) =>
    part.reshape([batch, length, config.heads, headSize]).transpose([0, 2, 1, 3])
  ) as tf.Tensor4D[];
  const scores = tf.add(
    tf.mul(tf.matMul(query, key, false, true), 1 / Math.sqrt(headSize)),
    maskBias,
  );
  const context = tf.matMul(tf.softmax(scores), value);
  const merged = context.transpose([0, 2, 1, 3]).reshape([batch, length, hidden]) as tf.Tensor3D;
  return linear(params, `${prefix}.attention.output`, merged);
}

/**
 * Floating-point operations of one forward pass per token at sequence length `length`:
 * 2 x (weights touched per token) for the dense layers plus the two attention products.
 * A training step costs about 3x this (forward + backward).
 */
export function forwardFlopsPerToken(config: TransformerConfig, length: number): number {
  const { hidden, intermediate, layers } = config;
  const dense = 3 * hidden * hidden + hidden * hidden + 2 * hidden * intermediate;
  const attention = 2 * length * hidden;
  return layers * 2 * (dense + attention);
}
