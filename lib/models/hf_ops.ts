/**
 * Layers as PyTorch stores them, so a model's parameters are a transformers state dict
 * (same names, same shapes) and a checkpoint needs no renaming or transposing:
 * `nn.Linear` keeps its weight as [out, in], `nn.LayerNorm` its gain as `weight`.
 */
import * as tf from "@tensorflow/tfjs";
import { param, type Params } from "./params.ts";

/** `x @ weight^T + bias` on the last axis (`nn.Linear`); the bias is optional. */
export function torchLinear<T extends tf.Tensor>(params: Params, prefix: string, x: T): T {
  const weight = param(params, `${prefix}.weight`);
  const bias = params.get(`${prefix}.bias`);
  const [outputs, inputs] = weight.shape;
  const flat = tf.matMul(x.reshape([-1, inputs]), weight, false, true);
  const out = bias ? tf.add(flat, bias) : flat;
  return out.reshape([...x.shape.slice(0, -1), outputs]) as T;
}

/** `nn.LayerNorm` over the last axis: `weight` gain, optional `bias` (ModernBERT has none). */
export function torchLayerNorm<T extends tf.Tensor>(
  params: Params,
  prefix: string,
  x: T,
  epsilon: number,
): T {
  const { mean, variance } = tf.moments(x, -1, true);
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, epsilon)));
  const scaled = tf.mul(normed, param(params, `${prefix}.weight`));
  const bias = params.get(`${prefix}.bias`);
  return (bias ? tf.add(scaled, bias) : scaled) as T;
}

/** GELU as `nn.GELU()` computes it, with the error function (not the tanh approximation). */
export function geluErf<T extends tf.Tensor>(x: T): T {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))) as T;
}

/** The activations transformers names in `hidden_act` / `hidden_activation` that we compute. */
export const ACTIVATIONS: Readonly<Record<string, <T extends tf.Tensor>(x: T) => T>> = {
  gelu: geluErf,
  relu: tf.relu,
};

/**
 * Additive attention bias [B, 1, 1, L] from a [B, L] mask (1 = attend): 0 where a key may
 * be attended, a large negative number elsewhere, so softmax gives masked keys exactly 0.
 */
export function keyMaskBias(attentionMask: tf.Tensor2D): tf.Tensor4D {
  const [batch, length] = attentionMask.shape;
  return tf.mul(tf.sub(1, attentionMask), -1e9).reshape([batch, 1, 1, length]);
}

/**
 * Scaled dot-product attention of [B, heads, L, d] queries, keys and values under an
 * additive `bias` broadcastable to [B, heads, L, L]; returns [B, L, heads x d].
 */
export function scaledDotProductAttention(
  qkv: { query: tf.Tensor4D; key: tf.Tensor4D; value: tf.Tensor4D },
  bias: tf.Tensor,
): tf.Tensor3D {
  const [batch, heads, length, headSize] = qkv.query.shape;
  const scores = tf.add(
    tf.mul(tf.matMul(qkv.query, qkv.key, false, true), 1 / Math.sqrt(headSize)),
    bias,
  );
  const context = tf.matMul(tf.softmax(scores), qkv.value);
  return context.transpose([0, 2, 1, 3]).reshape([batch, length, heads * headSize]);
}

/** [B, L, heads x d] -> [B, heads, L, d]. */
export function splitHeads(x: tf.Tensor3D, heads: number): tf.Tensor4D {
  const [batch, length, width] = x.shape;
  return x.reshape([batch, length, heads, width / heads]).transpose([0, 2, 1, 3]);
}
