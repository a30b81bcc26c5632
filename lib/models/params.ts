/**
 * Named model parameters: a flat, ordered map from a dotted name
 * (`layers.0.attention.query.weight`) to a trainable tf.Variable.
 *
 * A flat map keeps checkpoints trivial (one safetensors entry per name), lets a
 * phase copy the backbone of its parent by prefix, and gives optimisers a stable order.
 */
import * as tf from "@tensorflow/tfjs";

/** A model's parameters by name, in creation order. */
export type Params = Map<string, tf.Variable>;

/**
 * Deterministic initialiser: each parameter draws from its own seed derived from the
 * model seed and its index, so adding a head never changes the backbone's initial values.
 */
export class ParamInit {
  #index = 0;
  constructor(readonly params: Params, readonly seed: number) {}

  /** A normal(0, std) parameter, the BERT initialisation (std 0.02). */
  normal(name: string, shape: number[], std = 0.02): tf.Variable {
    // Never 0: tfjs takes a seed of 0 as "no seed" and draws from Math.random.
    const seed = this.seed * 1009 + this.#index++ + 1;
    return this.#add(name, tf.truncatedNormal(shape, 0, std, "float32", seed));
  }

  /** A constant parameter (biases at 0, layer-norm gains at 1). */
  constant(name: string, shape: number[], value: number): tf.Variable {
    this.#index++;
    return this.#add(name, tf.fill(shape, value));
  }

  #add(name: string, initial: tf.Tensor): tf.Variable {
    return addParam(this.params, name, initial);
  }
}

/**
 * Turn `initial` into a trainable variable called `name` (taking ownership of `initial`).
 * tfjs variable names are global, so a random suffix lets several models coexist.
 */
export function addParam(params: Params, name: string, initial: tf.Tensor): tf.Variable {
  if (params.has(name)) throw new Error(`parameter '${name}' defined twice`);
  const variable = tf.variable(initial, true, `${name}#${crypto.randomUUID()}`);
  initial.dispose();
  params.set(name, variable);
  return variable;
}

/** The parameter called `name`; throws naming it when it is absent. */
export function param(params: Params, name: string): tf.Variable {
  const found = params.get(name);
  if (!found) throw new Error(`missing parameter '${name}'`);
  return found;
}

/** Number of scalar weights in `params`. */
export function countParams(params: Params): number {
  let total = 0;
  for (const variable of params.values()) total += variable.size;
  return total;
}

/** Release every parameter's memory. */
export function disposeParams(params: Params): void {
  for (const variable of params.values()) variable.dispose();
  params.clear();
}
