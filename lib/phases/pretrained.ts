/**
 * Starting from a real pretrained encoder (the `pretrained` profile, `--backbone`): the
 * study's backbone phase loads a published model folder instead of training the suite's own
 * ModernBERT, and the students and the teacher take that model's shape and tokenizer.
 *
 * The backbone is stored as a dense model with the folder's own pooling (mean pooling and
 * normalisation for all-MiniLM-L6-v2, as sentence-transformers uses it), so that pipeline
 * (a)'s dense phases continue the model as it is, and "the backbone as it is" is the dense
 * baseline row of the tables.
 */
import { basename, join } from "node:path";
import { loadModelFolder } from "../checkpoints/model_folder.ts";
import { encoderShape } from "../models/encoder.ts";
import { type Model, withHead } from "../models/model.ts";
import { disposeParams } from "../models/params.ts";
import type { Tokenizer } from "../models/tokenizer.ts";
import { defaultModelCache, type ModelCache } from "../hub/model_cache.ts";
import { resolveModel } from "../hub/model_source.ts";
import { REPO_ROOT } from "../cache/code_version.ts";
import { sha256File, sha256Hex } from "../util/checksum.ts";
import { weightFiles } from "../checkpoints/hf_weights.ts";
import { colbertInputConfig } from "../models/colbert_inputs.ts";
import { type PhaseJob, phaseTrainConfig } from "./phase.ts";
import type { PretrainedStart, Profile } from "./profile_settings.ts";

/** A resolved pretrained start: the student's folder, its tokenizer, and the profile it shapes. */
export interface PretrainedContext {
  profile: Profile;
  tokenizer: Tokenizer;
}

/**
 * The model cache the study resolves `hf:` names in: `COLBERT_MODELS`, else the checkout's
 * `.cache/models` (where setup puts all-MiniLM-L6-v2), whatever the working directory (the
 * notebooks run from notebooks/).
 */
export function studyModelCache(): ModelCache {
  return defaultModelCache(REPO_ROOT);
}

/**
 * `profile` with its encoders' shapes read from the pretrained folders it names (a `--backbone`
 * may name a model of another size than the profile's default), and the student's tokenizer.
 */
export async function resolvePretrained(
  profile: Profile,
  start: PretrainedStart,
): Promise<PretrainedContext> {
  const student = await loadModelFolder(await resolveModel(start.student, studyCacheOption()));
  const teacher = start.teacher === start.student
    ? student
    : await loadModelFolder(await resolveModel(start.teacher, studyCacheOption()));
  const shapes = {
    student: encoderShape(student.model.config.transformer),
    teacher: encoderShape(teacher.model.config.transformer),
  };
  checkSameVocabulary(start, { student: student.tokenizer, teacher: teacher.tokenizer });
  checkMarkers(start.student, student.tokenizer);
  disposeParams(student.model.params);
  if (teacher !== student) disposeParams(teacher.model.params);
  const denseTrained = student.format === "sentence-transformers";
  const architecture = student.model.config.transformer.modelType;
  return {
    profile: { ...profile, pretrained: { ...start, denseTrained, architecture }, ...shapes },
    tokenizer: student.tokenizer,
  };
}

/** The KD file and the teacher's scores are tokenised once, with the student's tokenizer. */
function checkSameVocabulary(
  start: PretrainedStart,
  tokenizers: { student: Tokenizer; teacher: Tokenizer },
): void {
  const { student, teacher } = tokenizers;
  const differ = (detail: string) =>
    new Error(
      `the teacher ${start.teacher} and the student ${start.student} use different vocabularies ` +
        `(${detail}): the KD file is tokenised once, for both`,
    );
  if (teacher.vocabSize !== student.vocabSize) {
    throw differ(`${teacher.vocabSize} and ${student.vocabSize} tokens`);
  }
  for (let id = 0; id < student.vocabSize; id++) {
    const [a, b] = [teacher.idToToken(id), student.idToToken(id)];
    if (a !== b) throw differ(`id ${id} is "${a}" for the teacher, "${b}" for the student`);
  }
}

/** ColBERT phases need the marker tokens: say so before any phase runs, not at the first ColBERT one. */
function checkMarkers(spec: string, tokenizer: Tokenizer): void {
  const { queryMarker, documentMarker } = colbertInputConfig();
  for (const marker of [queryMarker, documentMarker]) {
    if (tokenizer.tokenToId(marker) === undefined) {
      throw new Error(
        `${spec}: its vocabulary has no "${marker}", the token the ColBERT phases mark queries ` +
          `and documents with (PyLate's [Q] / [D] slots on BERT vocabularies)`,
      );
    }
  }
}

function studyCacheOption(): { cache: ModelCache } {
  return { cache: studyModelCache() };
}

/** Options of {@link pretrainedJob}. */
export interface PretrainedJobOptions {
  /** The model spec (folder, `hf:owner/name`). */
  spec: string;
  seed: number;
  label: string;
  /** Width of the ColBERT head the later phases put on it. */
  colbertDim: number;
}

/**
 * The backbone phase from the model `options.spec` names: no training, the folder's weights
 * stored as a cache entry like any phase's, keyed by the weights' SHA-256 so that another
 * revision of the same name is another backbone.
 */
export async function pretrainedJob(options: PretrainedJobOptions): Promise<PhaseJob> {
  const dir = await resolveModel(options.spec, studyCacheOption());
  const weights = await weightsDigest(dir);
  return {
    phase: "backbone",
    label: options.label,
    module: import.meta.url,
    settings: {
      pretrained: options.spec,
      snapshot: basename(dir),
      weights,
      colbertDim: options.colbertDim,
    },
    seed: options.seed,
    parent: null,
    data: [],
    // No steps: the loop only stores the model (the rate must still be a valid one).
    train: phaseTrainConfig({ steps: 0, batchSize: 1, learningRate: 1, accumulation: 1 }, 0),
    // No steps, so no FLOPs to estimate.
    typicalLength: colbertInputConfig().documentLength,
    task: async () => {
      const { model } = await loadModelFolder(dir);
      return {
        phase: options.label,
        model: asEncoderStart({
          ...model,
          config: { ...model.config, colbertDim: options.colbertDim },
        }),
        gradients: () => Promise.reject(new Error("a pretrained backbone is not trained")),
      };
    },
  };
}

/**
 * A loaded model as a study's starting point: dense and cross-encoder models as they are
 * (their pooling or classifier is part of what was pretrained), any other head replaced by a
 * dense mean-pooling one, as sentence-transformers reads a bare encoder.
 */
export function asEncoderStart(model: Model): Model {
  if (model.config.kind === "dense" || model.config.kind === "cross") return model;
  const dense = withHead(model, "dense", { seed: 0 });
  disposeParams(model.params);
  return { ...dense, config: { ...dense.config, pooling: "mean" } };
}

/**
 * One SHA-256 for a folder's weights: `model.safetensors`'s own, or one over the digests of a
 * sharded checkpoint's index and shards (sentence-transformers keeps the weights at the top,
 * or in `0_Transformer/`).
 */
async function weightsDigest(dir: string): Promise<string> {
  const files = await weightFiles(dir).catch(() => weightFiles(join(dir, "0_Transformer")));
  const digests: string[] = [];
  for (const file of files) digests.push(await sha256File(file));
  return files.length === 1 ? digests[0] : await sha256Hex(digests.join("\n"));
}
