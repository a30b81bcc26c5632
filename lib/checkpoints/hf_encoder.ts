/**
 * A transformers model folder's encoder: `config.json` plus safetensors weights, checked
 * tensor by tensor against what the architecture needs, and written back the same way.
 *
 * Folders saved from a task model (`BertForMaskedLM`, `ModernBertForSequenceClassification`,
 * ...) prefix the base model's tensors with `bert.` or `model.`; old BERT checkpoints name
 * LayerNorm parameters `gamma` / `beta`. Both are read as the base model's own names. Tensors
 * outside the base model (pooler, task heads) come back separately for the head readers.
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { writeJsonAtomic } from "../util/atomic_write.ts";
import { addParam, type Params } from "../models/params.ts";
import type { NamedArray } from "./safetensors.ts";
import { type EncoderConfig, parseEncoderConfig } from "../models/encoder.ts";
import { ENCODER_PREFIX } from "../models/encoder_inputs.ts";
import { readHfWeights, SAFETENSORS_FILE, writeHfWeights } from "./hf_weights.ts";
import { expectedStateDict } from "./state_dict.ts";

/** An encoder read from a folder, and the folder's other tensors by their own names. */
export interface HfEncoder {
  config: EncoderConfig;
  /** The base model's weights under {@link ENCODER_PREFIX}. */
  params: Params;
  /** Tensors that are not the base model's (task heads, BERT's pooler), prefix removed. */
  others: Map<string, NamedArray>;
}

/** The prefix transformers gives the base model inside task models of each architecture. */
const BASE_PREFIX: Record<EncoderConfig["modelType"], string> = {
  bert: "bert.",
  modernbert: "model.",
};

/** Read `dir/config.json` and the weights; every error names the file at fault. */
export async function readHfEncoder(dir: string): Promise<HfEncoder> {
  const configPath = join(dir, "config.json");
  const config = parseEncoderConfig(await readJsonObject(configPath), configPath);
  const tensors = normaliseNames(await readHfWeights(dir), BASE_PREFIX[config.modelType]);
  const weightsFile = join(dir, SAFETENSORS_FILE);
  const params: Params = new Map();
  try {
    for (const [name, shape] of expectedStateDict(config)) {
      const tensor = tensors.get(name);
      if (!tensor) throw new Error(`${weightsFile}: tensor "${name}" is missing`);
      if (tensor.shape.join() !== shape.join()) {
        throw new Error(
          `${weightsFile}: tensor "${name}" has shape [${tensor.shape}], ` +
            `${configPath} implies [${shape}]`,
        );
      }
      addParam(params, ENCODER_PREFIX + name, tf.tensor(tensor.data, tensor.shape, "float32"));
      tensors.delete(name);
    }
  } catch (error) {
    for (const variable of params.values()) variable.dispose();
    throw error;
  }
  tensors.delete("embeddings.position_ids"); // a buffer, not a weight
  return { config, params, others: tensors };
}

/** What {@link writeHfEncoder} writes. */
export interface HfEncoderToWrite {
  config: EncoderConfig;
  params: Params;
  /** Tensors beside the base model's (task heads, BERT's pooler), by transformers' names. */
  others?: Map<string, NamedArray>;
  /** Name the base model's tensors as a task model does (`bert.`, `model.`). */
  prefixBase?: boolean;
}

/** Write `config.json` and `model.safetensors` of an encoder into `dir`. */
export async function writeHfEncoder(dir: string, encoder: HfEncoderToWrite): Promise<Uint8Array> {
  const prefix = encoder.prefixBase ? BASE_PREFIX[encoder.config.modelType] : "";
  const tensors = new Map<string, NamedArray>();
  for (const name of expectedStateDict(encoder.config).keys()) {
    const variable = encoder.params.get(ENCODER_PREFIX + name);
    if (!variable) throw new Error(`cannot save: the model has no parameter "${name}"`);
    tensors.set(prefix + name, {
      shape: variable.shape,
      data: (await variable.data()) as Float32Array,
    });
  }
  for (const [name, array] of encoder.others ?? []) {
    // BERT's pooler belongs to the base model; task heads sit beside it.
    tensors.set(name.startsWith("pooler.") ? prefix + name : name, array);
  }
  await writeJsonAtomic(join(dir, "config.json"), encoder.config.json);
  return await writeHfWeights(dir, tensors);
}

function normaliseNames(
  tensors: Map<string, NamedArray>,
  basePrefix: string,
): Map<string, NamedArray> {
  const out = new Map<string, NamedArray>();
  for (const [name, tensor] of tensors) {
    const base = name.startsWith(basePrefix) ? name.slice(basePrefix.length) : name;
    out.set(
      base.replace(/LayerNorm\.gamma$/, "LayerNorm.weight").replace(
        /LayerNorm\.beta$/,
        "LayerNorm.bias",
      ),
      tensor,
    );
  }
  return out;
}

/** A JSON object from `path`; errors name the file. */
export async function readJsonObject(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(`${path}: cannot read (${(error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${path}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}
