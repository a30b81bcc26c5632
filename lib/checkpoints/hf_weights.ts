/**
 * The weights of a Hugging Face folder: `model.safetensors`, or the shards that
 * `model.safetensors.index.json` lists, read into one name -> array map; and written back as
 * one `model.safetensors`.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { decodeSafetensors, encodeSafetensors, type NamedArray } from "./safetensors.ts";

/** File of a single-file checkpoint. */
export const SAFETENSORS_FILE = "model.safetensors";

/** Index of a sharded checkpoint (`weight_map`: tensor name -> shard file). */
export const SAFETENSORS_INDEX_FILE = "model.safetensors.index.json";

/**
 * The files that hold the folder's weights: `model.safetensors`, or the index and every shard
 * it names (sorted); errors name what is missing.
 */
export async function weightFiles(dir: string): Promise<string[]> {
  const layout = await weightLayout(dir);
  if ("single" in layout) return [layout.single];
  const shards = new Set(layout.weightMap.values());
  return [layout.indexPath, ...[...shards].sort().map((shard) => join(dir, shard))];
}

/** Every tensor of the folder `dir`; errors name the file that is missing or damaged. */
export async function readHfWeights(dir: string): Promise<Map<string, NamedArray>> {
  const layout = await weightLayout(dir);
  if ("single" in layout) {
    return decodeSafetensors(await readBytes(layout.single), layout.single).tensors;
  }
  const { indexPath, weightMap } = layout;
  const tensors = new Map<string, NamedArray>();
  for (const shard of new Set(weightMap.values())) {
    const path = join(dir, shard);
    for (const [name, array] of decodeSafetensors(await readBytes(path), path).tensors) {
      if (weightMap.get(name) !== shard) {
        throw new Error(
          `${path}: holds "${name}", which ${indexPath} does not place in this shard`,
        );
      }
      tensors.set(name, array);
    }
  }
  for (const [name, shard] of weightMap) {
    if (!tensors.has(name)) {
      throw new Error(`${join(dir, shard)}: "${name}" is missing (listed in ${indexPath})`);
    }
  }
  return tensors;
}

/** Write `tensors` as `dir/model.safetensors` (atomically); returns the bytes written. */
export async function writeHfWeights(
  dir: string,
  tensors: Map<string, NamedArray>,
): Promise<Uint8Array> {
  const bytes = encodeSafetensors({ tensors, metadata: { format: "pt" } });
  await writeFileAtomic(join(dir, SAFETENSORS_FILE), bytes);
  return bytes;
}

/** A folder's weights: one file, or a sharded checkpoint's index and its tensor -> shard map. */
type WeightLayout = { single: string } | { indexPath: string; weightMap: Map<string, string> };

async function weightLayout(dir: string): Promise<WeightLayout> {
  const single = join(dir, SAFETENSORS_FILE);
  if (await exists(single)) return { single };
  const indexPath = join(dir, SAFETENSORS_INDEX_FILE);
  if (!await exists(indexPath)) {
    throw new Error(
      `${dir}: no ${SAFETENSORS_FILE} or ${SAFETENSORS_INDEX_FILE} (only safetensors weights are read)`,
    );
  }
  return { indexPath, weightMap: parseIndex(await Deno.readTextFile(indexPath), indexPath) };
}

function parseIndex(text: string, path: string): Map<string, string> {
  let index: { weight_map?: Record<string, unknown> };
  try {
    index = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const entries = Object.entries(index.weight_map ?? {});
  if (entries.length === 0) throw new Error(`${path}: no "weight_map" entries`);
  for (const [name, shard] of entries) {
    if (typeof shard !== "string" || shard.includes("/") || shard.includes("\\")) {
      throw new Error(`${path}: "${name}" maps to ${JSON.stringify(shard)}, not a shard file name`);
    }
  }
  return new Map(entries as [string, string][]);
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    throw new Error(`${path}: cannot read weights (${(error as Error).message})`);
  }
}

function exists(path: string): Promise<boolean> {
  return Deno.stat(path).then((s) => s.isFile, () => false);
}
