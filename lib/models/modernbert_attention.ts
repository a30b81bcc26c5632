/**
 * ModernBERT's self-attention: one fused Wqkv projection, rotary position embeddings on queries
 * and keys, and either full attention or attention within a sliding window of neighbours.
 */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "./params.ts";
import { keyMaskBias, scaledDotProductAttention, splitHeads, torchLinear } from "./hf_ops.ts";

/** What the attention of every layer of one type needs besides its input, for one batch. */
export interface AttentionContext {
  /** Rotary cosines [L, headSize] at positions 0..L-1. */
  cos: tf.Tensor2D;
  /**
   * The sines, negated in the first half: rotateHalf(x) * sin is [-x2, x1] * sin, and
   * [x2, x1] * this gives the same bits (IEEE products are symmetric in sign) without a Neg.
   */
  signedSin: tf.Tensor2D;
  /** Additive bias [B, 1, L, L] hiding padding keys and keys outside the window. */
  bias: tf.Tensor4D;
  /** [B, L, 1]: 0 for a query that sees no key at all, 1 otherwise. */
  live: tf.Tensor3D;
}

/**
 * The context of layers with rotary base `theta` whose queries see keys at most `halfWindow`
 * positions away (Infinity for full attention), in a batch with this [B, L] attention mask.
 */
export function attentionContext(
  attentionMask: tf.Tensor2D,
  options: { headSize: number; theta: number; halfWindow: number },
): AttentionContext {
  const { headSize, theta, halfWindow } = options;
  const length = attentionMask.shape[1];
  const half = headSize / 2;
  const cos = new Float32Array(length * headSize);
  const signedSin = new Float32Array(length * headSize);
  for (let i = 0; i < half; i++) {
    // Rounded to float32 at each step as transformers computes them, so that angles at far
    // positions (p x frequency) agree to the last bit rather than drift apart.
    const frequency = Math.fround(1 / Math.fround(theta ** Math.fround((2 * i) / headSize)));
    for (let p = 0; p < length; p++) {
      const angle = Math.fround(p * frequency);
      cos[p * headSize + i] = cos[p * headSize + half + i] = Math.cos(angle);
      signedSin[p * headSize + half + i] = Math.sin(angle);
      signedSin[p * headSize + i] = -signedSin[p * headSize + half + i];
    }
  }
  const near = new Float32Array(length * length);
  for (let q = 0; q < length; q++) {
    for (let k = 0; k < length; k++) near[q * length + k] = Math.abs(q - k) <= halfWindow ? 1 : 0;
  }
  const window = tf.tensor2d(near, [length, length]);
  return {
    cos: tf.tensor2d(cos, [length, headSize]),
    signedSin: tf.tensor2d(signedSin, [length, headSize]),
    bias: tf.add(keyMaskBias(attentionMask), tf.mul(tf.sub(window, 1), 1e9)),
    // torch's sdpa gives a query with no visible key (a padding position further than the
    // window from any real token) a zero attention output; the window is symmetric.
    live: tf.greater(tf.matMul(attentionMask, window), 0).cast("float32").expandDims(2),
  };
}

/** Self-attention of [B, L, hidden] `x` with the `Wqkv` and `Wo` projections under `prefix`. */
export function modernBertAttention(
  params: Params,
  x: tf.Tensor3D,
  options: { prefix: string; heads: number; context: AttentionContext },
): tf.Tensor3D {
  const { prefix, heads, context } = options;
  const qkv = torchLinear(params, `${prefix}.Wqkv`, x);
  const width = qkv.shape[2] / 3;
  // Queries and keys are rotated together, as 2 x heads heads: the same products, half the
  // operations (each one costs tfjs a dispatch, forward and backward).
  const [queryKey, valueRows] = tf.split<tf.Tensor3D>(qkv, [2 * width, width], -1);
  const [query, key] = tf.split<tf.Tensor4D>(
    rotate(splitHeads(queryKey, 2 * heads), context),
    2,
    1,
  );
  const attended = scaledDotProductAttention(
    { query, key, value: splitHeads(valueRows, heads) },
    context.bias,
  );
  return torchLinear(params, `${prefix}.Wo`, tf.mul(attended, context.live) as tf.Tensor3D);
}

/**
 * Rotary embedding x * cos + rotateHalf(x) * sin, with transformers' pairing
 * rotateHalf([x1, x2]) = [-x2, x1]; the minus sign lives in `signedSin`.
 */
function rotate(x: tf.Tensor4D, context: AttentionContext): tf.Tensor4D {
  const [first, second] = tf.split<tf.Tensor4D>(x, 2, -1);
  const swapped = tf.concat<tf.Tensor4D>([second, first], -1);
  return tf.add(tf.mul(x, context.cos), tf.mul(swapped, context.signedSin));
}
