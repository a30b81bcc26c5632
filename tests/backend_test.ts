import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  BACKEND_ENV,
  currentBackend,
  DEFAULT_BACKENDS,
  initBackend,
} from "../lib/compute/backend.ts";
import { testBackends } from "./backends.ts";

const BACKENDS_HERE: string[] = await testBackends();

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
  assert.equal(await initBackend(), DEFAULT_BACKENDS.find((name) => BACKENDS_HERE.includes(name)));
});

// Where tfjs-node is installed this is reported as ignored (not passed), and the
// "[tensorflow] backend computes a matrix product" test below checks the backend instead.
Deno.test({
  name: "backend: tensorflow (tfjs-node) is optional and says how to get it",
  ignore: BACKENDS_HERE.includes("tensorflow"),
  fn: async () => {
    await assert.rejects(
      initBackend("tensorflow"),
      /needs @tensorflow\/tfjs-node-gpu or @tensorflow\/tfjs-node/,
    );
  },
});

Deno.test({
  name: "backend: tensorflow after webgpu in one process is an error, not a crash",
  ignore: !["tensorflow", "webgpu"].every((name) => BACKENDS_HERE.includes(name)),
  fn: async () => {
    // In a process of its own: the crash this guards against would take the test run down.
    const { code, stdout } = await new Deno.Command(Deno.execPath(), {
      cwd: new URL("..", import.meta.url).pathname,
      args: [
        "eval",
        `import { initBackend } from "${new URL("../lib/compute/backend.ts", import.meta.url)}";
        await initBackend("webgpu");
        await initBackend("tensorflow").catch((error) => console.log(error.message));
        Deno.exit(0);`,
      ],
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.equal(code, 0);
    assert.match(new TextDecoder().decode(stdout), /must start before webgpu in a process/);
  },
});

for (const backend of BACKENDS_HERE) {
  Deno.test(`[${backend}] backend computes a matrix product`, async () => {
    await initBackend(backend);
    const product = await tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).data();
    assert.deepEqual(Array.from(product), [17, 39]);
  });
}
