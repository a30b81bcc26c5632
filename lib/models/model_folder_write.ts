/**
 * A model written as the folder its field loads: a PyLate ColBERT, a sentence-transformers
 * dense model or a transformers cross-encoder, with the suite's provenance and the SHA-256 of
 * every file in `colbert_zero.json` beside them. The folder is built under a temporary name
 * and renamed into place, so a reader never sees half of it.
 *
 * ```ts
 * await saveModelFolder("out/colbert", { model, tokenizerPath: "bert/tokenizer.json" });
 * // PyLate: models.ColBERT("out/colbert"); sentence-transformers: SentenceTransformer(...)
 * ```
 */
import { dirname, join, relative } from "node:path";
import { writeJsonAtomic } from "../atomic_write.ts";
import { colbertLengths } from "../colbert_inputs.ts";
import type { Model } from "../model.ts";
import { sha256File } from "../checksum.ts";
import { encoderShape, type HfEncoderConfig, isHfEncoder } from "./encoder.ts";
import { writeHfEncoder } from "./hf_encoder.ts";
import { HF_CLASSIFIER_PREFIX } from "./hf_classifier.ts";
import { writeHfWeights } from "./hf_weights.ts";
import type { NamedArray } from "../safetensors.ts";

/** The provenance file the suite writes beside a model folder's own files. */
export const PROVENANCE_FILE = "colbert_zero.json";

/** Options of {@link saveModelFolder}. */
export interface SaveModelOptions {
  model: Model;
  /** The tokenizer.json to ship (its tokenizer_config.json and special_tokens_map.json come along). */
  tokenizerPath: string;
  /** Free-form provenance (phase, seed, training log summary...). */
  metadata?: Record<string, unknown>;
}

/** Write `options.model` as a model folder at `dir` (replacing nothing: `dir` must not exist). */
export async function saveModelFolder(dir: string, options: SaveModelOptions): Promise<void> {
  const { model } = options;
  const encoder = model.config.transformer;
  if (!isHfEncoder(encoder)) {
    throw new Error(
      `cannot save to ${dir}: the suite's own pre-norm transformer is not a Hugging Face ` +
        `architecture (only BERT and ModernBERT encoders are written as model folders)`,
    );
  }
  if (await Deno.stat(dir).then(() => true, () => false)) throw new Error(`${dir}: already exists`);
  await Deno.mkdir(dirname(dir), { recursive: true });
  const building = await Deno.makeTempDir({ dir: dirname(dir), prefix: ".tmp-model-" });
  try {
    await copyTokenizer(options.tokenizerPath, building);
    if (model.config.kind === "colbert") await writeColbert(building, model, encoder);
    else if (model.config.kind === "dense") await writeDense(building, model, encoder);
    else if (model.config.kind === "cross") await writeCrossEncoder(building, model, encoder);
    else throw new Error(`cannot save a '${model.config.kind}' model as a model folder`);
    await writeJsonAtomic(join(building, PROVENANCE_FILE), {
      metadata: options.metadata ?? {},
      sha256: await checksums(building),
    });
    await Deno.rename(building, dir);
  } catch (error) {
    await Deno.remove(building, { recursive: true }).catch(() => {});
    throw error;
  }
}

async function writeColbert(dir: string, model: Model, encoder: HfEncoderConfig): Promise<void> {
  const { inputs, colbertDim } = model.config;
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
  const hidden = encoderShape(encoder).hidden;
  await Deno.mkdir(join(dir, "1_Dense"));
  await writeJsonAtomic(join(dir, "1_Dense", "config.json"), {
    in_features: hidden,
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
    prompts: inputs.prompts ? { query: inputs.queryPrompt, document: inputs.documentPrompt } : {},
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

async function writeDense(dir: string, model: Model, encoder: HfEncoderConfig): Promise<void> {
  const { inputs, pooling } = model.config;
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
    word_embedding_dimension: encoderShape(encoder).hidden,
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
    prompts: inputs.prompts ? { query: inputs.queryPrompt, document: inputs.documentPrompt } : {},
    default_prompt_name: null,
    similarity_fn_name: "cosine",
  });
}

/** A transformers `...ForSequenceClassification` folder (one label), base model prefixed. */
async function writeCrossEncoder(
  dir: string,
  model: Model,
  encoder: HfEncoderConfig,
): Promise<void> {
  const head = new Map<string, NamedArray>();
  for (const [name, variable] of model.params) {
    if (name.startsWith(HF_CLASSIFIER_PREFIX)) {
      head.set(name.slice(HF_CLASSIFIER_PREFIX.length), await asArray(variable));
    }
  }
  if (!head.has("classifier.weight")) {
    throw new Error(
      "cannot save: only a cross-encoder with transformers' classification head is written " +
        "(the suite's teacher head with exact-match input has no transformers equivalent)",
    );
  }
  const task = encoder.modelType === "bert"
    ? "BertForSequenceClassification"
    : "ModernBertForSequenceClassification";
  const config = {
    ...encoder,
    json: {
      ...encoder.json,
      architectures: [task],
      id2label: { 0: "LABEL_0" },
      label2id: { LABEL_0: 0 },
    },
  };
  await writeHfEncoder(dir, { config, params: model.params, others: head, prefixBase: true });
}

async function writeModules(dir: string, ...modules: string[][]): Promise<void> {
  await writeJsonAtomic(
    join(dir, "modules.json"),
    modules.map(([type, path], idx) => ({ idx, name: String(idx), path, type })),
  );
}

async function copyTokenizer(tokenizerPath: string, dir: string): Promise<void> {
  const from = dirname(tokenizerPath);
  await Deno.copyFile(tokenizerPath, join(dir, "tokenizer.json"));
  for (const file of ["tokenizer_config.json", "special_tokens_map.json"]) {
    await Deno.copyFile(join(from, file), join(dir, file)).catch(() => {});
  }
}

async function asArray(tensor: { shape: number[]; data(): Promise<unknown> }): Promise<NamedArray> {
  return { shape: tensor.shape, data: (await tensor.data()) as Float32Array };
}

async function checksums(root: string): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) await walk(path);
      else sums[relative(root, path)] = await sha256File(path);
    }
  };
  await walk(root);
  return sums;
}
