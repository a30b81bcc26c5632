/**
 * Profiles: how big every phase of the study is. The paper's settings are the reference
 * (see paper.md); a profile scales them to a machine. Every number that differs from the
 * paper says why next to it.
 *
 * - `tiny`: the whole pipeline in a couple of minutes, for tests and CI.
 * - `small` (default): the whole study on a 2-core CPU in about an hour.
 * - `gpu`: a larger model and longer phases for a machine with a GPU (webgpu/tensorflow).
 */
import type { TransformerConfig } from "../transformer.ts";

/** Optimisation and batch settings of one contrastive or distillation phase. */
export interface PhaseSettings {
  steps: number;
  /** Queries per optimiser step (after accumulation). */
  batchSize: number;
  learningRate: number;
  /** Micro-batches per step (the paper's KD: 64 x 2). */
  accumulation: number;
}

/** The sizes of a whole study run. */
export interface Profile {
  name: string;
  /** The students' encoder (dense and ColBERT models share it, as in the paper). */
  student: TransformerConfig;
  /** The cross-encoder teacher's encoder: larger than the students, as a teacher should be. */
  teacher: TransformerConfig;
  colbertDim: number;
  queryLength: number;
  /** Document length in the unsupervised phase (the paper: 180). */
  unsupervisedDocumentLength: number;
  /** Document length in the later phases (the paper: 512; our documents are shorter). */
  documentLength: number;
  backbone: PhaseSettings & { maxLength: number };
  unsupervised: PhaseSettings & { temperature: number; chunkSize: number };
  supervised: PhaseSettings & { temperature: number; negatives: number };
  teacherTraining: PhaseSettings & { negatives: number };
  distillation: PhaseSettings & { documentsPerQuery: number };
  /** Queries of the KD dataset (the paper: 640k MS MARCO queries). */
  kdQueries: number;
  /** Validate on the dev split every this many steps. */
  validateEvery: number;
  /** Dev queries used for validation (a NanoBEIR-like subset). */
  devQueries: number;
  /** Evaluation: judged queries per dataset (the full suite is used when it is smaller). */
  evalQueries: number;
  /** Evaluation: documents per dataset (relevant ones plus a fixed sample of others). */
  evalCorpus: number;
  /** BM25 candidates the cross-encoder teacher reranks when it is evaluated. */
  rerankDepth: number;
  /** Seeds of the repeated main comparisons. */
  seeds: number[];
}

const VOCAB = 30522;

/** The tiny profile: every phase in seconds. */
export const TINY: Profile = {
  name: "tiny",
  student: { vocabSize: VOCAB, hidden: 32, layers: 1, heads: 2, intermediate: 64, maxLength: 96 },
  teacher: { vocabSize: VOCAB, hidden: 48, layers: 1, heads: 2, intermediate: 96, maxLength: 160 },
  colbertDim: 16,
  queryLength: 16,
  unsupervisedDocumentLength: 48,
  documentLength: 64,
  backbone: { steps: 6, batchSize: 8, learningRate: 1e-3, accumulation: 1, maxLength: 48 },
  unsupervised: {
    steps: 4,
    batchSize: 16,
    learningRate: 1e-3,
    accumulation: 1,
    temperature: 0.05,
    chunkSize: 8,
  },
  supervised: {
    steps: 4,
    batchSize: 8,
    learningRate: 5e-4,
    accumulation: 1,
    temperature: 0.2,
    negatives: 2,
  },
  teacherTraining: { steps: 4, batchSize: 8, learningRate: 1e-3, accumulation: 1, negatives: 3 },
  distillation: {
    steps: 4,
    batchSize: 4,
    learningRate: 5e-4,
    accumulation: 2,
    documentsPerQuery: 8,
  },
  kdQueries: 32,
  validateEvery: 2,
  devQueries: 24,
  evalQueries: 20,
  evalCorpus: 200,
  rerankDepth: 20,
  seeds: [1],
};

/** All profiles by name. */
export const PROFILES: Record<string, Profile> = { tiny: TINY };

/** The profile called `name`; throws listing the known ones. */
export function getProfile(name: string): Profile {
  const profile = PROFILES[name];
  if (!profile) {
    throw new Error(`unknown profile '${name}'; choose one of ${Object.keys(PROFILES).join(", ")}`);
  }
  return profile;
}
