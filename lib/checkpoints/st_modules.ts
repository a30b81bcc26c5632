/**
 * A sentence-transformers folder's `modules.json`: the pipeline of modules (Transformer, then
 * Pooling / Normalize for a dense model, Dense projections for a PyLate ColBERT model), each
 * in its own sub-folder.
 */
import { join } from "node:path";
import { readJsonObject } from "./hf_encoder.ts";

/** One entry of modules.json. */
export interface StModule {
  /** Python class, e.g. `sentence_transformers.models.Pooling` or `pylate.models.Dense.Dense`. */
  type: string;
  /** Sub-folder ("" for the Transformer at the folder's root). */
  path: string;
}

/** The modules of a sentence-transformers folder, or null when it has no modules.json. */
export async function readStModules(dir: string): Promise<StModule[] | null> {
  const path = join(dir, "modules.json");
  const exists = await Deno.stat(path).then(() => true, () => false);
  if (!exists) return null;
  let list: unknown;
  try {
    list = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error(`${path}: expected a non-empty array`);
  }
  return list.map((entry, i) => {
    if (typeof entry?.type !== "string" || typeof entry?.path !== "string") {
      throw new Error(`${path}: entry ${i} has no "type" and "path" strings`);
    }
    return { type: entry.type, path: entry.path };
  });
}

/** The last dotted part of a module's class (`Pooling`, `Normalize`, `Dense`, `Transformer`). */
export function moduleKind(module: StModule): string {
  return module.type.split(".").at(-1) ?? module.type;
}

/** A module's config.json, or `{}` when it has none (Normalize has no settings). */
export function readModuleConfig(dir: string, module: StModule): Promise<Record<string, unknown>> {
  const path = join(dir, module.path, "config.json");
  return Deno.stat(path).then(() => readJsonObject(path), () => ({}));
}
