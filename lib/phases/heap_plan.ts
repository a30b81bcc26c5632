/**
 * Each training phase's batch against the backend's memory (the wasm heap, or the machine's
 * memory on tensorflow), decided before the first step (lib/compute/heap_need.ts estimates):
 * GradCache's chunks are made smaller until one fits, since its gradient is the whole batch's
 * at any chunk size; a supervised batch or a distillation micro-batch that cannot fit is
 * refused with the profile setting to change. A batch that fits is left exactly as the profile
 * sets it, so runs that fit keep their numbers bit for bit. Where no limit is known (webgpu,
 * tfjs-node-gpu, cpu) nothing here splits or refuses.
 */
import { encoderShape } from "../models/encoder.ts";
import { colbertLengths } from "../models/colbert_inputs.ts";
import type { Model } from "../models/model.ts";
import {
  type MemoryLimit,
  memoryLimit,
  refuseUnlessFits,
  rowsThatFit,
  type SequenceBatch,
  trainingHeapBytes,
} from "../compute/heap_need.ts";

function need(model: Model, batches: SequenceBatch[]): number {
  const encoder = model.config.transformer;
  return trainingHeapBytes(encoderShape(encoder), batches, encoder.modelType);
}

/**
 * GradCache's chunk size for `model`: `chunkSize` when a chunk of it fits the heap, else the
 * largest that does (a chunk of queries or of documents is embedded under the tape alone).
 * Throws when not even one row fits.
 */
export function gradCacheChunk(
  model: Model,
  chunkSize: number,
  limit: MemoryLimit = memoryLimit(),
): number {
  const { query, document } = colbertLengths(model.config.inputs);
  const rows = (count: number) => [{ rows: count, length: Math.max(query, document) }];
  const fitting = rowsThatFit(chunkSize, (count) => need(model, rows(count)), limit);
  if (fitting === 0) {
    refuseUnlessFits(need(model, rows(1)), {
      what: "an unsupervised GradCache chunk of one row",
      setting: "the profile's unsupervisedDocumentLength (or the encoder's size)",
      limit,
    });
  }
  return fitting;
}

/**
 * Refuse a supervised batch (queries, positives and `negatives` groups of documents, all under
 * one tape) that the heap cannot hold, naming the batch size and negatives of `settings.group`
 * (`supervised` by default; `teacherTraining` for a dense teacher).
 */
export function checkSupervisedBatch(
  model: Model,
  settings: { batchSize: number; negatives: number; group?: string },
  limit: MemoryLimit = memoryLimit(),
): void {
  const group = settings.group ?? "supervised";
  const { query, document } = colbertLengths(model.config.inputs);
  const { batchSize: rows, negatives } = settings;
  const batches = [
    { rows, length: query },
    ...Array.from({ length: 1 + negatives }, () => ({ rows, length: document })),
  ];
  refuseUnlessFits(need(model, batches), {
    what: `a supervised batch of ${rows} queries with ${1 + negatives} documents each`,
    setting: `the profile's ${group}.batchSize or ${group}.negatives`,
    limit,
  });
}

/**
 * Refuse a distillation micro-batch (`microSize` queries, `perQuery` documents each, under one
 * tape) that the heap cannot hold, naming `distillation.accumulation`, which splits the batch.
 */
export function checkDistillationMicroBatch(
  model: Model,
  settings: { microSize: number; perQuery: number },
  limit: MemoryLimit = memoryLimit(),
): void {
  const { query, document } = colbertLengths(model.config.inputs);
  const { microSize, perQuery } = settings;
  refuseUnlessFits(
    need(model, [
      { rows: microSize, length: query },
      { rows: microSize * perQuery, length: document },
    ]),
    {
      what: `a distillation micro-batch of ${microSize} queries x ${perQuery} documents`,
      setting: "the profile's distillation.accumulation (raise it) or distillation.batchSize",
      limit,
    },
  );
}

/**
 * Refuse a cross-encoder teacher batch (`batchSize` queries x (1 + `negatives`) pairs of up to
 * `pairLength` tokens, under one tape) that the heap cannot hold.
 */
export function checkTeacherBatch(
  model: Model,
  settings: { batchSize: number; negatives: number; pairLength: number },
  limit: MemoryLimit = memoryLimit(),
): void {
  const rows = settings.batchSize * (1 + settings.negatives);
  refuseUnlessFits(need(model, [{ rows, length: settings.pairLength }]), {
    what: `a teacher batch of ${rows} pairs of ${settings.pairLength} tokens`,
    setting: "the profile's teacherTraining.batchSize or teacherTraining.negatives",
    limit,
  });
}

// The MLM head scores the masked 15% of tokens against the whole vocabulary: logits, their
// log-softmax and its gradient keep about 8 floats per (masked token, vocabulary entry). Counted
// from the loss's operations, not fitted like the encoder's share.
const MLM_FLOATS_PER_LOGIT = 8;
const MLM_MASKED_SHARE = 0.15;

/**
 * Refuse an MLM (backbone) micro-batch of `microSize` rows of `maxLength` tokens that the heap
 * cannot hold, naming the phase's `accumulation`, which splits the batch.
 */
export function checkBackboneMicroBatch(
  model: Model,
  settings: { microSize: number; maxLength: number },
  limit: MemoryLimit = memoryLimit(),
): void {
  const { microSize: rows, maxLength: length } = settings;
  const logits = MLM_MASKED_SHARE * rows * length * model.config.transformer.vocabSize;
  refuseUnlessFits(need(model, [{ rows, length }]) + 4 * MLM_FLOATS_PER_LOGIT * logits, {
    what: `an MLM micro-batch of ${rows} texts of ${length} tokens`,
    setting: "the profile's backbone (or teacherBackbone) accumulation (raise it) or batchSize",
    limit,
  });
}
