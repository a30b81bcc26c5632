/**
 * Running a phase through the checkpoint cache: the key hashes the phase's settings, its
 * parent's key, the data checksums and what trains it (code, packages, backend:
 * compute_identity.ts); a hit costs nothing, a
 * miss trains (resuming from a snapshot if an earlier attempt was interrupted) and
 * stores weights, config, training log, metrics and provenance as one cache entry.
 */
import { join } from "node:path";
import { writeJsonAtomic } from "../util/atomic_write.ts";
import type { CacheEntryInfo, CheckpointCache } from "../cache/cache.ts";
import {
  cachedStep,
  type CachedStepIdentity,
  cachedStepIdentity,
  type CachedStepSpec,
} from "../cache/cached_step.ts";
import { loadCheckpoint, saveCheckpoint } from "../checkpoints/checkpoint.ts";
import type { Model } from "../models/model.ts";
import { disposeParams } from "../models/params.ts";
import type { Tokenizer } from "../models/tokenizer.ts";
import { train, type TrainConfig, type TrainTask } from "../train/loop.ts";
import type { TrainLog } from "../train/train_log.ts";
import { throttledPrinter } from "../train/progress.ts";
import { encoderFlopsPerToken } from "../models/encoder.ts";
import type { PhaseSettings, Profile } from "./profile_settings.ts";
import type { StudyData } from "./study_data.ts";

/** What every phase needs from the run around it. */
export interface StudyContext {
  cache: CheckpointCache;
  tokenizer: Tokenizer;
  data: StudyData;
  profile: Profile;
  backend: string;
  /** Where progress lines go (console.log by default). */
  print?: (line: string) => void;
}

/** A finished phase: its cache entry and what it recorded. */
export interface PhaseResult {
  key: string;
  phase: string;
  dir: string;
  info: CacheEntryInfo;
  log: TrainLog;
  provenance: Provenance;
}

/** Where a result came from, stored beside its weights. */
export interface Provenance {
  phase: string;
  label: string;
  profile: string;
  seed: number;
  backend: string;
  parentKey: string | null;
  dataChecksums: Record<string, string>;
  wallSeconds: number;
  tokens: number;
  flops: number;
  steps: number;
  created: string;
}

/** A phase ready to run: its identity, its parent, and how to build its training task. */
export interface PhaseJob {
  /** Phase name (backbone, unsupervised, ...): groups entries in `cache ls`. */
  phase: string;
  /** Human label, e.g. "colbert unsupervised (prompts)". */
  label: string;
  /** Module that defines the phase, for the code version (pass `import.meta.url`). */
  module: string;
  /** Everything that changes the result besides parent and data. */
  settings: Record<string, unknown>;
  seed: number;
  parent: PhaseResult | null;
  /** Data sets the phase reads (names in StudyData.checksums). */
  data: string[];
  train: TrainConfig;
  /** Build the model to train (from the parent's model when there is one) and the task. */
  task(parent: Model | null): Promise<TrainTask>;
  /** Typical sequence length, for the FLOPs estimate. */
  typicalLength: number;
}

/**
 * The loop settings of a phase: its steps, rate and accumulation, no warmup and clipping
 * at 1.0 (the library defaults the paper used), a snapshot every 50 steps; a new head may
 * learn `headRateScale` times faster than the encoder under it.
 */
export function phaseTrainConfig(
  settings: PhaseSettings,
  validateEvery: number,
  headRateScale = 1,
): TrainConfig {
  return {
    headRateScale,
    steps: settings.steps,
    learningRate: settings.learningRate,
    warmupSteps: 0,
    clipNorm: 1,
    accumulation: settings.accumulation,
    validateEvery,
    snapshotEvery: 50,
  };
}

/** A job's cache key, with the entry metadata and data checksums that go with it. */
export interface PhaseIdentity extends CachedStepIdentity {
  dataChecksums: Record<string, string>;
}

/** What identifies `job`'s checkpoint in the cache (see {@link cachedStep}). */
function phaseStep(context: StudyContext, job: PhaseJob): CachedStepSpec {
  return {
    module: job.module,
    backend: context.backend,
    phase: job.phase,
    config: {
      settings: job.settings,
      train: job.train,
      seed: job.seed,
      profile: context.profile.name,
    },
    parentKey: job.parent?.key ?? null,
    dataChecksums: Object.fromEntries(
      job.data.map((name) => [name, context.data.checksums[name] ?? "?"]),
    ),
    profile: context.profile.name,
  };
}

/**
 * The cache key `job` has in `context`: exported so that a model trained elsewhere
 * (`deno task import`) is registered exactly where the suite would have put its own.
 */
export async function phaseIdentity(context: StudyContext, job: PhaseJob): Promise<PhaseIdentity> {
  const step = phaseStep(context, job);
  return { ...await cachedStepIdentity(step), dataChecksums: step.dataChecksums };
}

/** Run `job` or fetch its cached result. */
export async function runPhase(context: StudyContext, job: PhaseJob): Promise<PhaseResult> {
  const step = phaseStep(context, job);
  const { key, info } = await cachedStep(context.cache, step, async (folder, key) => {
    const parent = job.parent ? (await loadCheckpoint(job.parent.dir)).model : null;
    const task = await job.task(parent);
    const log = await train(task, job.train, {
      snapshotDir: context.cache.partialPath(key),
      onProgress: throttledPrinter(context.print),
    });
    const provenance: Provenance = {
      phase: job.phase,
      label: job.label,
      profile: context.profile.name,
      seed: job.seed,
      backend: context.backend,
      parentKey: job.parent?.key ?? null,
      dataChecksums: step.dataChecksums,
      wallSeconds: log.seconds,
      tokens: log.tokens,
      flops: 3 * log.tokens *
        encoderFlopsPerToken(task.model.config.transformer, job.typicalLength),
      steps: log.steps.length,
      created: new Date().toISOString(),
    };
    await saveCheckpoint(folder, task.model, {
      tokenizer: context.tokenizer,
      metadata: { provenance },
    });
    await writeJsonAtomic(join(folder, "train_log.json"), log);
    await writeJsonAtomic(join(folder, "provenance.json"), provenance);
    disposeParams(task.model.params);
  });
  return await readPhaseResult(context.cache, key, info);
}

/** The recorded result of cache entry `key` (what `--from KEY` resumes from). */
export async function readPhaseResult(
  cache: CheckpointCache,
  key: string,
  known?: CacheEntryInfo,
): Promise<PhaseResult> {
  const info = known ?? await cache.get(key);
  if (!info) {
    throw new Error(`no valid cache entry '${key}' in ${cache.root} (see \`deno task cache ls\`)`);
  }
  const dir = cache.path(key);
  const log: TrainLog = JSON.parse(await Deno.readTextFile(join(dir, "train_log.json")));
  const provenance: Provenance = JSON.parse(await Deno.readTextFile(join(dir, "provenance.json")));
  return { key, phase: info.phase, dir, info, log, provenance };
}
