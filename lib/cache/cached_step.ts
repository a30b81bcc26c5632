/**
 * One cached step of the study (a training phase, the KD dataset, an evaluation): the module
 * that computes it -> its code version and compute identity -> the cache key -> the entry,
 * built only when missing. The three callers differ only in what they put in `config` and
 * how they fill the folder, so the key recipe lives here once.
 */
import { relative } from "node:path";
import { type CacheEntryInfo, cacheKey, type CheckpointCache } from "./cache.ts";
import { REPO_ROOT } from "./code_version.ts";
import { computeIdentity } from "./compute_identity.ts";

/** What identifies a cached step, besides the code, packages and backend that compute it. */
export interface CachedStepSpec {
  /** The module that computes the step (its `import.meta.url`): its code version is keyed. */
  module: string;
  /** The compute backend's name (context.backend). */
  backend: string;
  /** The kind of entry: a phase name, "kd_dataset", "evaluation". */
  phase: string;
  /** Every setting the result depends on. */
  config: unknown;
  /** The entry this one is computed from (a checkpoint), or null. */
  parentKey: string | null;
  /** Checksums of the data read, by name. */
  dataChecksums: Record<string, string>;
  /** The profile name, recorded in the entry's metadata. */
  profile: string;
}

/** A step's cache key and the metadata its entry is stored with. */
export interface CachedStepIdentity {
  key: string;
  meta: Omit<CacheEntryInfo, "key" | "created" | "bytes" | "files">;
}

/** The cache key of `spec` and its entry metadata, without building anything. */
export async function cachedStepIdentity(spec: CachedStepSpec): Promise<CachedStepIdentity> {
  const module = relative(REPO_ROOT, new URL(spec.module).pathname);
  const { codeVersion, ...computedBy } = await computeIdentity(module, spec.backend);
  const key = await cacheKey({
    ...computedBy,
    phase: spec.phase,
    config: spec.config,
    parentKey: spec.parentKey,
    dataChecksums: spec.dataChecksums,
    codeVersion,
  });
  const meta = {
    phase: spec.phase,
    parentKey: spec.parentKey,
    profile: spec.profile,
    codeVersion,
    module,
  };
  return { key, meta };
}

/**
 * Fetch `spec`'s entry from `cache`, or build it: `build` fills a fresh folder that becomes
 * the entry only when it returns. Returns the key, the entry's folder and its info.
 */
export async function cachedStep(
  cache: CheckpointCache,
  spec: CachedStepSpec,
  build: (folder: string, key: string) => Promise<void>,
): Promise<{ key: string; dir: string; info: CacheEntryInfo }> {
  const { key, meta } = await cachedStepIdentity(spec);
  const { info } = await cache.getOrBuild(key, meta, (folder) => build(folder, key));
  return { key, dir: cache.path(key), info };
}
