import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/backend.ts";
import { colbertInputConfig } from "../lib/colbert_inputs.ts";
import { createModel, encodePooled, type Model, type ModelConfig } from "../lib/model.ts";
import { AdamW, clipByGlobalNorm, linearSchedule } from "../lib/train/adamw.ts";
import { gradientsOf, train, type TrainConfig, type TrainTask } from "../lib/train/loop.ts";
import { formatDuration, formatProgress } from "../lib/train/progress.ts";
import { TINY_TRANSFORMER } from "../lib/transformer.ts";

Deno.test("AdamW matches a scalar reference implementation of PyTorch's update", async () => {
  await initBackend("cpu");
  const params = new Map([["w", tf.variable(tf.scalar(1.5))]]);
  const optimizer = new AdamW(params, {
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-8,
    weightDecay: 0.1,
  });
  let w = 1.5, m = 0, v = 0;
  const grads = [0.3, -0.2, 0.5, 0.1];
  grads.forEach((g, i) => {
    const lr = 0.01 * (i + 1);
    optimizer.apply(new Map([["w", tf.scalar(g)]]), lr);
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    const t = i + 1;
    w = w * (1 - lr * 0.1) - (lr * (m / (1 - 0.9 ** t))) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8);
  });
  assert.ok(Math.abs(params.get("w")!.dataSync()[0] - w) < 1e-6);
});

Deno.test("linear schedule and gradient clipping", async () => {
  await initBackend("cpu");
  assert.deepEqual([0, 1, 2, 3].map((s) => linearSchedule(1, s, 4)), [1, 0.75, 0.5, 0.25]);
  assert.deepEqual([0, 1, 2, 3].map((s) => linearSchedule(1, s, 4, 2)), [0, 0.5, 1, 0.5]);
  const grads = new Map([["a", tf.tensor1d([3, 0])], ["b", tf.tensor1d([4])]]);
  const clipped = await clipByGlobalNorm(grads, 1);
  assert.ok(Math.abs(clipped.norm - 5) < 1e-6);
  const a = clipped.grads.get("a")!.dataSync();
  assert.ok(Math.abs(a[0] - 0.6) < 1e-5);
  assert.equal((await clipByGlobalNorm(grads, 10)).grads, grads, "no clipping below the ceiling");
});

Deno.test("progress line and durations", () => {
  assert.equal(formatDuration(75), "1m15s");
  assert.equal(formatDuration(3700), "1h01m");
  assert.equal(
    formatProgress({
      phase: "kd",
      step: 3,
      total: 10,
      loss: 0.5,
      tokensPerSecond: 12345.6,
      secondsLeft: 9,
    }),
    "kd | step 3/10 | loss 0.5000 | 12,346 tok/s | 9s left",
  );
});

const CONFIG: ModelConfig = {
  kind: "dense",
  transformer: { ...TINY_TRANSFORMER, vocabSize: 30, maxLength: 6 },
  colbertDim: 4,
  pooling: "mean",
  inputs: colbertInputConfig(),
};

/** A toy task: pull each text's vector towards a fixed target direction. */
function toyTask(model: Model): TrainTask {
  const target = tf.keep(tf.randomNormal([1, CONFIG.transformer.hidden], 0, 1, "float32", 9));
  return {
    phase: "toy",
    model,
    gradients: async (step, micro) => {
      const seed = step * 7 + micro;
      const ids = Array.from({ length: 8 }, (_, i) => 1 + ((seed * 13 + i * 5) % 29));
      const batch = {
        inputIds: tf.tensor2d(ids, [2, 4], "int32"),
        attentionMask: tf.ones([2, 4]) as tf.Tensor2D,
      };
      const result = await gradientsOf(
        model,
        () => tf.neg(tf.mean(tf.sum(tf.mul(encodePooled(model, batch), target), 1))),
      );
      tf.dispose(batch);
      return { ...result, tokens: 8 };
    },
  };
}

const TRAIN: TrainConfig = {
  steps: 8,
  learningRate: 1e-2,
  warmupSteps: 0,
  clipNorm: 1,
  accumulation: 2,
  validateEvery: 0,
  snapshotEvery: 0,
};
const quiet = { onProgress: () => {} };

Deno.test("training lowers the loss", async () => {
  await initBackend("cpu");
  const model = createModel(CONFIG, { seed: 4 });
  const log = await train(toyTask(model), { ...TRAIN, steps: 20 }, quiet);
  assert.equal(log.steps.length, 20);
  assert.equal(log.tokens, 20 * 2 * 8);
  assert.ok(
    log.steps[19].loss < log.steps[0].loss - 0.1,
    `${log.steps[0].loss} -> ${log.steps[19].loss}`,
  );
});

for (const backend of ["cpu", "wasm"]) {
  Deno.test(`[${backend}] an interrupted run resumes to the same weights as an uninterrupted one`, async () => {
    await initBackend(backend);
    const straight = createModel(CONFIG, { seed: 5 });
    await train(toyTask(straight), TRAIN, quiet);

    const dir = await Deno.makeTempDir();
    const first = createModel(CONFIG, { seed: 5 });
    const partial = await train(toyTask(first), TRAIN, {
      ...quiet,
      snapshotDir: dir,
      stopAfter: 3,
    });
    assert.equal(partial.steps.length, 3);
    const second = createModel(CONFIG, { seed: 5 }); // a fresh process would start like this
    const resumed = await train(toyTask(second), TRAIN, { ...quiet, snapshotDir: dir });
    assert.equal(resumed.steps.length, 8);
    for (const [name, variable] of straight.params) {
      assert.deepEqual(await second.params.get(name)!.data(), await variable.data(), name);
    }
  });
}
