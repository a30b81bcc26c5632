/**
 * `settings.json` of an export folder: everything scripts/pylate/train.py needs to train the
 * phase as the suite would (loss, temperature, batch, rate, schedule, prompts, GradCache
 * chunk), and the cache key the result belongs under. Keys are snake_case: Python reads it.
 * train.py copies it into the trained model's `pylate_training.json`, so `deno task import`
 * knows how the model it registers was made.
 */
import type { ColbertInputConfig } from "../models/colbert_inputs.ts";
import { ADAMW_DEFAULTS } from "../train/adamw.ts";
import type { PhaseJobOf } from "./phase_job.ts";
import type { DataFiles } from "./training_data.ts";

/** Format tag of settings.json. */
export const EXPORT_FORMAT = "colbert-zero-pylate-export/1";

/** The loss PyLate trains with, and its settings. */
export type ExportLoss =
  | { name: "cached_contrastive"; temperature: number; mini_batch_size: number }
  | { name: "contrastive"; temperature: number }
  | { name: "distillation"; documents_per_query: number; normalize_scores: true };

/** What settings.json holds. */
export interface ExportSettings {
  format: string;
  phase: PhaseJobOf["phase"];
  label: string;
  /** The suite's cache key of this phase: where `deno task import` registers the result. */
  key: string;
  parent_key: string | null;
  profile: string;
  seed: number;
  /** PyLate folder of the model at step 0 (the parent's encoder, the phase's head and inputs). */
  model: string;
  data: DataFiles;
  loss: ExportLoss;
  steps: number;
  /** Queries per optimiser step over every process (the suite's batch). */
  batch_size: number;
  accumulation: number;
  learning_rate: number;
  warmup_steps: number;
  max_grad_norm: number;
  /** Linear decay to 0 (the suite's schedule; Hugging Face's "linear"). */
  lr_scheduler: "linear";
  weight_decay: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_epsilon: number;
  /** Prompts PyLate's collator prepends: to the `query` column, and to every document column. */
  prompts: { query?: string; document?: string };
}

/** The settings of `phase`, whose result goes under `key`. */
export function exportSettings(
  phase: PhaseJobOf,
  options: { key: string; profile: string; model: string; data: DataFiles },
): ExportSettings {
  const { job } = phase;
  const inputs = job.settings.inputs as ColbertInputConfig;
  return {
    format: EXPORT_FORMAT,
    phase: phase.phase,
    label: job.label,
    key: options.key,
    parent_key: job.parent?.key ?? null,
    profile: options.profile,
    seed: job.seed,
    model: options.model,
    data: options.data,
    loss: lossOf(phase),
    steps: job.train.steps,
    batch_size: job.settings.batchSize as number,
    accumulation: job.train.accumulation,
    learning_rate: job.train.learningRate,
    warmup_steps: job.train.warmupSteps,
    max_grad_norm: job.train.clipNorm,
    lr_scheduler: "linear",
    weight_decay: ADAMW_DEFAULTS.weightDecay,
    adam_beta1: ADAMW_DEFAULTS.beta1,
    adam_beta2: ADAMW_DEFAULTS.beta2,
    adam_epsilon: ADAMW_DEFAULTS.epsilon,
    prompts: inputs.prompts ? { query: inputs.queryPrompt, document: inputs.documentPrompt } : {},
  };
}

function lossOf(phase: PhaseJobOf): ExportLoss {
  const settings = phase.job.settings;
  if (phase.phase === "unsupervised") {
    return {
      name: "cached_contrastive",
      temperature: settings.temperature as number,
      mini_batch_size: settings.chunkSize as number,
    };
  }
  if (phase.phase === "supervised") {
    return { name: "contrastive", temperature: settings.temperature as number };
  }
  return {
    name: "distillation",
    documents_per_query: settings.documentsPerQuery as number,
    normalize_scores: true,
  };
}
