/**
 * What a profile sets: the sizes and optimisation settings of every phase. The type lives
 * apart from the profiles themselves (profiles.ts) because the settings check
 * (settings_check.ts) reads it and the profiles call the check.
 */
import type { Architecture } from "../models/encoder_of_shape.ts";
import type { EncoderShape } from "../models/suite_encoder.ts";

/** Optimisation and batch settings of one contrastive or distillation phase. */
export interface PhaseSettings {
  steps: number;
  /** Queries per optimiser step (after accumulation). */
  batchSize: number;
  learningRate: number;
  /** Micro-batches per step (the paper's KD: 64 x 2). */
  accumulation: number;
}

/** Where the students and the teacher start: model specs (a folder, `hf:owner/name`, ...). */
export interface PretrainedStart {
  student: string;
  teacher: string;
  /**
   * Set when the study context reads the student: true for a sentence-transformers model, a
   * dense retriever already, whose own contrastive training stands for the study's dense
   * phases (they are not run again); false for an MLM checkpoint such as ModernBERT-base.
   */
  denseTrained?: boolean;
  /** Set with `denseTrained`: the student's architecture (its config.json's model_type). */
  architecture?: Architecture;
}

/**
 * The sizes of a whole study run. Encoders are small ModernBERTs (models/suite_encoder.ts):
 * `intermediate` is the GeGLU width, 1.5 x hidden as in ModernBERT-base.
 */
export interface Profile {
  name: string;
  /**
   * Start from these published models instead of the suite's own ModernBERT (phases/pretrained.ts):
   * `student` and `teacher` then take their shapes, and the backbone phases load, not train.
   */
  pretrained?: PretrainedStart;
  /** The students' encoder (dense and ColBERT models share it, as in the paper). */
  student: EncoderShape;
  /** The cross-encoder teacher's encoder: larger than the students, as a teacher should be. */
  teacher: EncoderShape;
  colbertDim: number;
  queryLength: number;
  /** Document length in the unsupervised phase (the paper: 180). */
  unsupervisedDocumentLength: number;
  /** Document length in the later phases (the paper: 512; our documents are shorter). */
  documentLength: number;
  backbone: PhaseSettings & { maxLength: number };
  /** MLM pre-training of the teacher's own (larger) encoder. */
  teacherBackbone: PhaseSettings & { maxLength: number };
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
  /**
   * Dev queries of the teacher check (study/teacher_check.ts): more than validation's, since
   * the check decides whether the teacher is worth distilling, and 30 queries cannot tell apart
   * models a point or two apart.
   */
  teacherCheckQueries: number;
  /** Evaluation: judged queries per dataset (the full suite is used when it is smaller). */
  evalQueries: number;
  /** Evaluation: documents per dataset (relevant ones plus a fixed sample of others). */
  evalCorpus: number;
  /** BM25 candidates the cross-encoder teacher reranks when it is evaluated. */
  rerankDepth: number;
  /**
   * The KD teacher: a cross-encoder trained here (teacher_phase.ts), or a dense retriever
   * fine-tuned here from the teacher's backbone, fused with BM25 (retrieval/hybrid.ts), where no
   * cross-encoder worth distilling can be made.
   */
  teacherKind: "cross-encoder" | "hybrid";
  /** BM25's share of the hybrid teacher's scores (0: dense only, 1: BM25 only). */
  hybridBm25Weight: number;
  /**
   * How much faster than the encoder a freshly initialised head (ColBERT projection,
   * cross-encoder) learns: 1 from scratch; more on a pretrained encoder, whose short phases
   * would otherwise move its pretrained weights to fit a random head.
   */
  headRateScale: number;
  /** Seeds of the repeated main comparisons. */
  seeds: number[];
  /** Run the prompt variants and the prompt-alignment grid (Tables 3 and 4, finding 4). */
  promptAblations: boolean;
}
