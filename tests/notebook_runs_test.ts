/**
 * Kept notebook runs (lib/results/notebook_runs.ts): a notebook's key changes with everything
 * it depends on and with nothing else, and a run is kept only while its key holds and every
 * file it wrote is intact.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  modificationTimes,
  notebookKey,
  readRun,
  runRecordPath,
  studyInputs,
  studySettings,
  whyNotKept,
  writtenSince,
} from "../lib/results/notebook_runs.ts";
import { writeJsonAtomic } from "../lib/util/atomic_write.ts";
import { temporaryFolder } from "./temporary_folder.ts";

/** A one-cell Deno notebook whose code is `code` and whose prose is `prose`. */
function notebook(code: string, prose = "# A notebook"): string {
  const cells = [
    { cell_type: "markdown", metadata: {}, source: [prose] },
    { cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: [code] },
  ];
  return JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 });
}

/** A checkout with notebooks/n.ipynb importing lib/used.ts, and lib/unused.ts beside it. */
async function checkout(dir: string): Promise<string> {
  await Deno.mkdir(join(dir, "notebooks"));
  await Deno.mkdir(join(dir, "lib"));
  await Deno.writeTextFile(join(dir, "package-lock.json"), '{"packages": {}}');
  await Deno.writeTextFile(join(dir, "lib", "used.ts"), "export const used = 1;\n");
  await Deno.writeTextFile(join(dir, "lib", "unused.ts"), "export const unused = 1;\n");
  const path = join(dir, "notebooks", "n.ipynb");
  await Deno.writeTextFile(path, notebook('import { used } from "../lib/used.ts";\nused;'));
  return path;
}

Deno.test("notebook runs: the key follows the notebook's imports and its prose, nothing else", async () => {
  await using folder = await temporaryFolder();
  const dir = folder.path;
  const path = await checkout(dir);
  const version = () => notebookKey(path, "inputs", null, dir);
  const before = await version();
  await Deno.writeTextFile(join(dir, "lib", "unused.ts"), "export const unused = 2;\n");
  assert.equal(await version(), before, "a module the notebook does not import");
  await Deno.writeTextFile(join(dir, "lib", "used.ts"), "export const used = 2;\n");
  const afterModule = await version();
  assert.notEqual(afterModule, before, "the module it imports");
  await Deno.writeTextFile(
    path,
    notebook('import { used } from "../lib/used.ts";\nused;', "# Other prose"),
  );
  assert.notEqual(await version(), afterModule, "its prose");
});

Deno.test("notebook runs: a notebook that is not JSON is an error naming it", async () => {
  await using folder = await temporaryFolder();
  const path = await checkout(folder.path);
  await Deno.writeTextFile(path, "{ not json");
  await assert.rejects(notebookKey(path, "inputs", null, folder.path), /n\.ipynb: not a notebook/);
});

Deno.test("notebook runs: the key changes with the study's inputs and the run before", async () => {
  await using folder = await temporaryFolder();
  const path = await checkout(folder.path);
  const key = (inputs: string, previous: string | null) =>
    notebookKey(path, inputs, previous, folder.path);
  const base = await key("inputs", null);
  assert.equal(await key("inputs", null), base, "the same inputs give the same key");
  assert.notEqual(await key("other inputs", null), base);
  assert.notEqual(await key("inputs", "the notebook before"), base);
});

Deno.test("notebook runs: the study's inputs are the backend, data, model files and settings", async () => {
  await using folder = await temporaryFolder();
  const dir = folder.path;
  const manifest = join(dir, "manifest.json");
  const models = join(dir, "models");
  await Deno.writeTextFile(manifest, '{"datasets": {}}');
  await Deno.mkdir(join(models, "m", "snapshots", "s"), { recursive: true });
  await Deno.mkdir(join(models, ".partial", "m"), { recursive: true });
  const weights = join(models, "m", "snapshots", "s", "model.safetensors");
  await Deno.writeTextFile(weights, "weights");
  const sources = {
    backend: "wasm",
    dataManifest: manifest,
    modelsDir: models,
    settings: { COLBERT_PROFILE: "small" },
  };
  const base = await studyInputs(sources);
  await Deno.writeTextFile(join(models, ".partial", "m", "half.bin"), "half");
  assert.equal(await studyInputs(sources), base, "an unfinished snapshot is never loaded");
  assert.notEqual(await studyInputs({ ...sources, backend: "tensorflow" }), base);
  assert.notEqual(await studyInputs({ ...sources, settings: { COLBERT_PROFILE: "tiny" } }), base);
  await Deno.writeTextFile(weights, "other weights");
  const otherWeights = await studyInputs(sources);
  assert.notEqual(otherWeights, base, "a model file's bytes");
  await Deno.writeTextFile(manifest, '{"datasets": {"cisi": {}}}');
  assert.notEqual(await studyInputs(sources), otherWeights, "the data manifest");
});

Deno.test("notebook runs: settings are the COLBERT_ variables that choose, not those that locate", () => {
  const env = {
    COLBERT_PROFILE: "pretrained",
    COLBERT_BACKBONE: "hf:o/m",
    COLBERT_CACHE: "/tmp/c",
    COLBERT_MODELS: "/tmp/m",
    COLBERT_PROGRESS_LOG: "/tmp/log",
    HOME: "/home/me",
  };
  assert.deepEqual(studySettings(env), {
    COLBERT_BACKBONE: "hf:o/m",
    COLBERT_PROFILE: "pretrained",
  });
});

Deno.test("notebook runs: kept only while the key holds and every output is intact", async () => {
  await using folder = await temporaryFolder();
  const dir = folder.path;
  const results = join(dir, "results");
  await Deno.mkdir(join(results, "notebooks"), { recursive: true });
  await Deno.writeTextFile(join(results, "old.md"), "written by an earlier notebook");
  await Deno.writeTextFile(join(results, "table.md"), "| a |");
  await Deno.utime(join(results, "table.md"), new Date(2000, 0, 1), new Date(2000, 0, 1));
  const before = await modificationTimes(results);
  await Deno.writeTextFile(join(results, "table.md"), "| a |"); // rewritten with the same bytes
  await Deno.writeTextFile(join(results, "notebooks", "n.ipynb"), "{}");
  const outputs = await writtenSince(results, before);
  assert.deepEqual(Object.keys(outputs), [
    join(results, "notebooks", "n.ipynb"),
    join(results, "table.md"),
  ]);

  const record = runRecordPath(join(dir, "runs"), "small", "n.ipynb");
  assert.equal(record, join(dir, "runs", "small", "n.json"));
  assert.equal(await readRun(record), null, "no record yet");
  assert.equal(await whyNotKept(null, "k"), "never ran with this cache");
  await Deno.mkdir(join(dir, "runs", "small"), { recursive: true });
  await writeJsonAtomic(record, { key: "k", outputs });
  const run = await readRun(record);
  assert.equal(await whyNotKept(run, "k"), null);
  assert.equal(await whyNotKept(run, "other"), "its inputs changed");
  await Deno.writeTextFile(join(results, "table.md"), "| b |");
  assert.match(await whyNotKept(run, "k") ?? "", /table\.md changed since it was written/);
  await Deno.remove(join(results, "table.md"));
  assert.match(await whyNotKept(run, "k") ?? "", /table\.md is missing/);
  await Deno.writeTextFile(record, "{ half a record");
  assert.equal(await readRun(record), null, "an unreadable record means: run again");
});
