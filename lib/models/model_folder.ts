/**
 * Any model folder the field publishes, read into the suite's `Model`:
 *
 * - PyLate ColBERT: sentence-transformers modules Transformer -> Dense, and PyLate's settings
 *   in `config_sentence_transformers.json` (prefixes, lengths, query expansion, skiplist);
 * - sentence-transformers dense: Transformer -> Pooling (-> Normalize);
 * - cross-encoder: a transformers `...ForSequenceClassification` folder with one label;
 * - a bare transformers encoder: read as a dense model with mean pooling, as
 *   sentence-transformers does for a folder without modules.json.
 *
 * ```ts
 * const { model, tokenizer } = await loadModelFolder(await resolveModel("hf:lightonai/GTE-ModernColBERT-v1"));
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { type ColbertInputConfig, colbertInputConfig, PUNCTUATION } from "../colbert_inputs.ts";
import type { Pooling } from "../heads/dense.ts";
import type { Model, ModelKind } from "../model.ts";
import { addParam } from "../params.ts";
import type { NamedArray } from "../safetensors.ts";
import { loadTokenizerJson, type Tokenizer } from "../tokenizer.ts";
import { readHfEncoder, readJsonObject } from "./hf_encoder.ts";
import { readHfWeights } from "./hf_weights.ts";
import { moduleKind, readModuleConfig, readStModules, type StModule } from "./st_modules.ts";

/** Which kind of folder a model came from. */
export type FolderFormat = "pylate" | "sentence-transformers" | "cross-encoder" | "transformers";

/** A model read from a folder, with its tokenizer. */
export interface LoadedModel {
  model: Model;
  tokenizer: Tokenizer;
  format: FolderFormat;
  /** The tokenizer.json it was read from (copied when the model is saved again). */
  tokenizerPath: string;
}

/** Read the model folder `dir`; errors name the file at fault. */
export async function loadModelFolder(dir: string): Promise<LoadedModel> {
  const modules = await readStModules(dir);
  const transformerDir = join(dir, modules?.[0].path ?? "");
  if (modules && moduleKind(modules[0]) !== "Transformer") {
    throw new Error(
      `${join(dir, "modules.json")}: the first module is ${modules[0].type}, not a Transformer`,
    );
  }
  const encoder = await readHfEncoder(transformerDir);
  const tokenizerPath = join(transformerDir, "tokenizer.json");
  const tokenizer = await loadTokenizerJson(tokenizerPath);
  if (tokenizer.vocabSize > encoder.config.vocabSize) {
    throw new Error(
      `${tokenizerPath}: ${tokenizer.vocabSize} token ids, but ${
        join(transformerDir, "config.json")
      } ` +
        `has vocab_size ${encoder.config.vocabSize} (tokenizer and model do not match)`,
    );
  }
  const maxLength = await maxSequenceLength(transformerDir);
  const base = { transformer: encoder.config, colbertDim: 0, pooling: "mean" as Pooling };
  const made = (kind: ModelKind, format: FolderFormat, inputs: ColbertInputConfig) => ({
    model: { config: { ...base, kind, inputs }, params: encoder.params } as Model,
    tokenizer,
    format,
    tokenizerPath,
  });
  if (!modules) {
    const architecture = String(
      (encoder.config.json.architectures as unknown[] | undefined)?.[0] ?? "",
    );
    if (!architecture.endsWith("ForSequenceClassification")) {
      return made("dense", "transformers", plainInputs(maxLength(512), {}));
    }
    const loaded = made("cross", "cross-encoder", plainInputs(maxLength(512), {}));
    addHeadParams(loaded.model, encoder.others, join(dir, "model.safetensors"));
    return loaded;
  }
  const settingsPath = join(dir, "config_sentence_transformers.json");
  const settings = await optionalJson(settingsPath);
  const dense = modules.filter((m) => moduleKind(m) === "Dense");
  if (dense.length > 0) {
    const loaded = made("colbert", "pylate", pylateInputs(settings, settingsPath));
    loaded.model.config.colbertDim = await addProjection(loaded.model, dir, dense);
    return loaded;
  }
  const pooling = modules.find((m) => moduleKind(m) === "Pooling");
  if (!pooling) {
    throw new Error(
      `${join(dir, "modules.json")}: neither Dense (ColBERT) nor Pooling (dense) modules`,
    );
  }
  const loaded = made("dense", "sentence-transformers", plainInputs(maxLength(512), settings));
  loaded.model.config.pooling = await poolingMode(dir, pooling);
  loaded.model.config.normalize = modules.some((m) => moduleKind(m) === "Normalize");
  return loaded;
}

/** A function giving sentence_bert_config.json's `max_seq_length`, or `fallback` without one. */
async function maxSequenceLength(dir: string): Promise<(fallback: number) => number> {
  const settings = await optionalJson(join(dir, "sentence_bert_config.json"));
  return (fallback) =>
    Number.isInteger(settings.max_seq_length) ? settings.max_seq_length as number : fallback;
}

/** The JSON object at `path`, or `{}` when there is no such file. */
function optionalJson(path: string): Promise<Record<string, unknown>> {
  return Deno.stat(path).then(() => readJsonObject(path), () => ({}));
}

/** Inputs of a dense model or cross-encoder: no markers, the folder's query/document prompts. */
function plainInputs(maxLength: number, settings: Record<string, unknown>): ColbertInputConfig {
  const prompts = (settings.prompts ?? {}) as Record<string, string>;
  return colbertInputConfig({
    queryLength: maxLength,
    documentLength: maxLength,
    prompts: Boolean(prompts.query || prompts.document),
    queryPrompt: prompts.query ?? "",
    documentPrompt: prompts.document ?? "",
    promptAllowance: 0,
    queryExpansion: false,
  });
}

/**
 * PyLate's settings as the suite's input config. PyLate counts [CLS], the prefix token and
 * [SEP] in both lengths and pads queries with [MASK]; a prompt is prepended to the text
 * inside the same length (no allowance). The `query` and `document` prompts are used when the
 * folder names them (ColBERT-Zero's own), else the default prompt on both sides.
 */
function pylateInputs(settings: Record<string, unknown>, source: string): ColbertInputConfig {
  const prompts = (settings.prompts ?? {}) as Record<string, string>;
  const fallback = typeof settings.default_prompt_name === "string"
    ? prompts[settings.default_prompt_name] ?? ""
    : "";
  const queryPrompt = prompts.query ?? fallback;
  const documentPrompt = prompts.document ?? fallback;
  const number = (key: string, otherwise: number) => {
    const value = settings[key] ?? otherwise;
    if (!Number.isInteger(value)) throw new Error(`${source}: "${key}" must be an integer`);
    return value as number;
  };
  return colbertInputConfig({
    queryLength: number("query_length", 32),
    documentLength: number("document_length", 180),
    prompts: Boolean(queryPrompt || documentPrompt),
    queryPrompt,
    documentPrompt,
    promptAllowance: 0,
    queryMarker: String(settings.query_prefix ?? "[Q] "),
    documentMarker: String(settings.document_prefix ?? "[D] "),
    queryExpansion: settings.do_query_expansion !== false,
    attendToExpansionTokens: settings.attend_to_expansion_tokens === true,
    skiplistWords: (settings.skiplist_words as string[] | undefined) ?? PUNCTUATION,
  });
}

/** PyLate's projection (one bias-free, linear Dense) as the ColBERT head; returns its width. */
async function addProjection(model: Model, dir: string, dense: StModule[]): Promise<number> {
  const source = join(dir, dense[0].path);
  if (dense.length !== 1) {
    throw new Error(
      `${join(dir, "modules.json")}: ${dense.length} Dense modules; the suite reads one projection`,
    );
  }
  const config = await readModuleConfig(dir, dense[0]);
  const activation = String(config.activation_function ?? "torch.nn.modules.linear.Identity");
  if (config.bias === true || config.use_residual === true || !activation.endsWith("Identity")) {
    throw new Error(
      `${
        join(source, "config.json")
      }: only a bias-free, linear projection is supported (bias ${config.bias}, residual ${config.use_residual}, activation ${activation})`,
    );
  }
  const weights = await readHfWeights(source);
  const weight = weights.get("linear.weight");
  const hidden = (model.config.transformer as { hiddenSize: number }).hiddenSize;
  if (!weight || weight.shape.length !== 2 || weight.shape[1] !== hidden) {
    throw new Error(
      `${join(source, "model.safetensors")}: "linear.weight" must be [dim, ${hidden}], got ${
        weight ? `[${weight.shape}]` : "nothing"
      }`,
    );
  }
  // PyTorch keeps [out, in]; the suite's head multiplies by [in, out].
  addParam(
    model.params,
    "colbert.projection.weight",
    tf.tensor2d(weight.data as Float32Array, weight.shape as [number, number]).transpose(),
  );
  return weight.shape[0];
}

/** Pooling of a Pooling module: CLS or mean (the two the suite's dense head computes). */
async function poolingMode(dir: string, module: StModule): Promise<Pooling> {
  const config = await readModuleConfig(dir, module);
  if (config.pooling_mode_cls_token === true) return "cls";
  if (config.pooling_mode_mean_tokens === true) return "mean";
  throw new Error(
    `${join(dir, module.path, "config.json")}: only CLS or mean pooling is supported`,
  );
}

/** The classification head's tensors (pooler, classifier, head.*) as model parameters. */
function addHeadParams(model: Model, others: Map<string, NamedArray>, source: string): void {
  for (const [name, tensor] of others) {
    if (/^(pooler|classifier|head)\./.test(name)) {
      addParam(model.params, `cross_hf.${name}`, tf.tensor(tensor.data, tensor.shape, "float32"));
    }
  }
  if (!model.params.has("cross_hf.classifier.weight")) {
    throw new Error(`${source}: no "classifier.weight" tensor`);
  }
}
