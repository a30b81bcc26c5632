/**
 * Any model folder the field publishes, read into the suite's `Model`:
 *
 * - PyLate ColBERT: sentence-transformers modules Transformer -> Dense, and PyLate's settings
 *   in `config_sentence_transformers.json` (prefixes, lengths, query expansion, skiplist);
 * - sentence-transformers dense: Transformer -> Pooling (-> Normalize);
 * - a transformers cross-encoder (`...ForSequenceClassification`, one label) or MLM model
 *   (`ModernBertForMaskedLM`);
 * - a bare transformers encoder: read as a dense model with mean pooling, as
 *   sentence-transformers does for a folder without modules.json.
 *
 * A folder the suite wrote also has `colbert_zero.json` (model_files.ts): its settings are
 * restored exactly and every file's checksum is verified first.
 *
 * ```ts
 * const { model, tokenizer } = await loadModelFolder(await resolveModel("hf:lightonai/GTE-ModernColBERT-v1"));
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import {
  type ColbertInputConfig,
  colbertInputConfig,
  PUNCTUATION,
} from "../models/colbert_inputs.ts";
import { MLM_PREFIX } from "../models/heads/mlm.ts";
import type { Model, ModelConfig } from "../models/model.ts";
import { addParam } from "../models/params.ts";
import type { NamedArray } from "./safetensors.ts";
import { loadTokenizerJson, type Tokenizer } from "../models/tokenizer.ts";
import { HF_CLASSIFIER_PREFIX } from "./hf_classifier.ts";
import { readHfEncoder, readJsonObject } from "./hf_encoder.ts";
import { readHfWeights } from "./hf_weights.ts";
import { checksums, SUITE_FILE, SUITE_FORMAT, type SuiteFile } from "./model_files.ts";
import { moduleKind, readModuleConfig, readStModules, type StModule } from "./st_modules.ts";

/** Which kind of folder a model came from. */
export type FolderFormat =
  | "pylate"
  | "sentence-transformers"
  | "cross-encoder"
  | "masked-lm"
  | "transformers";

/** A model read from a folder, with its tokenizer and the suite's metadata if it has any. */
export interface LoadedModel {
  model: Model;
  tokenizer: Tokenizer;
  format: FolderFormat;
  /** Provenance the suite wrote (`{}` for a folder made elsewhere). */
  metadata: Record<string, unknown>;
}

type Settings = Omit<ModelConfig, "transformer">;

/** Read the model folder `dir`; errors name the file at fault. */
export async function loadModelFolder(dir: string): Promise<LoadedModel> {
  const suite = await readSuiteFile(dir);
  const modules = await readStModules(dir);
  if (modules && moduleKind(modules[0]) !== "Transformer") {
    throw new Error(
      `${join(dir, "modules.json")}: the first module is ${modules[0].type}, not a Transformer`,
    );
  }
  const transformerDir = join(dir, modules?.[0].path ?? "");
  const encoder = await readHfEncoder(transformerDir);
  const tokenizerPath = join(transformerDir, "tokenizer.json");
  const tokenizer = await loadTokenizerJson(tokenizerPath);
  if (tokenizer.vocabSize > encoder.config.vocabSize) {
    throw new Error(
      `${tokenizerPath}: ${tokenizer.vocabSize} token ids, but ` +
        `${join(transformerDir, "config.json")} has vocab_size ${encoder.config.vocabSize} ` +
        `(tokenizer and model do not match)`,
    );
  }
  const architecture = String(
    (encoder.config.json.architectures as unknown[] | undefined)?.[0] ?? "",
  );
  const detected = await detect(dir, {
    modules,
    architecture,
    maxLength: await maxSequenceLength(transformerDir),
  });
  const settings = suite?.model ?? detected.settings;
  // In memory the encoder is the base model; the writers name the task class again.
  const base = encoder.config.modelType === "bert" ? "BertModel" : "ModernBertModel";
  const transformer = {
    ...encoder.config,
    json: { ...encoder.config.json, architectures: [base] },
  };
  const model: Model = {
    config: { ...settings, transformer },
    params: encoder.params,
  };
  if (settings.kind === "colbert") await addProjection(model, dir, modules);
  if (settings.kind === "mlm") {
    addTensors(model, encoder.others, { from: /^(head|decoder)\./, prefix: MLM_PREFIX });
  }
  if (settings.kind === "cross") {
    addCrossHead(model, encoder.others, join(transformerDir, "model.safetensors"));
  }
  return { model, tokenizer, format: detected.format, metadata: suite?.metadata ?? {} };
}

/** The folder's format, and the settings its own files imply. */
async function detect(
  dir: string,
  found: {
    modules: StModule[] | null;
    architecture: string;
    maxLength: (fallback: number) => number;
  },
): Promise<{ format: FolderFormat; settings: Settings }> {
  const { modules, architecture, maxLength } = found;
  const plain = (kind: Settings["kind"], inputs: ColbertInputConfig): Settings => ({
    kind,
    inputs,
    colbertDim: 0,
    pooling: "mean",
  });
  if (!modules) {
    if (architecture.endsWith("ForSequenceClassification")) {
      return { format: "cross-encoder", settings: plain("cross", plainInputs(maxLength(512), {})) };
    }
    if (architecture.endsWith("ForMaskedLM")) {
      return { format: "masked-lm", settings: plain("mlm", plainInputs(maxLength(512), {})) };
    }
    return { format: "transformers", settings: plain("dense", plainInputs(maxLength(512), {})) };
  }
  const settingsPath = join(dir, "config_sentence_transformers.json");
  const stSettings = await optionalJson(settingsPath);
  if (modules.some((m) => moduleKind(m) === "Dense")) {
    return { format: "pylate", settings: plain("colbert", pylateInputs(stSettings, settingsPath)) };
  }
  const pooling = modules.find((m) => moduleKind(m) === "Pooling");
  if (!pooling) {
    throw new Error(
      `${join(dir, "modules.json")}: neither Dense (ColBERT) nor Pooling (dense) modules`,
    );
  }
  return {
    format: "sentence-transformers",
    settings: {
      ...plain("dense", plainInputs(maxLength(512), stSettings)),
      pooling: await poolingMode(dir, pooling),
      normalize: modules.some((m) => moduleKind(m) === "Normalize"),
    },
  };
}

/** The suite's file, its checksums verified; null for a folder made elsewhere. */
async function readSuiteFile(dir: string): Promise<SuiteFile | null> {
  const path = join(dir, SUITE_FILE);
  if (!await Deno.stat(path).then(() => true, () => false)) return null;
  const suite = await readJsonObject(path) as unknown as SuiteFile;
  if (suite.format !== SUITE_FORMAT) throw new Error(`${path}: not of format ${SUITE_FORMAT}`);
  const actual = await checksums(dir);
  for (const [file, sum] of Object.entries(suite.sha256 ?? {})) {
    if (actual[file] !== sum) {
      throw new Error(
        `${join(dir, file)}: ${
          actual[file] ? "checksum does not match" : "missing, listed in"
        } ${path} (damaged or half-written model)`,
      );
    }
  }
  return suite;
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
  const integer = (key: string, otherwise: number) => {
    const value = settings[key] ?? otherwise;
    if (!Number.isInteger(value)) throw new Error(`${source}: "${key}" must be an integer`);
    return value as number;
  };
  return colbertInputConfig({
    queryLength: integer("query_length", 32),
    documentLength: integer("document_length", 180),
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

/** PyLate's projection (one bias-free, linear Dense) as the ColBERT head. */
async function addProjection(model: Model, dir: string, modules: StModule[] | null): Promise<void> {
  const dense = (modules ?? []).filter((m) => moduleKind(m) === "Dense");
  if (dense.length !== 1) {
    throw new Error(
      `${join(dir, "modules.json")}: ${dense.length} Dense modules; the suite reads one projection`,
    );
  }
  const source = join(dir, dense[0].path);
  const config = await readModuleConfig(dir, dense[0]);
  const activation = String(config.activation_function ?? "torch.nn.modules.linear.Identity");
  if (config.bias === true || config.use_residual === true || !activation.endsWith("Identity")) {
    throw new Error(
      `${join(source, "config.json")}: only a bias-free, linear projection is supported ` +
        `(bias ${config.bias}, residual ${config.use_residual}, activation ${activation})`,
    );
  }
  const weight = (await readHfWeights(source)).get("linear.weight");
  const hidden = model.config.transformer.hiddenSize;
  if (!weight || weight.shape.length !== 2 || weight.shape[1] !== hidden) {
    throw new Error(
      `${join(source, "model.safetensors")}: "linear.weight" must be [dim, ${hidden}], got ${
        weight ? `[${weight.shape}]` : "nothing"
      }`,
    );
  }
  // PyTorch keeps [out, in]; the suite's head multiplies by [in, out].
  const matrix = tf.tensor2d(weight.data as Float32Array, weight.shape as [number, number]);
  addParam(model.params, "colbert.projection.weight", matrix.transpose());
  matrix.dispose();
  model.config.colbertDim = weight.shape[0];
}

/** The cross-encoder's head: transformers' classifier, or the suite's own teacher head. */
function addCrossHead(model: Model, others: Map<string, NamedArray>, source: string): void {
  if (others.has("classifier.weight")) {
    addTensors(model, others, {
      from: /^(pooler|classifier|head)\./,
      prefix: HF_CLASSIFIER_PREFIX,
    });
  } else if (others.has("cross.score.weight")) {
    addTensors(model, others, { from: /^cross\./, prefix: "" });
  } else {
    throw new Error(`${source}: no "classifier.weight" tensor (not a cross-encoder)`);
  }
}

function addTensors(
  model: Model,
  others: Map<string, NamedArray>,
  options: { from: RegExp; prefix: string },
): void {
  for (const [name, tensor] of others) {
    if (options.from.test(name)) {
      addParam(
        model.params,
        options.prefix + name,
        tf.tensor(tensor.data, tensor.shape, "float32"),
      );
    }
  }
}

/** Pooling of a Pooling module: CLS or mean (the two the suite's dense head computes). */
async function poolingMode(dir: string, module: StModule): Promise<"cls" | "mean"> {
  const config = await readModuleConfig(dir, module);
  if (config.pooling_mode_cls_token === true) return "cls";
  if (config.pooling_mode_mean_tokens === true) return "mean";
  throw new Error(
    `${join(dir, module.path, "config.json")}: only CLS or mean pooling is supported`,
  );
}
