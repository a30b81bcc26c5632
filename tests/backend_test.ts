import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { BACKEND_ENV, currentBackend, initBackend } from "../lib/backend.ts";
import { testBackends } from "./backends.ts";

Deno.test("backend: an unknown name is refused with the choices", async () => {
  await assert.rejects(initBackend("tpu"), /unknown backend 'tpu' .*wasm, webgpu, tensorflow, cpu/);
});

Deno.test("backend: COLBERT_BACKEND picks the backend when no option does", async () => {
  Deno.env.set(BACKEND_ENV, "cpu");
  try {
    assert.equal(await initBackend(), "cpu");
    assert.equal(currentBackend(), "cpu");
  } finally {
    Deno.env.delete(BACKEND_ENV);
  }
  assert.equal(await initBackend(), "wasm");
});

Deno.test("backend: tensorflow (tfjs-node) is optional and says how to get it", async () => {
  if ((await testBackends()).includes("tensorflow")) return; // installed by the user: fine
  await assert.rejects(
    initBackend("tensorflow"),
    /needs @tensorflow\/tfjs-node-gpu or @tensorflow\/tfjs-node/,
  );
});

for (const backend of await testBackends()) {
  Deno.test(`[${backend}] backend computes a matrix product`, async () => {
    await initBackend(backend);
    const product = await tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).data();
    assert.deepEqual(Array.from(product), [17, 39]);
  });
}
