/**
 * Every numeric setting of a profile checked where it enters (a built-in profile, or one
 * changed by `--set`): its range and integrality, and the few rules that tie two settings
 * together. A run with nonsense settings stops before any work, with a one-line error naming
 * the setting and what is allowed, instead of training nothing and caching the result.
 */
import { DEFAULT_COLBERT_INPUT_CONFIG } from "../models/colbert_inputs.ts";
import { KD_CANDIDATES } from "../datasets/kd_dataset.ts";
import {
  checkNumber,
  integers,
  type NumberRange,
  positiveUpTo,
  SettingError,
} from "../util/number_range.ts";
import { BERT_VOCAB_SIZE } from "../models/tokenizer.ts";
import type { PhaseSettings, Profile } from "./profile_settings.ts";

const MANY = 10_000_000;

const ENCODER: Record<string, NumberRange> = {
  vocabSize: integers(BERT_VOCAB_SIZE, MANY),
  hidden: integers(2, 65_536),
  layers: integers(1, 1_024),
  heads: integers(1, 1_024),
  intermediate: integers(1, MANY),
  maxLength: integers(8, 1_000_000),
};

function phase(steps: NumberRange, extra: Record<string, NumberRange> = {}) {
  return {
    steps,
    batchSize: integers(1, 1_000_000),
    learningRate: positiveUpTo(1),
    accumulation: integers(1, 1_000_000),
    ...extra,
  };
}

const LENGTH = integers(3, 1_000_000);
const TEMPERATURE = positiveUpTo(100);
const NEGATIVES = integers(1, 1_000);

/** The allowed range of every numeric setting, by its `--set` path (`*`: any array index). */
export const SETTING_RANGES: Record<string, NumberRange> = {
  ...prefixed("student", ENCODER),
  ...prefixed("teacher", ENCODER),
  colbertDim: integers(1, 65_536),
  queryLength: LENGTH,
  unsupervisedDocumentLength: LENGTH,
  documentLength: LENGTH,
  // 0 steps: the backbone stays a random initialisation (the small profile's choice).
  ...prefixed("backbone", phase(integers(0, MANY), { maxLength: LENGTH })),
  ...prefixed("teacherBackbone", phase(integers(0, MANY), { maxLength: LENGTH })),
  ...prefixed(
    "unsupervised",
    phase(integers(1, MANY), { temperature: TEMPERATURE, chunkSize: integers(1, 1_000_000) }),
  ),
  ...prefixed(
    "supervised",
    phase(integers(1, MANY), { temperature: TEMPERATURE, negatives: NEGATIVES }),
  ),
  ...prefixed("teacherTraining", phase(integers(1, MANY), { negatives: NEGATIVES })),
  // A distribution over fewer than two documents teaches nothing.
  ...prefixed(
    "distillation",
    phase(integers(1, MANY), { documentsPerQuery: integers(2, KD_CANDIDATES) }),
  ),
  kdQueries: integers(1, 100_000_000),
  // 0: never validate.
  validateEvery: integers(0, MANY),
  devQueries: integers(1, 1_000_000),
  teacherCheckQueries: integers(1, 1_000_000),
  evalQueries: integers(1, MANY),
  evalCorpus: integers(1, 100_000_000),
  rerankDepth: integers(1, 100_000),
  hybridBm25Weight: { min: 0, max: 1 },
  headRateScale: positiveUpTo(10_000),
  "seeds.*": integers(0, 2 ** 31 - 1),
};

/**
 * `profile` itself when every numeric setting is in range and the related ones agree;
 * otherwise throws one line starting with `origin` (default: "profile <name>").
 */
export function checkProfile(profile: Profile, origin = `profile ${profile.name}`): Profile {
  try {
    for (const [path, range] of Object.entries(SETTING_RANGES)) {
      if (!path.endsWith(".*")) checkNumber(path, valueAt(profile, path), range);
    }
    for (const [path, value] of numericSettings(profile)) {
      const range = SETTING_RANGES[path.replace(/\.\d+$/, ".*")];
      if (!range) {
        throw new Error(`${path}: no allowed range is known (add one in phases/settings_check.ts)`);
      }
      checkNumber(path, value, range);
    }
    checkRelations(profile);
  } catch (error) {
    throw new SettingError(`${origin}: ${(error as Error).message}`);
  }
  return profile;
}

function checkRelations(profile: Profile): void {
  if (profile.seeds.length === 0) throw new Error("seeds: must name at least one seed");
  for (const encoder of ["student", "teacher"] as const) {
    const { hidden, heads } = profile[encoder];
    // Rotary embeddings rotate pairs of each head's dimensions.
    if (hidden % heads !== 0 || (hidden / heads) % 2 !== 0) {
      throw new Error(
        `${encoder}.hidden = ${hidden}: must be ${encoder}.heads (${heads}) times an even number`,
      );
    }
  }
  const room = profile.student.maxLength - DEFAULT_COLBERT_INPUT_CONFIG.promptAllowance;
  for (const length of ["queryLength", "unsupervisedDocumentLength", "documentLength"] as const) {
    if (profile[length] > room) {
      throw new Error(
        `${length} = ${profile[length]}: must be at most student.maxLength - ` +
          `${DEFAULT_COLBERT_INPUT_CONFIG.promptAllowance} (prompt tokens) = ${room}`,
      );
    }
  }
  for (
    const [name, encoder] of [["backbone", "student"], ["teacherBackbone", "teacher"]] as const
  ) {
    if (profile[name].maxLength > profile[encoder].maxLength) {
      throw new Error(
        `${name}.maxLength = ${profile[name].maxLength}: must be at most ` +
          `${encoder}.maxLength = ${profile[encoder].maxLength}`,
      );
    }
  }
  const phases = [
    "backbone",
    "teacherBackbone",
    "unsupervised",
    "supervised",
    "teacherTraining",
    "distillation",
  ] as const;
  for (const name of phases) {
    const settings: PhaseSettings = profile[name];
    if (settings.batchSize % settings.accumulation !== 0) {
      throw new Error(
        `${name}.accumulation = ${settings.accumulation}: must divide ` +
          `${name}.batchSize = ${settings.batchSize}`,
      );
    }
  }
}

function prefixed(prefix: string, ranges: Record<string, NumberRange>) {
  return Object.fromEntries(
    Object.entries(ranges).map(([key, range]) => [`${prefix}.${key}`, range]),
  );
}

function valueAt(profile: Profile, path: string): unknown {
  let value: unknown = profile;
  for (const key of path.split(".")) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

/** Every numeric leaf of `value` with its dotted path. */
function* numericSettings(value: unknown, path = ""): Iterable<[string, unknown]> {
  if (typeof value === "number") yield [path, value];
  else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      yield* numericSettings(inner, path ? `${path}.${key}` : key);
    }
  }
}
