/**
 * The suite's checkpoints are model folders of the field (models/model_files.ts): a PyLate
 * ColBERT, a sentence-transformers dense model, a transformers ModernBertForMaskedLM or
 * cross-encoder, each with `colbert_zero.json` (the suite's settings of the model, its
 * provenance and every file's SHA-256) beside it. PyLate, sentence-transformers and
 * transformers load them unchanged; a damaged or half-written file is detected on load.
 */
import { dirname, join } from "node:path";
import type { Model } from "../models/model.ts";
import { loadModelFolder } from "./model_folder.ts";
import { SUITE_FILE, writeModelFiles } from "./model_files.ts";
import type { Tokenizer } from "../models/tokenizer.ts";

/** Options of {@link saveCheckpoint} and {@link saveModelFolder}. */
export interface SaveOptions {
  /** The tokenizer the model reads (its tokenizer.json ships in the folder). */
  tokenizer: Tokenizer;
  /** Provenance: phase, seed, profile, training summary... */
  metadata?: Record<string, unknown>;
}

/** Write `model` into the existing, empty folder `dir` (a cache entry being built). */
export async function saveCheckpoint(
  dir: string,
  model: Model,
  options: SaveOptions,
): Promise<void> {
  await writeModelFiles(dir, { model, ...options });
}

/**
 * Write `model` as a new model folder `dir`, built under a temporary name and renamed into
 * place, so no reader ever sees half of it. `dir` must not exist.
 */
export async function saveModelFolder(
  dir: string,
  model: Model,
  options: SaveOptions,
): Promise<void> {
  if (await Deno.stat(dir).then(() => true, () => false)) throw new Error(`${dir}: already exists`);
  await Deno.mkdir(dirname(dir), { recursive: true });
  const building = await Deno.makeTempDir({ dir: dirname(dir), prefix: ".tmp-model-" });
  try {
    await saveCheckpoint(building, model, options);
    await Deno.chmod(building, 0o755); // a temporary folder is private; the model is not
    await Deno.rename(building, dir);
  } catch (error) {
    await Deno.remove(building, { recursive: true }).catch(() => {});
    throw error;
  }
}

/** Read a checkpoint folder back into a trainable model, every file's checksum verified. */
export async function loadCheckpoint(
  dir: string,
): Promise<{ model: Model; metadata: Record<string, unknown> }> {
  const isFolder = await Deno.stat(join(dir, SUITE_FILE)).then((s) => s.isFile, () => false);
  if (!isFolder) {
    throw new Error(
      `${join(dir, SUITE_FILE)}: cannot read checkpoint (not a model folder the suite wrote)`,
    );
  }
  const { model, metadata } = await loadModelFolder(dir);
  return { model, metadata };
}

/**
 * The checkpoint folder named by `nameOrPath`: a folder holding the suite's file, or the key
 * of a valid entry of `cache`. Throws naming both places it looked.
 */
export async function resolveCheckpoint(
  nameOrPath: string,
  cache: { root: string; get(key: string): Promise<unknown>; path(key: string): string },
): Promise<string> {
  const isFile = (path: string) => Deno.stat(path).then((s) => s.isFile, () => false);
  if (await isFile(join(nameOrPath, SUITE_FILE))) return nameOrPath;
  if (/^[\w-]+$/.test(nameOrPath) && await cache.get(nameOrPath)) return cache.path(nameOrPath);
  throw new Error(
    `'${nameOrPath}' is neither a checkpoint folder (no ${join(nameOrPath, SUITE_FILE)}) ` +
      `nor a valid entry of the cache ${cache.root}`,
  );
}
