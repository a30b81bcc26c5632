/**
 * AdamW (Loshchilov & Hutter), with PyTorch's defaults and decoupled weight decay.
 *
 * Written out instead of using tf.train.adam because the paper's recipe needs a learning
 * rate that changes every step (linear decay) and decoupled weight decay, and because
 * resuming an interrupted run exactly needs the moment estimates saved and restored.
 */
import * as tf from "@tensorflow/tfjs";
import type { Params } from "../models/params.ts";
import type { NamedArray } from "../checkpoints/safetensors.ts";
import { ENCODER_PREFIX } from "../models/encoder_inputs.ts";

/** Hyper-parameters; the paper uses the library defaults with no weight decay. */
export interface AdamWConfig {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

/** PyTorch / Hugging Face defaults with weight decay 0, as in the paper. */
export const ADAMW_DEFAULTS: AdamWConfig = {
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0,
};

// Parameters under this many values are updated together (see AdamW.#update); larger ones
// alone, where copying them end to end would cost more than their kernels' fixed cost.
const SMALL_PARAMETER = 65_536;

/** AdamW state over a fixed set of named parameters. */
export class AdamW {
  /** Number of updates applied so far (the bias correction needs it). */
  step = 0;
  readonly #first = new Map<string, tf.Variable>();
  readonly #second = new Map<string, tf.Variable>();

  constructor(readonly params: Params, readonly config: AdamWConfig = ADAMW_DEFAULTS) {
    for (const [name, variable] of params) {
      this.#first.set(name, tf.variable(tf.zerosLike(variable), false));
      this.#second.set(name, tf.variable(tf.zerosLike(variable), false));
    }
  }

  /**
   * Apply one update with learning rate `lr`; `grads` is keyed by parameter name. Parameters
   * outside the encoder (a head) move at `headScale` x `lr`.
   */
  apply(grads: Map<string, tf.Tensor>, lr: number, headScale = 1): void {
    this.step++;
    tf.tidy(() => {
      const small = new Map<number, string[]>();
      for (const [name, variable] of this.params) {
        if (!grads.has(name)) continue; // a parameter the loss does not reach (an unused head)
        const rate = name.startsWith(ENCODER_PREFIX) ? lr : lr * headScale;
        if (variable.size >= SMALL_PARAMETER) this.#update([name], grads, rate);
        else small.set(rate, [...(small.get(rate) ?? []), name]);
      }
      for (const [rate, names] of small) this.#update(names, grads, rate);
    });
  }

  /**
   * The update of `names` at `rate`, computed on their values laid end to end: each value is
   * the same as in an update of one parameter at a time (every operation is elementwise), but
   * a 6-layer encoder's ~60 biases and norm weights take 14 kernels instead of ~850, whose
   * fixed cost was most of their update's time.
   */
  #update(names: string[], grads: Map<string, tf.Tensor>, rate: number): void {
    const { beta1, beta2, epsilon, weightDecay } = this.config;
    const correction1 = 1 - beta1 ** this.step;
    const correction2 = 1 - beta2 ** this.step;
    const joined = (tensors: tf.Tensor[]) =>
      tensors.length === 1 ? tensors[0] : tf.concat(tensors.map((t) => t.reshape([-1])));
    const variables = names.map((name) => this.params.get(name)!);
    const grad = joined(names.map((name) => grads.get(name)!));
    const m = tf.add(
      tf.mul(joined(names.map((name) => this.#first.get(name)!)), beta1),
      tf.mul(grad, 1 - beta1),
    );
    const v = tf.add(
      tf.mul(joined(names.map((name) => this.#second.get(name)!)), beta2),
      tf.mul(tf.square(grad), 1 - beta2),
    );
    const denominator = tf.add(tf.sqrt(tf.div(v, correction2)), epsilon);
    const update = tf.div(tf.div(m, correction1), denominator);
    const value = joined(variables);
    const decayed = weightDecay ? tf.mul(value, 1 - rate * weightDecay) : value;
    const next = tf.sub(decayed, tf.mul(update, rate));
    const sizes = variables.map((variable) => variable.size);
    const parts = (tensor: tf.Tensor) => names.length === 1 ? [tensor] : tf.split(tensor, sizes);
    const [ms, vs, nexts] = [parts(m), parts(v), parts(next)];
    names.forEach((name, i) => {
      const shape = variables[i].shape;
      this.#first.get(name)!.assign(ms[i].reshape(shape));
      this.#second.get(name)!.assign(vs[i].reshape(shape));
      variables[i].assign(nexts[i].reshape(shape));
    });
  }

  /** Moment estimates as named arrays (`adam.m.<param>`, `adam.v.<param>`) for checkpoints. */
  async state(): Promise<Map<string, NamedArray>> {
    const out = new Map<string, NamedArray>();
    for (
      const [prefix, moments] of [["adam.m.", this.#first], ["adam.v.", this.#second]] as const
    ) {
      for (const [name, variable] of moments) {
        out.set(prefix + name, {
          shape: variable.shape,
          data: (await variable.data()) as Float32Array,
        });
      }
    }
    return out;
  }

  /** Restore moments saved by {@link state} and the step count. */
  restore(state: Map<string, NamedArray>, step: number): void {
    for (
      const [prefix, moments] of [["adam.m.", this.#first], ["adam.v.", this.#second]] as const
    ) {
      for (const [name, variable] of moments) {
        const saved = state.get(prefix + name);
        if (!saved) throw new Error(`optimizer state lacks '${prefix + name}'`);
        variable.assign(tf.tensor(saved.data, saved.shape));
      }
    }
    this.step = step;
  }

  /** Release the moment tensors. */
  dispose(): void {
    for (const variable of [...this.#first.values(), ...this.#second.values()]) variable.dispose();
  }
}

/**
 * Learning rate at `step` (0-based) of `total`: linear warmup over `warmup` steps, then
 * linear decay to 0, exactly Hugging Face's `get_linear_schedule_with_warmup` (so a
 * warmup's first step has rate 0).
 */
export function linearSchedule(
  step: number,
  { peak, total, warmup = 0 }: { peak: number; total: number; warmup?: number },
): number {
  if (step < warmup) return (peak * step) / warmup;
  return peak * Math.max(0, (total - step) / Math.max(1, total - warmup));
}

/**
 * Scale gradients so their global L2 norm is at most `maxNorm` (as torch's
 * clip_grad_norm_); returns the new map and the norm before clipping.
 */
export async function clipByGlobalNorm(
  grads: Map<string, tf.Tensor>,
  maxNorm: number,
): Promise<{ grads: Map<string, tf.Tensor>; norm: number }> {
  const squares = tf.tidy(() => tf.addN([...grads.values()].map((g) => tf.sum(tf.square(g)))));
  const norm = Math.sqrt((await squares.data())[0]);
  squares.dispose();
  if (!(norm > maxNorm)) return { grads, norm };
  const scale = maxNorm / (norm + 1e-6);
  const clipped = new Map<string, tf.Tensor>();
  for (const [name, grad] of grads) clipped.set(name, tf.mul(grad, scale));
  return { grads: clipped, norm };
}
