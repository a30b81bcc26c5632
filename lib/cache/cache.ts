/**
 * The checkpoint cache: one folder per phase result, named by a key that hashes
 * everything the result depends on, so the same work is never done twice and a change
 * recomputes exactly the phases downstream of it (their parent key changes too).
 *
 * Entries are built in a temporary folder and renamed into place (atomic), and carry the
 * SHA-256 of every file they hold: a damaged entry is detected on use, moved aside and
 * rebuilt, never silently used. Two runs wanting one key build it once: the second waits
 * for the first (build_lock.ts) and uses its entry; should both build all the same (a cache
 * folder whose filesystem ignores locks), the first rename wins and the loser's copy is
 * discarded; neither can leave a half-written entry. What a killed build leaves (its
 * temporary folder, its lock file, its snapshots once the entry exists) is removed by the
 * next build once its builder is known to be gone (cache_leftovers.ts).
 */
import { join, relative } from "node:path";
import { writeJsonAtomic } from "../util/atomic_write.ts";
import { buildLockHeld, buildLockKey, lockBuild, removeUnusedBuildLock } from "./build_lock.ts";
import { buildFolder, buildFolderPrefix, partialFolderKey } from "./cache_leftovers.ts";
import { sha256File, sha256Hex } from "../util/checksum.ts";
import { REPO_ROOT } from "./code_version.ts";
import type { ComputeIdentity } from "./compute_identity.ts";

/**
 * Everything a phase result depends on: its settings, its parent, the checksums of the data
 * it reads, and what computed it (code, packages, runtime and backend: compute_identity.ts).
 */
export interface CacheKeySpec extends ComputeIdentity {
  phase: string;
  config: unknown;
  parentKey: string | null;
  dataChecksums: Record<string, string>;
}

/** What `entry.json` says about an entry (shown by `deno task cache ls`). */
export interface CacheEntryInfo {
  key: string;
  phase: string;
  parentKey: string | null;
  profile: string;
  created: string;
  bytes: number;
  codeVersion: string;
  /** The module whose import graph `codeVersion` hashes (lets `gc` spot stale entries). */
  module?: string;
  files: Record<string, string>;
}

const ENTRY_FILE = "entry.json";

/** The key of a spec: SHA-256 of its canonical JSON (sorted object keys), 16 hex digits. */
export async function cacheKey(spec: CacheKeySpec): Promise<string> {
  return (await sha256Hex(canonicalJson(spec))).slice(0, 16);
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
        : v,
  );
}

/** A folder of cache entries. */
export class CheckpointCache {
  constructor(readonly root: string) {}

  /** Folder where an entry for `key` lives once built. */
  path(key: string): string {
    return join(this.root, key);
  }

  /** Folder where a build of `key` keeps resumption snapshots between attempts. */
  partialPath(key: string): string {
    return join(this.root, `.partial-${key}`);
  }

  /** The verified entry for `key`, or null when absent or damaged (then moved aside). */
  async get(key: string): Promise<CacheEntryInfo | null> {
    const info = await this.#readInfo(key);
    if (!info) return null;
    for (const [file, sum] of Object.entries(info.files)) {
      const actual = await sha256File(join(this.path(key), file)).catch(() => "missing");
      if (actual !== sum) {
        const aside = join(this.root, `.damaged-${key}-${Date.now()}`);
        console.warn(
          `cache: ${join(this.path(key), file)} is damaged (${
            actual === "missing" ? "missing" : "checksum mismatch"
          }); moved the entry to ${aside} and rebuilding`,
        );
        await Deno.rename(this.path(key), aside).catch((error) => {
          // Another run moved the same damaged entry aside first.
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        });
        return null;
      }
    }
    return info;
  }

  /**
   * The entry for `key`, built by `produce(folder)` when absent. `produce` writes the
   * entry's files into the folder it is given; the cache adds checksums and moves it in.
   */
  async getOrBuild(
    key: string,
    meta: Omit<CacheEntryInfo, "key" | "created" | "bytes" | "files">,
    produce: (folder: string) => Promise<void>,
  ): Promise<{ info: CacheEntryInfo; built: boolean }> {
    await this.removeLeftovers();
    const cached = await this.get(key);
    if (cached) return { info: cached, built: false };
    await Deno.mkdir(this.root, { recursive: true });
    await using _building = await lockBuild(this.root, key);
    const builtMeanwhile = await this.get(key);
    if (builtMeanwhile) return { info: builtMeanwhile, built: false };
    const building = await Deno.makeTempDir({ dir: this.root, prefix: buildFolderPrefix(key) });
    try {
      await produce(building);
      const files: Record<string, string> = {};
      let bytes = 0;
      for await (const path of filesUnder(building)) {
        files[relative(building, path)] = await sha256File(path);
        bytes += (await Deno.stat(path)).size;
      }
      const info: CacheEntryInfo = {
        key,
        ...meta,
        created: new Date().toISOString(),
        bytes,
        files,
      };
      await writeJsonAtomic(join(building, ENTRY_FILE), info);
      try {
        await Deno.rename(building, this.path(key));
      } catch (error) {
        // Another run finished the same key first: keep its entry if it verifies.
        const winner = await this.get(key);
        if (!winner) throw error;
        await Deno.remove(building, { recursive: true });
        return { info: winner, built: false };
      }
      await Deno.remove(this.partialPath(key), { recursive: true }).catch(() => {});
      return { info, built: true };
    } catch (error) {
      await Deno.remove(building, { recursive: true }).catch(() => {});
      throw error;
    }
  }

  /** Every entry's info, oldest first. */
  async list(): Promise<CacheEntryInfo[]> {
    const out: CacheEntryInfo[] = [];
    for await (const item of safeReadDir(this.root)) {
      if (!item.isDirectory || item.name.startsWith(".")) continue;
      const info = await this.#readInfo(item.name);
      if (info) out.push(info);
    }
    return out.sort((a, b) => a.created.localeCompare(b.created));
  }

  /** Delete one entry (and its partial snapshots). */
  async remove(key: string): Promise<void> {
    await Deno.remove(this.path(key), { recursive: true });
    await Deno.remove(this.partialPath(key), { recursive: true }).catch(() => {});
  }

  /**
   * Delete what killed builds left: temporary folders whose builder is gone, lock files
   * nobody holds, and the snapshots of keys whose entry exists and that no running build
   * works on. Returns the names removed.
   */
  async removeLeftovers(): Promise<string[]> {
    const names = await this.#names();
    const building = await this.#keysBeingBuilt(names);
    return await this.#removeWhere(names, (name) => {
      if (buildLockKey(name) !== null) return removeUnusedBuildLock(join(this.root, name));
      const partial = partialFolderKey(name);
      if (partial !== null) return names.includes(partial) && !building.has(partial);
      return buildFolder(name)?.builder === "gone";
    });
  }

  /**
   * Delete every leftover no running build needs (temporary folders of builders that are
   * gone, or unknown and a day old; lock files nobody holds; damaged copies; snapshots of
   * keys nothing builds) and every entry for which `keep` says no; returns the names removed.
   */
  async gc(keep: (info: CacheEntryInfo) => boolean | Promise<boolean>): Promise<string[]> {
    const names = await this.#names();
    const building = await this.#keysBeingBuilt(names);
    const dayAgo = Date.now() - 24 * 3600 * 1000;
    return await this.#removeWhere(names, async (name) => {
      if (buildLockKey(name) !== null) return removeUnusedBuildLock(join(this.root, name));
      const partial = partialFolderKey(name);
      if (partial !== null) return !building.has(partial);
      const folder = buildFolder(name);
      if (folder?.builder === "unknown") {
        const modified = (await Deno.stat(join(this.root, name))).mtime?.getTime() ?? 0;
        return modified < dayAgo;
      }
      if (folder) return folder.builder === "gone";
      if (name.startsWith(".")) return true;
      const info = await this.#readInfo(name);
      return !(info && await keep(info));
    });
  }

  async #names(): Promise<string[]> {
    const names: string[] = [];
    for await (const item of safeReadDir(this.root)) names.push(item.name);
    return names;
  }

  /** Keys a running (or possibly running) build of any process works on or holds the lock of. */
  async #keysBeingBuilt(names: string[]): Promise<Set<string>> {
    const keys = new Set<string>();
    for (const name of names) {
      const folder = buildFolder(name);
      if (folder && folder.builder !== "gone") keys.add(folder.key);
      const locked = buildLockKey(name);
      if (locked !== null && await buildLockHeld(join(this.root, name))) keys.add(locked);
    }
    return keys;
  }

  async #removeWhere(
    names: string[],
    remove: (name: string) => boolean | Promise<boolean>,
  ): Promise<string[]> {
    const removed: string[] = [];
    for (const name of names) {
      if (!await remove(name)) continue;
      // Another process may be removing the same leftover (a lock file removes itself): gone either way.
      await Deno.remove(join(this.root, name), { recursive: true }).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
      removed.push(name);
    }
    return removed.sort();
  }

  async #readInfo(key: string): Promise<CacheEntryInfo | null> {
    try {
      return JSON.parse(await Deno.readTextFile(join(this.path(key), ENTRY_FILE)));
    } catch {
      return null;
    }
  }
}

/** Every file under `dir`, at any depth (model folders keep some in subfolders). */
async function* filesUnder(dir: string): AsyncIterable<string> {
  for await (const item of Deno.readDir(dir)) {
    const path = join(dir, item.name);
    if (item.isDirectory) yield* filesUnder(path);
    else if (item.isFile) yield path;
  }
}

async function* safeReadDir(path: string): AsyncIterable<Deno.DirEntry> {
  try {
    yield* Deno.readDir(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** Where checkpoints live unless `COLBERT_CACHE` says otherwise (anchored at the repository). */
export const DEFAULT_CACHE_DIR = join(REPO_ROOT, ".cache", "checkpoints");

/** The cache named by `COLBERT_CACHE`, else {@link DEFAULT_CACHE_DIR}. */
export function defaultCache(): CheckpointCache {
  return new CheckpointCache(Deno.env.get("COLBERT_CACHE") ?? DEFAULT_CACHE_DIR);
}
