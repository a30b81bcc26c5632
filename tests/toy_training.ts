/**
 * Shared test helper: a toy training task (pull each text's vector towards a fixed
 * direction) small enough to run in milliseconds. Run as a program it is the child of
 * the kill-and-resume test: `deno run -A tests/toy_training.ts SNAPSHOT_DIR OUT_JSON
 * DELAY_MS` trains with a snapshot after every step, waiting DELAY_MS per micro-batch so
 * that the parent can kill it mid-run, and writes the final weights and the number of
 * steps this process ran to OUT_JSON.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/compute/backend.ts";
import { colbertInputConfig } from "../lib/models/colbert_inputs.ts";
import { createModel, encodePooled, type Model, type ModelConfig } from "../lib/models/model.ts";
import { gradientsOf, train, type TrainConfig, type TrainTask } from "../lib/train/loop.ts";
import { TINY_SHAPE, tinyEncoder } from "./tiny_encoder.ts";

/** A dense model over a 30-token vocabulary. */
export const TOY_CONFIG: ModelConfig = {
  kind: "dense",
  transformer: tinyEncoder({ vocabSize: 30, maxLength: 6 }),
  colbertDim: 4,
  pooling: "mean",
  inputs: colbertInputConfig(),
};

/** 8 steps of 2 micro-batches, no validation, no snapshots unless asked. */
export const TOY_TRAIN: TrainConfig = {
  steps: 8,
  learningRate: 1e-2,
  warmupSteps: 0,
  clipNorm: 1,
  accumulation: 2,
  validateEvery: 0,
  snapshotEvery: 0,
};

/** The toy task for `model`; each micro-batch first waits `delayMs` (0: no wait). */
export function toyTask(model: Model, delayMs = 0): TrainTask {
  const target = tf.keep(tf.randomNormal([1, TINY_SHAPE.hidden], 0, 1, "float32", 9));
  return {
    phase: "toy",
    model,
    gradients: async (step, micro) => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
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

if (import.meta.main) {
  const [snapshotDir, outFile, delayMs] = Deno.args;
  await initBackend("cpu");
  const model = createModel(TOY_CONFIG, { seed: 5 });
  let stepsRun = 0;
  await train(toyTask(model, Number(delayMs)), { ...TOY_TRAIN, snapshotEvery: 1 }, {
    snapshotDir,
    onProgress: () => stepsRun++,
  });
  const weights: Record<string, number[]> = {};
  for (const [name, variable] of model.params) {
    weights[name] = Array.from(await variable.data());
  }
  await Deno.writeTextFile(outFile, JSON.stringify({ stepsRun, weights }));
}
