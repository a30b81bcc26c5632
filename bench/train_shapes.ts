/**
 * The encoders whose training step the benchmark times.
 *
 * - `small`: a small ColBERT encoder, cheap enough for every backend, the slow `cpu`
 *   reference included (the foundation issue's per-backend figure).
 * - `default`: the default profile's student, on the unsupervised phase's shapes
 *   (GradCache chunk as the batch, query and document lengths of that phase).
 * - `gpu`: the gpu profile's student (4 x 256 wide) on that phase's lengths, with a batch
 *   of 8 rather than its chunk of 128, which would take minutes a step on plain wasm.
 * - `teacher`: the gpu profile's teacher (6 x 384, all-MiniLM-L6-v2's depth and width) on the
 *   same lengths and batch: the largest encoder the suite trains.
 * - `6x384`: the same encoder at issue 14's batch, 16 x (32 + 128) tokens: the step the
 *   wasm backend's 4 GiB heap could not hold, and the one compared with PyTorch.
 */
import { getProfile } from "../lib/phases/profiles.ts";
import type { TrainStepShape } from "./train_step.ts";

const VOCAB = 30522;

const SMALL: TrainStepShape = {
  transformer: {
    vocabSize: VOCAB,
    hidden: 64,
    layers: 2,
    heads: 2,
    intermediate: 96,
    maxLength: 128,
  },
  colbertDim: 32,
  batch: 4,
  queryLength: 32,
  documentLength: 96,
};

/** The models a training step is timed on. */
export const TRAIN_MODELS = ["small", "default", "gpu", "teacher", "6x384"] as const;

/** One of {@link TRAIN_MODELS}. */
export type TrainModel = typeof TRAIN_MODELS[number];

/** The shape of `model` (its own batch unless `batch` is given), and where it came from. */
export function trainShape(
  model: TrainModel,
  batch?: number,
): { shape: TrainStepShape; source: string } {
  if (model === "small") {
    return { shape: { ...SMALL, batch: batch ?? SMALL.batch }, source: "small encoder (bench)" };
  }
  const profile = getProfile(model === "default" ? "small" : "gpu");
  batch ??= model === "default" ? profile.unsupervised.chunkSize : model === "6x384" ? 16 : 8;
  const teacher = model === "teacher" || model === "6x384";
  const encoder = teacher ? profile.teacher : profile.student;
  const shape = {
    transformer: encoder,
    colbertDim: profile.colbertDim,
    batch,
    queryLength: profile.queryLength,
    documentLength: model === "6x384" ? 128 : profile.unsupervisedDocumentLength,
  };
  const { hidden, layers } = encoder;
  return {
    shape,
    source: `profile '${profile.name}' ${teacher ? "teacher" : "student"} ` +
      `(${layers} x ${hidden}), batch ${batch} x (${shape.queryLength} + ` +
      `${shape.documentLength}) tokens`,
  };
}
