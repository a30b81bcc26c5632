/**
 * One training loop for every phase: AdamW with a linear schedule, gradient
 * accumulation, global-norm clipping, periodic validation, a progress line, and
 * snapshots that let an interrupted run resume to exactly the weights of an
 * uninterrupted one.
 *
 * Exact resumption rests on one rule: a phase's data for (step, micro-batch) is a pure
 * function of those two numbers and the seed (see {@link TrainTask.gradients}), and the
 * snapshot holds everything else that changes (weights, Adam moments, step, log).
 */
import { checkNumber, integers, positiveUpTo } from "../util/number_range.ts";
import * as tf from "@tensorflow/tfjs";
import type { Model } from "../models/model.ts";
import { AdamW, clipByGlobalNorm, linearSchedule } from "./adamw.ts";
import { type ProgressUpdate, throttledPrinter } from "./progress.ts";
import { loadSnapshot, saveSnapshot } from "./snapshot.ts";
import type { TrainLog } from "./train_log.ts";

/** Optimisation settings of a phase. */
export interface TrainConfig {
  steps: number;
  learningRate: number;
  warmupSteps: number;
  /** Global gradient-norm ceiling (1.0, the Hugging Face default). */
  clipNorm: number;
  /** Micro-batches whose gradients are averaged into one step. */
  accumulation: number;
  /** Validate every this many steps (and after the last); 0 = never. */
  validateEvery: number;
  /** Snapshot for resumption every this many steps; 0 = never. */
  snapshotEvery: number;
  /** The rate of parameters outside the encoder (a new head), as a multiple of the encoder's. */
  headRateScale?: number;
}

/** Loss, gradients (by parameter name) and tokens processed of one micro-batch. */
export interface MicroStep {
  loss: number;
  grads: Map<string, tf.Tensor>;
  tokens: number;
}

/** What a phase plugs into the loop. */
export interface TrainTask {
  phase: string;
  model: Model;
  /** Micro-batch `micro` of step `step`: must depend only on (step, micro) and the seed. */
  gradients(step: number, micro: number): Promise<MicroStep>;
  /** Dev-set metrics (e.g. nDCG@10 on a dev split, as the paper uses NanoBEIR). */
  validate?(): Promise<Record<string, number>>;
}

/** Where the loop reports progress and keeps resumption snapshots. */
export interface TrainOptions {
  /** Folder for snapshots; a snapshot found there is resumed from. */
  snapshotDir?: string;
  onProgress?: (update: ProgressUpdate) => void;
  /** Stop (cleanly, after a snapshot) once this many steps are done: simulates a kill. */
  stopAfter?: number;
}

/** Run `config.steps` steps of `task`, resuming from a snapshot when one exists. */
export async function train(
  task: TrainTask,
  config: TrainConfig,
  options: TrainOptions = {},
): Promise<TrainLog> {
  checkTrainConfig(config);
  const optimizer = new AdamW(task.model.params);
  let log: TrainLog = { steps: [], validation: [], tokens: 0, seconds: 0 };
  const resumed = options.snapshotDir
    ? await loadSnapshot(options.snapshotDir, { model: task.model, optimizer })
    : null;
  if (resumed) log = resumed;
  const progress = options.onProgress ?? throttledPrinter();
  const firstStep = optimizer.step;
  const loopStart = performance.now();
  const previousSeconds = log.seconds;
  let loopTokens = 0;
  try {
    for (let step = optimizer.step; step < config.steps; step++) {
      const { loss, grads, tokens } = await accumulate(task, step, config.accumulation);
      const clipped = await clipByGlobalNorm(grads, config.clipNorm);
      const lr = linearSchedule(step, {
        peak: config.learningRate,
        total: config.steps,
        warmup: config.warmupSteps,
      });
      optimizer.apply(clipped.grads, lr, config.headRateScale);
      disposeAll(grads, clipped.grads);
      log.steps.push({ step: step + 1, loss, lr, gradNorm: clipped.norm });
      log.tokens += tokens;
      loopTokens += tokens;
      const done = step + 1;
      if (
        task.validate && config.validateEvery &&
        (done % config.validateEvery === 0 || done === config.steps)
      ) {
        log.validation.push({ step: done, metrics: await task.validate() });
      }
      const elapsed = (performance.now() - loopStart) / 1000;
      log.seconds = previousSeconds + elapsed;
      progress({
        phase: task.phase,
        step: done,
        total: config.steps,
        loss,
        tokensPerSecond: loopTokens / elapsed,
        secondsLeft: (elapsed / (done - firstStep)) * (config.steps - done),
      });
      const stopping = options.stopAfter !== undefined && done >= options.stopAfter &&
        done < config.steps;
      if (
        options.snapshotDir &&
        ((config.snapshotEvery && done % config.snapshotEvery === 0) || stopping)
      ) {
        await saveSnapshot(options.snapshotDir, { model: task.model, optimizer, log });
      }
      if (stopping) break;
    }
  } finally {
    optimizer.dispose();
  }
  return log;
}

async function accumulate(task: TrainTask, step: number, micros: number): Promise<MicroStep> {
  let total: Map<string, tf.Tensor> | undefined;
  let loss = 0, tokens = 0;
  for (let micro = 0; micro < micros; micro++) {
    const result = await task.gradients(step, micro);
    loss += result.loss / micros;
    tokens += result.tokens;
    if (!total) {
      total = result.grads;
      continue;
    }
    for (const [name, grad] of result.grads) {
      const previous = total.get(name);
      total.set(name, previous ? tf.add(previous, grad) : grad.clone());
      previous?.dispose();
      grad.dispose();
    }
  }
  const averaged = new Map<string, tf.Tensor>();
  for (const [name, grad] of total!) {
    averaged.set(name, micros === 1 ? grad : tf.div(grad, micros));
    if (micros > 1) grad.dispose();
  }
  return { loss, grads: averaged, tokens };
}

function disposeAll(...maps: Map<string, tf.Tensor>[]): void {
  const seen = new Set<tf.Tensor>();
  for (const map of maps) for (const t of map.values()) seen.add(t);
  for (const t of seen) t.dispose();
}

/**
 * Gradients of a scalar loss with respect to every parameter of `model` it reaches,
 * keyed by parameter name.
 */
export async function gradientsOf(
  model: Model,
  loss: () => tf.Scalar,
): Promise<{ loss: number; grads: Map<string, tf.Tensor> }> {
  const { value, grads } = tf.variableGrads(loss, [...model.params.values()]);
  // data(), not dataSync(): webgpu under Deno can only read asynchronously.
  const lossValue = (await value.data())[0];
  value.dispose();
  return { loss: lossValue, grads: byParamName(model, grads) };
}

/** Re-key gradients from tfjs's global variable names to the model's parameter names. */
export function byParamName(model: Model, grads: tf.NamedTensorMap): Map<string, tf.Tensor> {
  const names = new Map([...model.params].map(([name, v]) => [v.name, name]));
  const byName = new Map<string, tf.Tensor>();
  for (const [variableName, grad] of Object.entries(grads)) {
    const name = names.get(variableName);
    if (!name) {
      throw new Error(`gradient for '${variableName}', which is not a parameter of the model`);
    }
    byName.set(name, grad);
  }
  return byName;
}

/** Every field of `config` in its range; the error names the field (`train.steps = -5: ...`). */
export function checkTrainConfig(config: TrainConfig): void {
  const count = integers(0, 1e9);
  checkNumber("train.steps", config.steps, count);
  checkNumber("train.learningRate", config.learningRate, positiveUpTo(1));
  checkNumber("train.warmupSteps", config.warmupSteps, integers(0, config.steps));
  checkNumber("train.clipNorm", config.clipNorm, positiveUpTo(1e6));
  checkNumber("train.accumulation", config.accumulation, integers(1, 1e6));
  checkNumber("train.validateEvery", config.validateEvery, count);
  checkNumber("train.snapshotEvery", config.snapshotEvery, count);
  if (config.headRateScale !== undefined) {
    checkNumber("train.headRateScale", config.headRateScale, positiveUpTo(1e4));
  }
}
