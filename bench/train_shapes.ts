/**
 * The encoders whose training step the benchmark times.
 *
 * - `small`: a small ColBERT encoder, cheap enough for every backend, the slow `cpu`
 *   reference included (the foundation issue's per-backend figure).
 * - `default`: the default profile's student, on the unsupervised phase's shapes
 *   (GradCache chunk as the batch, query and document lengths of that phase).
 * - `gpu`: the gpu profile's student (4 x 256 wide) on that phase's lengths, with a batch
 *   of 8 rather than its chunk of 128, which would take minutes a step on plain wasm.
 * - `teacher`: the gpu profile's teacher (a ModernBERT 6 x 384 with 6 heads and a GeGLU of
 *   576) on the same lengths and batch: the largest encoder the suite trains from scratch.
 * - `6x384`: the pretrained profile's backbone, all-MiniLM-L6-v2 (a BERT: 6 layers, 384 wide,
 *   12 heads, a GELU feed-forward of 1,536), at issue 14's batch, 16 x (32 + 128) tokens, and
 *   encoding documents of 180 tokens: the step and the encoding compared with PyTorch.
 * - `base`: the paper's backbone's shape, ModernBERT-base (22 layers, 768 wide, 12 heads, a
 *   GeGLU of 1,152, a vocabulary of 50,368), at 8 x (32 + 128) (16 would need about 27 GiB)
 *   and encoding documents of 180 tokens: for the record, beside PyTorch.
 */
import { getProfile } from "../lib/phases/profiles.ts";
import type { TrainStepShape } from "./train_step.ts";

const VOCAB = 30522;

const SMALL: TrainStepShape = {
  architecture: "modernbert",
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
  encodeLength: 96,
};

/** Issue 14's shapes: training at 16 x (32 + 128) tokens, encoding documents of 180. */
const ISSUE_14 = { batch: 16, documentLength: 128, encodeLength: 180 };

// answerdotai/ModernBERT-base's config.json sizes.
const MODERNBERT_BASE: TrainStepShape = {
  architecture: "modernbert",
  transformer: {
    vocabSize: 50368,
    hidden: 768,
    layers: 22,
    heads: 12,
    intermediate: 1152,
    maxLength: 8192,
  },
  colbertDim: 128,
  batch: 8,
  queryLength: 32,
  documentLength: ISSUE_14.documentLength,
  encodeLength: ISSUE_14.encodeLength,
};

/** The models a training step is timed on. */
export const TRAIN_MODELS = ["small", "default", "gpu", "teacher", "6x384", "base"] as const;

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
  if (model === "base") {
    return {
      shape: { ...MODERNBERT_BASE, batch: batch ?? MODERNBERT_BASE.batch },
      source: `ModernBERT-base's shape (22 x 768), batch ${batch ?? MODERNBERT_BASE.batch} x ` +
        `(32 + 128) tokens`,
    };
  }
  if (model === "6x384") {
    const profile = getProfile("pretrained");
    batch ??= ISSUE_14.batch;
    const shape: TrainStepShape = {
      architecture: "bert",
      transformer: profile.student,
      colbertDim: profile.colbertDim,
      batch,
      queryLength: profile.queryLength,
      documentLength: ISSUE_14.documentLength,
      encodeLength: ISSUE_14.encodeLength,
    };
    return {
      shape,
      source: `profile 'pretrained' backbone (${profile.pretrained!.student}, a BERT 6 x 384), ` +
        `batch ${batch} x (${shape.queryLength} + ${shape.documentLength}) tokens`,
    };
  }
  const profile = getProfile(model === "default" ? "small" : "gpu");
  batch ??= model === "default" ? profile.unsupervised.chunkSize : 8;
  const teacher = model === "teacher";
  const encoder = teacher ? profile.teacher : profile.student;
  const shape: TrainStepShape = {
    architecture: "modernbert",
    transformer: encoder,
    colbertDim: profile.colbertDim,
    batch,
    queryLength: profile.queryLength,
    documentLength: profile.unsupervisedDocumentLength,
    encodeLength: profile.unsupervisedDocumentLength,
  };
  const { hidden, layers } = encoder;
  return {
    shape,
    source: `profile '${profile.name}' ${teacher ? "teacher" : "student"} ` +
      `(${layers} x ${hidden}), batch ${batch} x (${shape.queryLength} + ` +
      `${shape.documentLength}) tokens`,
  };
}
