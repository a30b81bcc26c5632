/**
 * `pylate_training.json`, which scripts/pylate/train.py writes beside the model it trained:
 * the export's settings, the loss of every step, and where and with what it ran. Import
 * reads it to record the model's provenance and training log in the cache.
 */
import { join } from "node:path";
import type { TrainLog } from "../train/train_log.ts";
import type { ExportSettings } from "./export_settings.ts";

/** The record's file name inside a trained model folder. */
export const RECORD_FILE = "pylate_training.json";

/** What train.py records. */
export interface TrainingRecord {
  format: string;
  settings: ExportSettings;
  /** Hugging Face's log of each optimiser step (the loss as the suite computes it). */
  steps: { step: number; loss: number; lr: number; grad_norm: number }[];
  tokens: number;
  wall_seconds: number;
  processes: number;
  nodes: number;
  device: string;
  host: string;
  finished: string;
  versions: Record<string, string>;
}

const RECORD_FORMAT = "colbert-zero-pylate-training/1";

/** The record of the model folder `dir`, or null when it has none (trained some other way). */
export async function readTrainingRecord(dir: string): Promise<TrainingRecord | null> {
  const path = join(dir, RECORD_FILE);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  let record: TrainingRecord;
  try {
    record = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (record?.format !== RECORD_FORMAT || !Array.isArray(record.steps) || !record.settings) {
    throw new Error(`${path}: not a training record of format ${RECORD_FORMAT}`);
  }
  return record;
}

/** The record as the suite's training log (no validation: PyLate's run does not validate). */
export function recordTrainLog(record: TrainingRecord): TrainLog {
  return {
    steps: record.steps.map((s) => ({
      step: s.step,
      loss: s.loss,
      lr: s.lr,
      gradNorm: s.grad_norm,
    })),
    validation: [],
    tokens: record.tokens,
    seconds: record.wall_seconds,
  };
}
