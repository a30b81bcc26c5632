/**
 * Kept notebook runs: `deno task reproduce` does not execute a notebook again when nothing it
 * depends on changed since it last ran and every file that run wrote is still there, byte for
 * byte. A warm rerun then costs the checks, not a kernel start per notebook.
 *
 * What a notebook depends on, its key: the notebook's bytes, the code version and packages of
 * every module its code cells import (code_version.ts follows each one), the study's inputs
 * shared by every notebook ({@link studyInputs}: backend, data, model files, settings from the
 * environment) and the key of the notebook before it, which may have written what this one reads.
 * What it wrote: every file under the profile's results folder that changed while it ran, its
 * executed copy included.
 *
 * The records sit beside the checkpoint cache (`notebook_runs/<profile>/<notebook>.json`), so a
 * fresh cache (`COLBERT_CACHE`) executes everything again.
 */
import { dirname, join, relative, resolve } from "node:path";
import { codeVersion, packageVersions, REPO_ROOT } from "../cache/code_version.ts";
import { sha256Hex } from "../util/checksum.ts";
import { Digest, feedFile } from "../hub/model_cache_digest.ts";
import { listFiles } from "../util/files.ts";

/** What one execution of a notebook depended on and wrote. */
export interface NotebookRun {
  /** The digest of everything the notebook depends on ({@link notebookKey}). */
  key: string;
  /** SHA-256 of each file the run wrote, by absolute path. */
  outputs: Record<string, string>;
}

// Where things are, not what is computed: the checkpoint cache, the model cache (whose files
// are hashed instead) and the progress log.
const LOCATION_VARIABLES = ["COLBERT_CACHE", "COLBERT_MODELS", "COLBERT_PROGRESS_LOG"];

/** The `COLBERT_*` variables of `env` that choose what the notebooks compute, sorted. */
export function studySettings(env: Record<string, string>): Record<string, string> {
  const chosen = Object.entries(env).filter(([name]) =>
    name.startsWith("COLBERT_") && !LOCATION_VARIABLES.includes(name)
  );
  return Object.fromEntries(chosen.sort(([a], [b]) => a.localeCompare(b)));
}

/** Where the study's inputs are, for {@link studyInputs}. */
export interface StudyInputSources {
  /** What computes the numbers: backend.ts's backendIdentity of the backend the kernels start. */
  backend: string;
  /** The data build's manifest (every data file's checksum). */
  dataManifest: string;
  /** The model cache that pretrained backbones are loaded from. */
  modelsDir: string;
  /** The environment variables that choose what the notebooks compute ({@link studySettings}). */
  settings: Record<string, string>;
}

/**
 * The digest of what every notebook of a run reads besides its code: the backend, the data
 * manifest, every model file in the model cache (bytes, so a replaced snapshot counts) and the
 * settings given through the environment.
 */
export async function studyInputs(sources: StudyInputSources): Promise<string> {
  return await sha256Hex(JSON.stringify({
    backend: sources.backend,
    data: await sha256Hex(await Deno.readFile(sources.dataManifest)),
    models: await folderDigest(sources.modelsDir),
    settings: sources.settings,
  }));
}

/**
 * The key of `notebook`'s run: its bytes, the code version and packages of each module it
 * imports, the study's inputs and the key of the notebook run before it (null for the first).
 */
export async function notebookKey(
  notebook: string,
  inputs: string,
  previousKey: string | null,
  root = REPO_ROOT,
): Promise<string> {
  const text = await Deno.readTextFile(notebook);
  const modules = [];
  for (const specifier of notebookImports(notebook, text)) {
    if (!/^\.{1,2}\//.test(specifier)) {
      modules.push({ specifier }); // a package named in the notebook itself, such as node:path
      continue;
    }
    const entry = relative(root, resolve(dirname(notebook), specifier));
    const packages = await packageVersions(entry, root);
    modules.push({ specifier, code: await codeVersion(entry, root), packages });
  }
  return await sha256Hex(JSON.stringify({ notebook: text, modules, inputs, previousKey }));
}

// `from "x"` of static imports and re-exports, `import "x"`, `import("x")`.
const NOTEBOOK_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g;

/** The specifiers the code cells of `notebook` (its JSON `text`) import, sorted, each once. */
function notebookImports(notebook: string, text: string): string[] {
  let cells: { cell_type?: string; source?: string | string[] }[];
  try {
    cells = JSON.parse(text).cells ?? [];
  } catch (error) {
    throw new Error(`${notebook}: not a notebook (${(error as Error).message})`);
  }
  const code = cells.filter((cell) => cell.cell_type === "code")
    .map((cell) => [cell.source ?? ""].flat().join("")).join("\n");
  return [...new Set([...code.matchAll(NOTEBOOK_IMPORT)].map((match) => match[1]))].sort();
}

/** The file of `notebook`'s run record for `profile` under `folder`. */
export function runRecordPath(folder: string, profile: string, notebook: string): string {
  return join(folder, profile, notebook.replace(/\.ipynb$/, ".json"));
}

/** The run recorded at `path`, or null when there is none or it cannot be read. */
export async function readRun(path: string): Promise<NotebookRun | null> {
  try {
    const run = JSON.parse(await Deno.readTextFile(path));
    return typeof run?.key === "string" && typeof run.outputs === "object" ? run : null;
  } catch (error) {
    // A missing or unreadable record only means the notebook runs again.
    if (error instanceof Deno.errors.NotFound || error instanceof SyntaxError) return null;
    throw error;
  }
}

/**
 * Why `run` cannot be kept for `key` (its key differs, or an output is missing or changed),
 * or null when it can.
 */
export async function whyNotKept(run: NotebookRun | null, key: string): Promise<string | null> {
  if (!run) return "never ran with this cache";
  if (run.key !== key) return "its inputs changed";
  for (const [path, sha256] of Object.entries(run.outputs)) {
    const bytes = await Deno.readFile(path).catch(() => null);
    if (!bytes) return `${path} is missing`;
    if (await sha256Hex(bytes) !== sha256) return `${path} changed since it was written`;
  }
  return null;
}

/** The modification time of each file under `folder`, by absolute path ({@link writtenSince}). */
export async function modificationTimes(folder: string): Promise<Map<string, number>> {
  const times = new Map<string, number>();
  for (const path of await filesUnder(folder)) {
    times.set(path, (await Deno.stat(path)).mtime?.getTime() ?? Number.NaN);
  }
  return times;
}

/**
 * SHA-256 of every file under `folder` that is new or was modified since `before` was taken
 * ({@link modificationTimes}), by absolute path. Times are compared with the files' own earlier
 * times, not with a clock reading: the file system's clock is coarser than the process's.
 */
export async function writtenSince(
  folder: string,
  before: Map<string, number>,
): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  for (const [path, time] of await modificationTimes(folder)) {
    if (before.get(path) !== time) outputs[path] = await sha256Hex(await Deno.readFile(path));
  }
  return outputs;
}

/** A digest of every file under `folder` (path and bytes), streamed; nothing's for no folder. */
async function folderDigest(folder: string): Promise<string> {
  const digest = new Digest();
  // Unfinished and damaged snapshots are never loaded.
  for (const path of await filesUnder(folder, /^(?!\.(partial|damaged)\/)/)) {
    digest.update(new TextEncoder().encode(`${relative(folder, path)}\0`));
    await feedFile(path, digest);
  }
  return digest.finish().sha256;
}

/**
 * Absolute paths of the files under `folder` whose relative paths match `match`, sorted, links
 * followed (a Hub snapshot's files are links to blobs); [] when there is no folder.
 */
async function filesUnder(folder: string, match?: RegExp): Promise<string[]> {
  if (!await Deno.stat(folder).then(() => true, () => false)) return [];
  const names = await listFiles(folder, match, { recursive: true, followLinks: true });
  return names.map((name) => join(folder, name));
}
