/**
 * Checkpoints: a folder holding `model.safetensors` (the weights) and `config.json`
 * (the model config, free-form metadata, and the weights' SHA-256).
 *
 * Both files are written atomically, weights first; the checksum in `config.json` ties
 * them together, so a damaged file or a crash between the two writes is detected on load
 * and reported with the file's path instead of silently training on garbage.
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "./atomic_write.ts";
import { sha256Hex } from "./checksum.ts";
import type { Model, ModelConfig } from "./model.ts";
import { addParam, type Params } from "./params.ts";
import { decodeSafetensors, encodeSafetensors, type NamedArray } from "./safetensors.ts";

/** Format tag in `config.json`, checked on load. */
export const CHECKPOINT_FORMAT = "colbert-zero-checkpoint/1";

/** Name of the weights file inside a checkpoint folder. */
export const WEIGHTS_FILE = "model.safetensors";

/** Name of the config file inside a checkpoint folder. */
export const CONFIG_FILE = "config.json";

interface CheckpointConfig {
  format: string;
  model: ModelConfig;
  weights: { file: string; sha256: string };
  metadata: Record<string, unknown>;
}

/** Write `model` (and optional provenance `metadata`) into folder `dir`. */
export async function saveCheckpoint(
  dir: string,
  model: Model,
  options: { metadata?: Record<string, unknown> } = {},
): Promise<void> {
  const tensors = new Map<string, NamedArray>();
  for (const [name, variable] of model.params) {
    tensors.set(name, { shape: variable.shape, data: (await variable.data()) as Float32Array });
  }
  const bytes = encodeSafetensors({ tensors, metadata: { format: CHECKPOINT_FORMAT } });
  await writeFileAtomic(join(dir, WEIGHTS_FILE), bytes);
  const config: CheckpointConfig = {
    format: CHECKPOINT_FORMAT,
    model: model.config,
    weights: { file: WEIGHTS_FILE, sha256: await sha256Hex(bytes) },
    metadata: options.metadata ?? {},
  };
  await writeJsonAtomic(join(dir, CONFIG_FILE), config);
}

/** Read a checkpoint folder back into a trainable model, verifying the weights' checksum. */
export async function loadCheckpoint(
  dir: string,
): Promise<{ model: Model; metadata: Record<string, unknown> }> {
  const configPath = join(dir, CONFIG_FILE);
  const config = await readConfig(configPath);
  const weightsPath = join(dir, config.weights.file);
  const bytes = await Deno.readFile(weightsPath).catch((error) => {
    throw new Error(`${weightsPath}: cannot read checkpoint weights (${error.message})`);
  });
  if (await sha256Hex(bytes) !== config.weights.sha256) {
    throw new Error(
      `${weightsPath}: checksum does not match ${configPath} (damaged or half-written checkpoint)`,
    );
  }
  const { tensors } = decodeSafetensors(bytes, weightsPath);
  const params: Params = new Map();
  for (const [name, { shape, data }] of tensors) {
    addParam(params, name, tf.tensor(data, shape));
  }
  return { model: { config: config.model, params }, metadata: config.metadata };
}

async function readConfig(path: string): Promise<CheckpointConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(`${path}: cannot read checkpoint config (${(error as Error).message})`);
  }
  let config: CheckpointConfig;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: checkpoint config is not valid JSON (${(error as Error).message})`);
  }
  if (config?.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${path}: not a checkpoint of format ${CHECKPOINT_FORMAT}`);
  }
  return config;
}

/**
 * The checkpoint folder named by `nameOrPath`: a folder holding config.json, or the key
 * of a valid entry of `cache`. Throws naming both places it looked.
 */
export async function resolveCheckpoint(
  nameOrPath: string,
  cache: { root: string; get(key: string): Promise<unknown>; path(key: string): string },
): Promise<string> {
  const isFile = (path: string) => Deno.stat(path).then((s) => s.isFile, () => false);
  if (await isFile(join(nameOrPath, CONFIG_FILE))) return nameOrPath;
  if (await cache.get(nameOrPath)) return cache.path(nameOrPath);
  throw new Error(
    `'${nameOrPath}' is neither a checkpoint folder (no ${join(nameOrPath, CONFIG_FILE)}) ` +
      `nor a valid entry of the cache ${cache.root}`,
  );
}
