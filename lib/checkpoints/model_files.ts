/**
 * A model written as the folder its field loads, into an existing folder:
 *
 * - ColBERT: a PyLate folder (sentence-transformers modules Transformer -> Dense, PyLate's
 *   settings in config_sentence_transformers.json);
 * - dense: a sentence-transformers folder (Transformer -> Pooling -> Normalize);
 * - MLM: a transformers `ModernBertForMaskedLM` folder;
 * - cross-encoder: a transformers `...ForSequenceClassification` folder when it has
 *   transformers' head; the suite's own teacher head (a linear score on [CLS] plus segment
 *   and exact-match input tables, which transformers has no class for) is written beside a
 *   bare `ModernBertModel`, so transformers loads the encoder and ignores those tensors.
 *
 * Plus `colbert_zero.json`: the suite's own settings of the model (input lengths, prompts, head
 * kind), its provenance, and the SHA-256 of every file, checked when the folder is read.
 */
import { join } from "node:path";
import { writeJsonAtomic } from "../util/atomic_write.ts";
import { sha256File } from "../util/checksum.ts";
import { listFiles } from "../util/files.ts";
import { colbertLengths } from "../models/colbert_inputs.ts";
import { MLM_PREFIX } from "../models/heads/mlm.ts";
import type { Model, ModelConfig } from "../models/model.ts";
import type { NamedArray } from "./safetensors.ts";
import type { Tokenizer } from "../models/tokenizer.ts";
import type { EncoderConfig } from "../models/encoder.ts";
import { HF_CLASSIFIER_PREFIX } from "./hf_classifier.ts";
import { writeHfEncoder } from "./hf_encoder.ts";
import { writeHfWeights } from "./hf_weights.ts";

/** The suite's file beside a model folder's own files. */
export const SUITE_FILE = "colbert_zero.json";

/** Format tag of {@link SUITE_FILE}. */
export const SUITE_FORMAT = "colbert-zero-model/1";

/** What {@link SUITE_FILE} holds. */
export interface SuiteFile {
  format: string;
  /** The model's settings that its folder format cannot carry (the encoder is config.json's). */
  model: Omit<ModelConfig, "transformer">;
  metadata: Record<string, unknown>;
  /** SHA-256 of every other file, by path relative to the folder. */
  sha256: Record<string, string>;
}

/** Prefix of the suite's own cross-encoder head (heads/cross_encoder.ts). */
const SUITE_CROSS_PREFIX = "cross.";

/** Write `model` with `tokenizer` into the existing, empty folder `dir`. */
export async function writeModelFiles(
  dir: string,
  options: { model: Model; tokenizer: Tokenizer; metadata?: Record<string, unknown> },
): Promise<void> {
  const { model, tokenizer } = options;
  const { transformer: encoder, ...settings } = model.config;
  await writeTokenizer(dir, tokenizer, encoder);
  const kind = model.config.kind;
  if (kind === "colbert") await writeColbert(dir, model);
  else if (kind === "dense") await writeDense(dir, model);
  else if (kind === "mlm") await writeMaskedLm(dir, model);
  else await writeCrossEncoder(dir, model);
  const suite: SuiteFile = {
    format: SUITE_FORMAT,
    model: settings,
    metadata: options.metadata ?? {},
    sha256: await checksums(dir),
  };
  await writeJsonAtomic(join(dir, SUITE_FILE), suite);
}

async function writeColbert(dir: string, model: Model): Promise<void> {
  const { inputs, colbertDim, transformer: encoder } = model.config;
  const lengths = colbertLengths(inputs);
  await writeHfEncoder(dir, { config: encoder, params: model.params });
  await writeModules(dir, ["sentence_transformers.models.Transformer", ""], [
    "pylate.models.Dense.Dense",
    "1_Dense",
  ]);
  await writeJsonAtomic(join(dir, "sentence_bert_config.json"), {
    max_seq_length: lengths.document - 1,
    do_lower_case: false,
  });
  const projection = model.params.get("colbert.projection.weight");
  if (!projection) throw new Error("cannot save: the ColBERT model has no projection");
  await Deno.mkdir(join(dir, "1_Dense"));
  await writeJsonAtomic(join(dir, "1_Dense", "config.json"), {
    in_features: encoder.hiddenSize,
    out_features: colbertDim,
    bias: false,
    activation_function: "torch.nn.modules.linear.Identity",
    use_residual: false,
  });
  // The suite's head multiplies by [in, out]; PyTorch's Linear keeps [out, in].
  const weight = projection.transpose();
  await writeHfWeights(join(dir, "1_Dense"), new Map([["linear.weight", await asArray(weight)]]));
  weight.dispose();
  await writeJsonAtomic(join(dir, "config_sentence_transformers.json"), {
    prompts: promptsOf(model),
    default_prompt_name: null,
    similarity_fn_name: "MaxSim",
    query_prefix: inputs.queryMarker,
    document_prefix: inputs.documentMarker,
    query_length: lengths.query,
    document_length: lengths.document,
    attend_to_expansion_tokens: inputs.attendToExpansionTokens,
    skiplist_words: inputs.skiplistWords,
    do_query_expansion: inputs.queryExpansion,
  });
}

/** A sentence-transformers dense folder; one `max_seq_length` serves both sides. */
async function writeDense(dir: string, model: Model): Promise<void> {
  const { inputs, pooling, transformer: encoder } = model.config;
  await writeHfEncoder(dir, { config: encoder, params: model.params });
  const normalize = model.config.normalize ?? true;
  await writeModules(
    dir,
    ["sentence_transformers.models.Transformer", ""],
    ["sentence_transformers.models.Pooling", "1_Pooling"],
    ...(normalize ? [["sentence_transformers.models.Normalize", "2_Normalize"]] : []),
  );
  await writeJsonAtomic(join(dir, "sentence_bert_config.json"), {
    max_seq_length: colbertLengths(inputs).document,
    do_lower_case: false,
  });
  await Deno.mkdir(join(dir, "1_Pooling"));
  await writeJsonAtomic(join(dir, "1_Pooling", "config.json"), {
    word_embedding_dimension: encoder.hiddenSize,
    pooling_mode_cls_token: pooling === "cls",
    pooling_mode_mean_tokens: pooling === "mean",
    pooling_mode_max_tokens: false,
    pooling_mode_mean_sqrt_len_tokens: false,
    pooling_mode_weightedmean_tokens: false,
    pooling_mode_lasttoken: false,
    include_prompt: true,
  });
  if (normalize) await Deno.mkdir(join(dir, "2_Normalize"));
  await writeJsonAtomic(join(dir, "config_sentence_transformers.json"), {
    prompts: promptsOf(model),
    default_prompt_name: null,
    similarity_fn_name: "cosine",
  });
}

async function writeMaskedLm(dir: string, model: Model): Promise<void> {
  const encoder = model.config.transformer;
  if (encoder.modelType !== "modernbert") {
    throw new Error("cannot save: only a ModernBERT MLM model is written as a task folder");
  }
  const json = { ...encoder.json, architectures: ["ModernBertForMaskedLM"] };
  await writeHfEncoder(dir, {
    config: { ...encoder, json },
    params: model.params,
    others: await tensorsUnder(model, MLM_PREFIX),
    prefixBase: true,
  });
}

async function writeCrossEncoder(dir: string, model: Model): Promise<void> {
  const encoder = model.config.transformer;
  const head = await tensorsUnder(model, HF_CLASSIFIER_PREFIX);
  if (head.size === 0) {
    // The suite's teacher head: its tensors keep their names beside a bare encoder.
    const suiteHead = new Map<string, NamedArray>();
    for (const [name, array] of await tensorsUnder(model, SUITE_CROSS_PREFIX)) {
      suiteHead.set(SUITE_CROSS_PREFIX + name, array);
    }
    await writeHfEncoder(dir, { config: encoder, params: model.params, others: suiteHead });
    return;
  }
  const task = encoder.modelType === "bert"
    ? "BertForSequenceClassification"
    : "ModernBertForSequenceClassification";
  const json = {
    ...encoder.json,
    architectures: [task],
    id2label: { 0: "LABEL_0" },
    label2id: { LABEL_0: 0 },
  };
  await writeHfEncoder(dir, {
    config: { ...encoder, json },
    params: model.params,
    others: head,
    prefixBase: true,
  });
}

/** tokenizer.json plus the two small files transformers reads beside it. */
async function writeTokenizer(
  dir: string,
  tokenizer: Tokenizer,
  encoder: EncoderConfig,
): Promise<void> {
  await writeJsonAtomic(join(dir, "tokenizer.json"), tokenizer.json);
  const name = (id: number) => tokenizer.idToToken(id);
  const special = {
    cls_token: name(tokenizer.special.cls),
    sep_token: name(tokenizer.special.sep),
    pad_token: name(tokenizer.special.pad),
    mask_token: name(tokenizer.special.mask),
    unk_token: name(tokenizer.special.unk),
  };
  await writeJsonAtomic(join(dir, "special_tokens_map.json"), special);
  await writeJsonAtomic(join(dir, "tokenizer_config.json"), {
    ...special,
    tokenizer_class: "PreTrainedTokenizerFast",
    model_max_length: encoder.maxPositionEmbeddings,
    model_input_names: ["input_ids", "attention_mask"],
  });
}

function promptsOf(model: Model): Record<string, string> {
  const { inputs } = model.config;
  return inputs.prompts ? { query: inputs.queryPrompt, document: inputs.documentPrompt } : {};
}

async function writeModules(dir: string, ...modules: string[][]): Promise<void> {
  await writeJsonAtomic(
    join(dir, "modules.json"),
    modules.map(([type, path], idx) => ({ idx, name: String(idx), path, type })),
  );
}

/** The model's parameters under `prefix`, by their names without it. */
async function tensorsUnder(model: Model, prefix: string): Promise<Map<string, NamedArray>> {
  const out = new Map<string, NamedArray>();
  for (const [name, variable] of model.params) {
    if (name.startsWith(prefix)) out.set(name.slice(prefix.length), await asArray(variable));
  }
  return out;
}

async function asArray(
  tensor: { shape: number[]; data(): Promise<unknown> },
): Promise<NamedArray> {
  return { shape: tensor.shape, data: (await tensor.data()) as Float32Array };
}

/** SHA-256 of every file under `root` (the suite's own file aside). */
export async function checksums(root: string): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const name of await listFiles(root, undefined, { recursive: true, followLinks: true })) {
    if (name !== SUITE_FILE) sums[name] = await sha256File(join(root, name));
  }
  return sums;
}
