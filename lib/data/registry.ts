/**
 * The real datasets and the entry point that builds them all (`deno task data`).
 *
 * ```ts
 * const cards = await buildAllData({ countTokens, tokenizer: "bert-base-uncased" });
 * ```
 */
import { codeVersion } from "../cache/code_version.ts";
import { buildData, type BuildOptions } from "./build.ts";
import type { DataCard } from "./data_card.ts";
import { cisiSpec, EVAL_SPECS } from "./eval_sources.ts";
import type { DatasetSpec } from "./spec.ts";
import { TRAINING_SPECS } from "./train_sources.ts";

/** Where the CISI collection lives when the shared folder is present. */
export const CISI_DIR = "../shared/data/cisi";

/** Every dataset: the evaluation suite (with CISI when `cisiDir` exists), dev, training. */
export async function defaultSpecs(cisiDir = CISI_DIR): Promise<DatasetSpec[]> {
  const cisi = await Deno.stat(cisiDir).then((info) => info.isDirectory).catch(() => false);
  return [...EVAL_SPECS, ...(cisi ? [cisiSpec(cisiDir)] : []), ...TRAINING_SPECS];
}

/** Build every real dataset; the code version is this module and everything it imports. */
export async function buildAllData(
  options: Omit<BuildOptions, "specs" | "code"> & { cisiDir?: string },
): Promise<DataCard[]> {
  const specs = await defaultSpecs(options.cisiDir);
  const code = await codeVersion(new URL(import.meta.url).pathname);
  return buildData({ ...options, specs, code });
}
