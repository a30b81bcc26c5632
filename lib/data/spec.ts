/**
 * What a dataset declares: its name, kind, origin, licence and how to build it from
 * {@link Inputs}. The registries (train_sources.ts, eval_sources.ts) list the real ones;
 * tests declare small ones over files they write.
 */
import type { BeirDataset } from "../datasets/beir.ts";
import type { Inputs, OriginRef } from "./inputs.ts";
import type { Pair, SupervisedExample } from "../datasets/records.ts";

/** Counts of records a builder left out, by reason (shown in the data card). */
export type Skipped = Record<string, number>;

type Common = {
  /** Unique name: the file or folder name and the data card's name. */
  name: string;
  /** One sentence for the data card. */
  description: string;
  /** Licence of the text, as its package states it. */
  licence: string;
  /** Raw material, resolved to package, version and checksum for the card. */
  origins: OriginRef[];
};

/** Unsupervised pairs: written to `train/pairs/<name>.jsonl`. */
export type PairsSpec = Common & {
  kind: "pairs";
  build(inputs: Inputs): Promise<{ records: Pair[]; skipped: Skipped }>;
};

/**
 * Supervised examples by split: written to `train/supervised/<name>.<split>.jsonl`. Only
 * the `train` split is training data (decontaminated, leakage-checked); `dev` is held-out
 * validation data drawn from the same split as the dev BEIR set.
 */
export type SupervisedSpec = Common & {
  kind: "supervised";
  build(inputs: Inputs): Promise<{ splits: Record<string, SupervisedExample[]>; skipped: Skipped }>;
};

/** A BEIR dataset: `eval/<name>/` (the evaluation suite) or `dev/<name>/` (model selection). */
export type BeirSpec = Common & {
  kind: "eval" | "dev";
  build(inputs: Inputs): Promise<{ dataset: BeirDataset; skipped: Skipped }>;
};

/** Any dataset of the build. */
export type DatasetSpec = PairsSpec | SupervisedSpec | BeirSpec;

/** Training datasets are decontaminated against every evaluation and dev text. */
export function isTraining(spec: DatasetSpec): spec is PairsSpec | SupervisedSpec {
  return spec.kind === "pairs" || spec.kind === "supervised";
}

/** Count `reason` once in `skipped`. */
export function countSkip(skipped: Skipped, reason: string): void {
  skipped[reason] = (skipped[reason] ?? 0) + 1;
}
