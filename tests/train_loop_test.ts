import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/compute/backend.ts";
import { createModel } from "../lib/models/model.ts";
import { AdamW, clipByGlobalNorm, linearSchedule } from "../lib/train/adamw.ts";
import { gradientsOf, train, type TrainTask } from "../lib/train/loop.ts";
import { loadModelFolder } from "../lib/checkpoints/model_folder.ts";
import { encodePooled } from "../lib/models/model.ts";
import { disposeParams } from "../lib/models/params.ts";
import { formatDuration, formatProgress } from "../lib/train/progress.ts";
import { testBackends } from "./backends.ts";
import { TOY_CONFIG, TOY_TRAIN, toyTask } from "./toy_training.ts";

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

/** AdamW on one parameter with tf ops, written out as PyTorch's update: the reference. */
function adamWAlone(
  w: tf.Tensor,
  state: { m: tf.Tensor; v: tf.Tensor },
  grad: tf.Tensor,
  { rate, step, weightDecay }: { rate: number; step: number; weightDecay: number },
): tf.Tensor {
  state.m = tf.add(tf.mul(state.m, 0.9), tf.mul(grad, 1 - 0.9));
  state.v = tf.add(tf.mul(state.v, 0.999), tf.mul(tf.square(grad), 1 - 0.999));
  const denominator = tf.add(tf.sqrt(tf.div(state.v, 1 - 0.999 ** step)), 1e-8);
  const update = tf.div(tf.div(state.m, 1 - 0.9 ** step), denominator);
  return tf.sub(tf.mul(w, 1 - rate * weightDecay), tf.mul(update, rate));
}

for (const backend of await testBackends()) {
  Deno.test(`[${backend}] AdamW's joint update of small parameters equals one parameter at a time, bit for bit`, async () => {
    await initBackend(backend);
    // Small parameters are updated laid end to end, the 300 x 300 one alone; a head moves at
    // headScale x lr, and a parameter without a gradient must not move at all.
    const shapes: [string, number[]][] = [
      ["encoder.a", [3, 4]],
      ["encoder.b", [5]],
      ["encoder.big", [300, 300]],
      ["head.c", [2, 3]],
      ["head.unused", [4]],
    ];
    const initial = shapes.map(([, shape], i) => tf.randomNormal(shape, 0, 1, "float32", i + 1));
    const params = new Map(shapes.map(([name], i) => [name, tf.variable(initial[i])]));
    const config = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1 };
    const optimizer = new AdamW(params, config);
    const expected = [...initial];
    const moments = initial.map((w) => ({ m: tf.zerosLike(w), v: tf.zerosLike(w) }));
    for (let step = 1; step <= 3; step++) {
      const grads = new Map(
        shapes.slice(0, 4).map((
          [name, shape],
          i,
        ) => [name, tf.randomNormal(shape, 0, 1, "float32", 100 * step + i)]),
      );
      optimizer.apply(grads, 0.01, 3);
      shapes.slice(0, 4).forEach(([name], i) => {
        const rate = name.startsWith("head.") ? 0.03 : 0.01;
        expected[i] = adamWAlone(expected[i], moments[i], grads.get(name)!, {
          rate,
          step,
          weightDecay: 0.1,
        });
      });
    }
    const state = await optimizer.state();
    for (const [i, [name]] of shapes.entries()) {
      assert.deepEqual(await params.get(name)!.data(), await expected[i].data(), name);
      assert.deepEqual(state.get("adam.m." + name)!.data, await moments[i].m.data(), name);
      assert.deepEqual(state.get("adam.v." + name)!.data, await moments[i].v.data(), name);
    }
  });
}

Deno.test("linear schedule and gradient clipping", async () => {
  await initBackend("cpu");
  assert.deepEqual([0, 1, 2, 3].map((s) => linearSchedule(s, { peak: 1, total: 4 })), [
    1,
    0.75,
    0.5,
    0.25,
  ]);
  assert.deepEqual([0, 1, 2, 3].map((s) => linearSchedule(s, { peak: 1, total: 4, warmup: 2 })), [
    0,
    0.5,
    1,
    0.5,
  ]);
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

const quiet = { onProgress: () => {} };

Deno.test("training lowers the loss", async () => {
  await initBackend("cpu");
  const model = createModel(TOY_CONFIG, { seed: 4 });
  const log = await train(toyTask(model), { ...TOY_TRAIN, steps: 20 }, quiet);
  assert.equal(log.steps.length, 20);
  assert.equal(log.tokens, 20 * 2 * 8);
  assert.ok(
    log.steps[19].loss < log.steps[0].loss - 0.1,
    `${log.steps[0].loss} -> ${log.steps[19].loss}`,
  );
});

Deno.test("train: bert_tiny's first three losses and gradient norms equal PyTorch's AdamW run", async () => {
  // scripts/reference/training_fixture.py: the same checkpoint, batches and target through
  // transformers' BertModel (no dropout), torch.optim.AdamW with weight decay 0, Hugging Face's
  // linear schedule, clip_grad_norm_ 1.0 and 2 micro-batches averaged. Step 1's loss pins the
  // forward pass, step 2's the first update (bias correction, clipping, learning rate), step
  // 3's the moments carried over; the gradient norms pin the averaging of micro-batches.
  await initBackend("cpu");
  const reference = JSON.parse(
    await Deno.readTextFile(new URL("./fixtures/training_reference.json", import.meta.url)),
  ).train;
  const loaded = await loadModelFolder(
    fileURLToPath(new URL("./fixtures/reference/bert_tiny", import.meta.url)),
  );
  // The bare folder reads as sentence-transformers' mean pooling, without a Normalize module.
  const model = { ...loaded.model, config: { ...loaded.model.config, normalize: false } };
  const target = tf.tensor1d(reference.target);
  const task: TrainTask = {
    phase: "reference",
    model,
    gradients: async (step, micro) => {
      const batch = {
        inputIds: tf.tensor2d(reference.input_ids[step][micro], undefined, "int32"),
        attentionMask: tf.tensor2d(reference.attention_mask),
      };
      const result = await gradientsOf(
        model,
        () => tf.mean(tf.square(tf.sub(encodePooled(model, batch), target))),
      );
      tf.dispose(batch);
      return { ...result, tokens: 10 };
    },
  };
  const log = await train(task, {
    steps: 3,
    learningRate: reference.learning_rate,
    warmupSteps: 0,
    clipNorm: reference.clip_norm,
    accumulation: reference.accumulation,
    validateEvery: 0,
    snapshotEvery: 0,
  }, quiet);
  target.dispose();
  disposeParams(model.params);
  const close = (actual: number, expected: number) =>
    Math.abs(actual - expected) <= 1e-4 * Math.max(1, Math.abs(expected));
  log.steps.forEach(({ loss, gradNorm, lr }, i) => {
    assert.ok(
      close(loss, reference.losses[i]),
      `step ${i + 1} loss ${loss} vs ${reference.losses[i]}`,
    );
    assert.ok(
      close(gradNorm, reference.grad_norms[i]),
      `step ${i + 1} gradient norm ${gradNorm} vs ${reference.grad_norms[i]}`,
    );
    assert.ok(close(lr, reference.learning_rates[i]), `step ${i + 1} lr ${lr}`);
  });
});

for (const backend of ["cpu", "wasm"]) {
  Deno.test(`[${backend}] an interrupted run resumes to the same weights as an uninterrupted one`, async () => {
    await initBackend(backend);
    const straight = createModel(TOY_CONFIG, { seed: 5 });
    await train(toyTask(straight), TOY_TRAIN, quiet);

    const dir = await Deno.makeTempDir();
    const first = createModel(TOY_CONFIG, { seed: 5 });
    const partial = await train(toyTask(first), TOY_TRAIN, {
      ...quiet,
      snapshotDir: dir,
      stopAfter: 3,
    });
    assert.equal(partial.steps.length, 3);
    const second = createModel(TOY_CONFIG, { seed: 5 }); // a fresh process would start like this
    const resumed = await train(toyTask(second), TOY_TRAIN, { ...quiet, snapshotDir: dir });
    assert.equal(resumed.steps.length, 8);
    for (const [name, variable] of straight.params) {
      assert.deepEqual(await second.params.get(name)!.data(), await variable.data(), name);
    }
  });
}

Deno.test("[cpu] a run killed with SIGKILL resumes to the same weights as an uninterrupted one", async () => {
  await initBackend("cpu");
  const straight = createModel(TOY_CONFIG, { seed: 5 });
  await train(toyTask(straight), TOY_TRAIN, quiet);

  const dir = await Deno.makeTempDir();
  const [snapshots, out] = [join(dir, "snapshots"), join(dir, "weights.json")];
  const child = (delayMs: number) =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        fileURLToPath(new URL("./toy_training.ts", import.meta.url)),
        snapshots,
        out,
        `${delayMs}`,
      ],
      stdout: "null",
      stderr: "piped",
    });
  const doomed = child(250).spawn();
  const snapshotSaved = () =>
    Deno.stat(join(snapshots, "snapshot.json")).then(() => true, () => false);
  while (!(await snapshotSaved())) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  doomed.kill("SIGKILL");
  assert.equal((await doomed.output()).signal, "SIGKILL", "killed before it could finish");

  const finished = await child(0).output();
  assert.equal(finished.code, 0, new TextDecoder().decode(finished.stderr));
  const { stepsRun, weights } = JSON.parse(await Deno.readTextFile(out));
  assert.ok(stepsRun < TOY_TRAIN.steps, `the second process resumed (it ran ${stepsRun} steps)`);
  for (const [name, variable] of straight.params) {
    assert.deepEqual(weights[name], Array.from(await variable.data()), name);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("train refuses an out-of-range setting before any step, naming it", async () => {
  await initBackend("cpu");
  const model = createModel(TOY_CONFIG, { seed: 1 });
  for (
    const [bad, message] of [
      [{ steps: -5 }, /train\.steps = -5: must be an integer from 0/],
      [{ learningRate: 0 }, /train\.learningRate = 0: must be a number above 0/],
      [{ accumulation: 1.5 }, /train\.accumulation = 1\.5: must be an integer from 1/],
      [{ warmupSteps: 9 }, /train\.warmupSteps = 9: must be an integer from 0 to 8/],
    ] as const
  ) {
    await assert.rejects(train(toyTask(model), { ...TOY_TRAIN, ...bad }), message);
  }
});
