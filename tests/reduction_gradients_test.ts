/**
 * The Sum and Mean gradients that initBackend registers (lib/compute/reduction_gradients.ts)
 * against tfjs's own formula, bit for bit, on every backend here.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/compute/backend.ts";
import { testBackends } from "./backends.ts";

// tfjs's Sum_grad and Mean_grad: dy reshaped, times ones(x.shape) (divided by the count).
function tfjsGradient(x: tf.Tensor, dy: tf.Tensor, axis: number[], mean: boolean): tf.Tensor {
  const shape = x.shape.map((size, i) => axis.includes(i) ? 1 : size);
  const product = tf.mul(tf.reshape(dy, shape), tf.ones(x.shape));
  return mean ? tf.div(product, axis.reduce((n, i) => n * x.shape[i], 1)) : product;
}

for (const backend of await testBackends()) {
  Deno.test(`[${backend}] Sum and Mean gradients equal tfjs's, bit for bit`, async () => {
    await initBackend(backend);
    const x = tf.randomNormal([3, 5, 7], 0, 1, "float32", 1);
    for (const axis of [[2], [0, 2], [1], [0, 1, 2]]) {
      for (const mean of [false, true]) {
        const reduce = (input: tf.Tensor) => mean ? tf.mean(input, axis) : tf.sum(input, axis);
        const dy = tf.randomNormal(reduce(x).shape, 0, 1, "float32", 2 + axis.length);
        let ours = dy;
        // Broadcast (Tile), not a product with a tensor of ones made in JavaScript.
        const { kernels } = await tf.profile(() => {
          ours = tf.grad(reduce)(x, dy);
        });
        const names = kernels.map((kernel) => kernel.name);
        assert.ok(names.includes("Tile") && !names.includes("Multiply"), names.join(", "));
        const theirs = tfjsGradient(x, dy, axis, mean);
        assert.deepEqual(ours.shape, x.shape);
        assert.deepEqual(await ours.data(), await theirs.data(), `axis ${axis}, mean ${mean}`);
      }
    }
  });
}
