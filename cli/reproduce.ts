/**
 * `deno task reproduce [--profile P]... [--backend B] [--backbone MODEL] [--execute-all]`: the
 * suite's main job. Builds the data
 * if needed, then for each profile (the default profiles in order when none is given;
 * `--profile` may be repeated or comma-separated) executes every notebook of `notebooks/` in
 * order on the Jupyter Deno kernel. The executed copies go to `results/<profile>/notebooks/`
 * (the sources stay as they are, without outputs) and notebook 05 writes the tables, figures
 * and verdicts beside them in `results/<profile>/`. Each notebook's progress lines (phase,
 * step, loss, rate, time left) stream to the terminal while it runs (from
 * .cache/progress/<profile>/<notebook>.log), and each notebook, each profile and the whole run
 * print their wall time. When a default profile was run, the README's results section is
 * rewritten. Phases already in the checkpoint cache are not retrained, and a notebook whose
 * inputs did not change since its last run, and whose outputs are intact, is not executed again
 * (notebook_runs.ts; `--execute-all` executes every one), so a rerun with a warm cache is quick.
 */
import { dirname, join, relative } from "node:path";
import { writeJsonAtomic } from "../lib/util/atomic_write.ts";
import { REPO_ROOT } from "../lib/cache/code_version.ts";
import { followProgressLog, PROGRESS_LOG_ENV } from "../lib/train/progress_log.ts";
import { getProfile } from "../lib/phases/profiles.ts";
import { updateReadmeResults, wallTime } from "../lib/results/readme_results.ts";
import {
  DEFAULT_PROFILES,
  executedNotebooksFolder,
  RESULTS_ROOT,
  resultsFolder,
} from "../lib/results/results_folder.ts";
import { parseCommandLine, runMain, UsageError } from "./run_main.ts";
import { BACKBONE_ENV, DEFAULT_DATA_DIR } from "../lib/phases/context.ts";
import { studyModelCache } from "../lib/phases/pretrained.ts";
import { defaultCache } from "../lib/cache/cache.ts";
import { currentBackend, initBackend } from "../lib/compute/backend.ts";
import { backendIdentity } from "../lib/cache/compute_identity.ts";
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

const NOTEBOOKS_DIR = join(REPO_ROOT, "notebooks");

const USAGE =
  "usage: deno task reproduce [--profile P[,P...]]... [--backend B] [--backbone MODEL]\n" +
  "                           [--execute-all]\n" +
  `  with no --profile: ${DEFAULT_PROFILES.join(", ")}, in this order\n` +
  "  --backbone: the pretrained model every profile starts from (a folder, hf:owner/name), e.g.\n" +
  "              --profile gpu --backbone hf:answerdotai/ModernBERT-base (the paper's setup)\n" +
  "  --execute-all: execute every notebook, also those unchanged since their last run";

/** The notebooks in execution order (their file names sort in that order). */
export async function notebookOrder(dir = NOTEBOOKS_DIR): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && /^\d\d_.*\.ipynb$/.test(entry.name)) names.push(entry.name);
  }
  return names.sort();
}

/**
 * The profiles to run from the `--profile` values (each may list several, comma-separated):
 * in the order given, each once; the default profiles when none is given. A name that is not
 * a profile throws at once, naming the known ones (getProfile's error).
 */
export function chosenProfiles(
  values: readonly string[] | undefined,
  defaults: readonly string[] = DEFAULT_PROFILES,
): string[] {
  const given = values ?? [];
  const names = given.flatMap((value) => value.split(",")).map((name) => name.trim());
  if (names.some((name) => name === "")) {
    throw new UsageError(`--profile ${given.join(" ")}: an empty profile name`);
  }
  const unique = names.length ? [...new Set(names)] : [...defaults];
  // Every name is checked before anything runs, the defaults included.
  for (const name of unique) getProfile(name);
  return unique;
}

/**
 * Write a Deno kernelspec naming this process's Deno under `jupyterDir`/kernels/deno and
 * return `jupyterDir` (for JUPYTER_PATH). The user-wide spec that `deno jupyter --install`
 * writes holds one absolute path, so a second clone, or a moved one, would run the notebooks
 * with another checkout's Deno or fail to find it; this spec always names the right one.
 */
export async function writeKernelSpec(jupyterDir: string): Promise<string> {
  const dir = join(jupyterDir, "kernels", "deno");
  await Deno.mkdir(dir, { recursive: true });
  const spec = {
    argv: [Deno.execPath(), "jupyter", "--kernel", "--conn", "{connection_file}"],
    display_name: "Deno",
    language: "typescript",
  };
  await writeJsonAtomic(join(dir, "kernel.json"), spec);
  return jupyterDir;
}

/**
 * nbconvert's arguments to execute `notebook` and write the executed copy, under the same
 * name, into `outputDir`. The kernel still runs in the notebook's own folder (nbconvert
 * starts it in the input's folder), so the notebooks' relative paths (`../lib/...`,
 * `../data`) hold wherever the copy goes.
 */
export function nbconvertArgs(notebook: string, outputDir: string): string[] {
  return [
    "nbconvert",
    "--to",
    "notebook",
    "--execute",
    "--output-dir",
    outputDir,
    // A generous cell timeout: a cell may train a whole phase on a CPU.
    "--ExecutePreprocessor.timeout=7200",
    notebook,
  ];
}

/** Execute `notebook` with nbconvert into `outputDir` (the executed copy, same name). */
export async function executeNotebook(
  notebook: string,
  outputDir: string,
  env: Record<string, string>,
): Promise<void> {
  await Deno.mkdir(outputDir, { recursive: true });
  await run("jupyter", nbconvertArgs(notebook, outputDir), env);
}

async function run(command: string, args: string[], env: Record<string, string>): Promise<void> {
  const status = await new Deno.Command(command, {
    args,
    cwd: REPO_ROOT,
    env,
    stdout: "inherit",
    stderr: "inherit",
  })
    .spawn().status;
  if (!status.success) {
    throw new Error(`${command} ${args.join(" ")} failed with exit code ${status.code}`);
  }
}

/** Seconds since `started` (a performance.now() reading). */
const since = (started: number) => (performance.now() - started) / 1000;

/** What {@link reproduceProfile} needs besides the profile. */
interface ProfileRun {
  notebooks: string[];
  /** The kernels' environment (added to this process's). */
  env: Record<string, string>;
  /** backendIdentity of the backend the kernels start. */
  backend: string;
  /** Where the notebooks' run records go. */
  records: string;
  /** Execute every notebook, kept or not. */
  executeAll: boolean;
}

/**
 * Execute the notebooks of `profile` in order, keeping those unchanged since their last run
 * until one has to execute (the later ones may read what it writes); returns the wall time in
 * seconds.
 */
async function reproduceProfile(profile: string, run: ProfileRun): Promise<number> {
  const started = performance.now();
  const env: Record<string, string> = { ...run.env, COLBERT_PROFILE: profile };
  const output = executedNotebooksFolder(profile);
  const logs = join(REPO_ROOT, ".cache", "progress", profile);
  await Deno.mkdir(logs, { recursive: true });
  const inputs = await studyInputs({
    backend: run.backend,
    dataManifest: join(DEFAULT_DATA_DIR, "manifest.json"),
    modelsDir: studyModelCache().root,
    settings: studySettings({ ...Deno.env.toObject(), ...env }),
  });
  let previousKey: string | null = null;
  let executing = run.executeAll;
  for (const [i, name] of run.notebooks.entries()) {
    const at = performance.now();
    const label = `reproduce: ${profile} [${i + 1}/${run.notebooks.length}] ${name}`;
    const source = join(NOTEBOOKS_DIR, name);
    const key: string = await notebookKey(source, inputs, previousKey);
    previousKey = key;
    const record = runRecordPath(run.records, profile, name);
    const why = executing ? "executed" : await whyNotKept(await readRun(record), key);
    if (why === null) {
      console.log(`${label} kept: unchanged since its last run`);
      continue;
    }
    executing = true;
    console.log(why === "executed" ? label : `${label} (${why})`);
    // A record stands only for a run that finished.
    await Deno.remove(record).catch(() => {});
    const before = await modificationTimes(resultsFolder(profile));
    // nbconvert shows a notebook's output only when it ends: its progress lines come through
    // a log file that the study context appends to (openStudy) and that we follow here.
    env[PROGRESS_LOG_ENV] = join(logs, name.replace(/\.ipynb$/, ".log"));
    await Deno.writeTextFile(env[PROGRESS_LOG_ENV], "");
    const follow = followProgressLog(env[PROGRESS_LOG_ENV], (line) => console.log(`  ${line}`));
    try {
      await executeNotebook(source, output, env);
    } finally {
      await follow.stop();
    }
    const outputs = await writtenSince(resultsFolder(profile), before);
    await Deno.mkdir(dirname(record), { recursive: true });
    await writeJsonAtomic(record, { key, outputs });
    console.log(
      `${label} done in ${wallTime(since(at))} (profile elapsed ${wallTime(since(started))})`,
    );
  }
  const seconds = since(started);
  const folder = relative(REPO_ROOT, resultsFolder(profile));
  console.log(`reproduce: profile ${profile} done in ${wallTime(seconds)}; results in ${folder}/`);
  return seconds;
}

async function main(args: string[]): Promise<number> {
  const { values } = parseCommandLine({
    args,
    options: {
      profile: { type: "string", multiple: true },
      backend: { type: "string" },
      backbone: { type: "string" },
      "execute-all": { type: "boolean" },
    },
  });
  const profiles = chosenProfiles(values.profile);
  const env: Record<string, string> = {};
  if (values.backend) env.COLBERT_BACKEND = values.backend;
  if (values.backbone) env[BACKBONE_ENV] = values.backbone;
  const started = performance.now();
  console.log(`reproduce: profiles ${profiles.join(", ")}; building data if needed`);
  await run(Deno.execPath(), ["run", "-A", "cli/data.ts"], env);
  console.log(`reproduce: data ready in ${wallTime(since(started))}`);
  env.JUPYTER_PATH = await writeKernelSpec(join(REPO_ROOT, ".cache", "jupyter"));
  // The kernels start the same backend (same option, same defaults): its identity keys the runs.
  await initBackend(values.backend);
  const profileRun: ProfileRun = {
    notebooks: await notebookOrder(),
    env,
    backend: await backendIdentity(currentBackend()),
    records: join(defaultCache().root, "..", "notebook_runs"),
    executeAll: values["execute-all"] === true,
  };
  const times: string[] = [];
  for (const profile of profiles) {
    times.push(`${profile} ${wallTime(await reproduceProfile(profile, profileRun))}`);
  }
  // The README shows the default profiles' own studies; other profiles and backbones leave it alone.
  if (!values.backbone && profiles.some((profile) => DEFAULT_PROFILES.includes(profile))) {
    await updateReadmeResults(join(REPO_ROOT, "README.md"), RESULTS_ROOT, DEFAULT_PROFILES);
    console.log("reproduce: README results section updated");
  }
  console.log(`reproduce: done in ${wallTime(since(started))} (${times.join(", ")})`);
  return 0;
}

if (import.meta.main) await runMain("reproduce", main, USAGE);
