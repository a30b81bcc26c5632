/** Shared test helper: a model's analytic gradients against central finite differences. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { Model } from "../lib/models/model.ts";

/** Analytic gradients of `loss` at the probed (parameter, flat indices) equal central differences. */
export async function assertGradientsMatch(
  model: Model,
  loss: () => tf.Scalar,
  probes: [string, number[]][],
) {
  const { grads } = tf.variableGrads(loss);
  const eps = 1e-2;
  for (const [name, indices] of probes) {
    const variable = model.params.get(name)!;
    const analytic = await grads[variable.name].data();
    const values = await variable.data() as Float32Array;
    for (const index of indices) {
      const probe = (delta: number) => {
        const shifted = values.slice();
        shifted[index] += delta;
        variable.assign(tf.tensor(shifted, variable.shape));
        return loss().dataSync()[0];
      };
      const numeric = (probe(eps) - probe(-eps)) / (2 * eps);
      variable.assign(tf.tensor(values, variable.shape));
      assert.ok(
        Math.abs(numeric - analytic[index]) < 2e-3 + 2e-2 * Math.abs(numeric),
        `${name}[${index}]: analytic ${analytic[index]} vs numeric ${numeric}`,
      );
    }
  }
}
