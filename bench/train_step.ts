/**
 * One ColBERT contrastive training step, timed: encode a batch of queries and documents,
 * in-batch MaxSim, cross-entropy, gradients of every weight, one AdamW update.
 *
 * The batch is random token ids with variable document lengths (the padding is masked as
 * it would be in training); what is measured is arithmetic, not learning.
 */
import * as tf from "@tensorflow/tfjs";
import { DEFAULT_COLBERT_INPUT_CONFIG } from "../lib/models/colbert_inputs.ts";
import type { EncoderBatch } from "../lib/models/encoder_inputs.ts";
import { createModel, encodeTokens, type Model } from "../lib/models/model.ts";
import { contrastiveLoss } from "../lib/losses/contrastive.ts";
import { gradientsOf } from "../lib/train/loop.ts";
import { AdamW } from "../lib/train/adamw.ts";
import { disposeParams } from "../lib/models/params.ts";
import type { EncoderShape } from "../lib/models/suite_encoder.ts";
import { type EncoderConfig, encoderFlopsPerToken } from "../lib/models/encoder.ts";
import { type Architecture, encoderOfShape } from "../lib/models/encoder_of_shape.ts";

/** The step to time: the encoder, and the batch it trains on. */
export interface TrainStepShape {
  /**
   * `modernbert`: the suite's own encoder (GeGLU, rotary, no biases); `bert`: transformers'
   * BertModel, the architecture of all-MiniLM-L6-v2, which the pretrained profile trains.
   */
  architecture: Architecture;
  transformer: EncoderShape;
  colbertDim: number;
  /** Queries per batch; each has one positive document (in-batch negatives). */
  batch: number;
  queryLength: number;
  documentLength: number;
  /** Length of the documents an encoding call gets. */
  encodeLength: number;
}

/** Timing of {@link timeTrainStep}. */
export interface TrainStepTiming {
  /** Query and document tokens (padding included) per second of the best step. */
  tokensPerSecond: number;
  secondsPerStep: number;
  tokensPerStep: number;
  /** Model arithmetic (forward + backward, about 3x forward) per second of the best step. */
  gflops: number;
}

/** Deterministic token ids in [5, vocab); each row keeps a random prefix of 2/3 or more. */
export function randomBatch(
  count: number,
  length: number,
  vocab: number,
  seed: number,
): EncoderBatch {
  const ids = new Int32Array(count * length);
  const mask = new Float32Array(count * length);
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648);
  for (let row = 0; row < count; row++) {
    const kept = Math.max(2, length - (next() % Math.ceil(length / 3)));
    for (let t = 0; t < length; t++) {
      ids[row * length + t] = t < kept ? 5 + (next() % (vocab - 5)) : 0;
      mask[row * length + t] = t < kept ? 1 : 0;
    }
  }
  return {
    inputIds: tf.tensor2d(ids, [count, length], "int32"),
    attentionMask: tf.tensor2d(mask, [count, length]),
  };
}

/** The encoder config of `shape`: the suite's ModernBERT, or a BERT of transformers' defaults. */
export function benchEncoder(shape: TrainStepShape): EncoderConfig {
  return encoderOfShape(shape.transformer, shape.architecture);
}

/** A ColBERT model of `shape`'s encoder, randomly initialised (seed 1). */
export function benchModel(shape: TrainStepShape): Model {
  return createModel({
    kind: "colbert",
    transformer: benchEncoder(shape),
    colbertDim: shape.colbertDim,
    pooling: "mean",
    inputs: DEFAULT_COLBERT_INPUT_CONFIG,
  }, { seed: 1 });
}

/** The bench's ColBERT loss (in-batch contrastive) on `queries` and `docs`, and its gradients. */
export async function benchGradients(
  model: Model,
  queries: EncoderBatch,
  docs: EncoderBatch,
): Promise<Map<string, tf.Tensor>> {
  const { grads } = await gradientsOf(model, () => {
    const q = {
      embeddings: encodeTokens(model, queries),
      mask: tf.onesLike(queries.attentionMask),
    };
    const d = { embeddings: encodeTokens(model, docs), mask: docs.attentionMask };
    return contrastiveLoss(q, [d], { temperature: 0.02 });
  });
  return grads;
}

/** The parameter AdamW updates last: reading it waits for a whole step on any backend. */
export function lastParam(model: Model): tf.Variable {
  return [...model.params.values()].at(-1)!;
}

/** One training step of the bench: {@link benchGradients}, then AdamW's update. */
export async function trainStep(
  model: Model,
  optimizer: AdamW,
  batches: { queries: EncoderBatch; docs: EncoderBatch },
): Promise<void> {
  const grads = await benchGradients(model, batches.queries, batches.docs);
  optimizer.apply(grads, 1e-4);
  for (const grad of grads.values()) grad.dispose();
}

/**
 * Best time of one training step on the current backend: after a warm-up step, one more, then
 * up to `maxSteps` in all while they fit in `budgetSeconds`. The warm-up is never the figure:
 * at ModernBERT-base's shape it took 28.8 s (faulting in 15 GiB of fresh pages), the next 4.4 s.
 */
export async function timeTrainStep(
  shape: TrainStepShape,
  options: { maxSteps?: number; budgetSeconds?: number } = {},
): Promise<TrainStepTiming> {
  const { maxSteps = 5, budgetSeconds = 20 } = options;
  const model = benchModel(shape);
  const optimizer = new AdamW(model.params);
  const vocab = shape.transformer.vocabSize;
  const queries = randomBatch(shape.batch, shape.queryLength, vocab, 1);
  const docs = randomBatch(shape.batch, shape.documentLength, vocab, 2);
  const timeStep = async () => {
    const start = performance.now();
    await trainStep(model, optimizer, { queries, docs });
    await lastParam(model).data(); // waits for a GPU backend
    return (performance.now() - start) / 1000;
  };
  let best: number;
  try {
    best = await timeStep(); // the warm-up: replaced by the first timed step
    for (
      let timed = 0, spent = 0;
      timed < maxSteps && (timed === 0 || spent + best <= budgetSeconds);
      timed++
    ) {
      const seconds = await timeStep();
      best = timed === 0 ? seconds : Math.min(best, seconds);
      spent += seconds;
    }
  } finally {
    optimizer.dispose();
    disposeParams(model.params);
    for (const t of [queries, docs]) tf.dispose([t.inputIds, t.attentionMask]);
  }
  const tokensPerStep = shape.batch * (shape.queryLength + shape.documentLength);
  const config = benchEncoder(shape);
  const flops = 3 * shape.batch *
    (shape.queryLength * encoderFlopsPerToken(config, shape.queryLength) +
      shape.documentLength * encoderFlopsPerToken(config, shape.documentLength));
  return {
    tokensPerSecond: tokensPerStep / best,
    secondsPerStep: best,
    tokensPerStep,
    gflops: flops / best / 1e9,
  };
}
