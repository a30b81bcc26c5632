/**
 * What the fault-injection suite compares and looks for after a rerun: a folder's results as
 * a digest (file -> SHA-256; JSON files without the fields that hold a clock time), every
 * temporary file left anywhere under a folder, and the state of a cache's entries.
 *
 *   deno run -A tests/fault_results.ts CACHE_ROOT   prints cacheState(CACHE_ROOT) as JSON
 */
import { join, relative } from "node:path";
import { sha256Hex } from "../lib/util/checksum.ts";
import { canonicalJson } from "../lib/cache/cache.ts";

// Clock readings: a resumed or concurrent run takes another time, not another result.
const TIME_FIELDS = new Set(["created", "seconds", "wallSeconds", "wall_seconds", "elapsed"]);

/** Names of what a run builds in and leaves when killed: never there once a rerun is done. */
export const TEMPORARY_NAME = /\.tmp-|^\.lock-|^\.partial-/;

/** Every file under `dir`, at any depth, relative to it, sorted. */
export async function filesUnder(dir: string, base = dir): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) found.push(...await filesUnder(path, base));
    else found.push(relative(base, path));
  }
  return found.sort();
}

/** File -> SHA-256 of everything under `dir` (JSON without clock fields), skipping `except`. */
export async function resultDigest(
  dir: string,
  except: RegExp = /^$/,
): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  for (const file of await filesUnder(dir)) {
    if (except.test(file)) continue;
    const bytes = await Deno.readFile(join(dir, file));
    digest[file] = await sha256Hex(file.endsWith(".json") ? withoutTimes(bytes) : bytes);
  }
  return digest;
}

/** Paths under `dir` (files and folders, at any depth) whose names mark them temporary. */
export async function temporaryLeftovers(dir: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (TEMPORARY_NAME.test(entry.name)) found.push(path);
    else if (entry.isDirectory) found.push(...await temporaryLeftovers(path));
  }
  return found.sort();
}

/** A cache folder's entries, each "ok" or what is wrong with it, and its other names. */
export interface CacheState {
  entries: Record<string, string>;
  others: string[];
}

/** The {@link CacheState} of `root`, checked without changing anything (unlike `get`). */
export async function cacheState(root: string): Promise<CacheState> {
  const state: CacheState = { entries: {}, others: [] };
  for await (const entry of Deno.readDir(root)) {
    if (!entry.isDirectory || entry.name.startsWith(".")) {
      state.others.push(entry.name);
      continue;
    }
    state.entries[entry.name] = await entryProblem(join(root, entry.name)) ?? "ok";
  }
  state.others.sort();
  return state;
}

async function entryProblem(dir: string): Promise<string | null> {
  let files: Record<string, string>;
  try {
    files = JSON.parse(await Deno.readTextFile(join(dir, "entry.json"))).files;
  } catch {
    return "no readable entry.json";
  }
  for (const [file, sum] of Object.entries(files)) {
    const actual = await Deno.readFile(join(dir, file)).then(sha256Hex, () => "missing");
    if (actual !== sum) return `${file}: ${actual === "missing" ? "missing" : "checksum mismatch"}`;
  }
  return null;
}

function withoutTimes(bytes: Uint8Array): string {
  const strip = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(strip)
      : value && typeof value === "object"
      ? Object.fromEntries(
        Object.entries(value).filter(([key]) => !TIME_FIELDS.has(key)).map((
          [key, inner],
        ) => [key, strip(inner)]),
      )
      : value;
  const text = new TextDecoder().decode(bytes);
  try {
    return canonicalJson(strip(JSON.parse(text)));
  } catch {
    return text; // not JSON after all: compared as it is
  }
}

if (import.meta.main) console.log(JSON.stringify(await cacheState(Deno.args[0])));
