/**
 * `deno task reproduce [--profile tiny|small|gpu]`: the suite's main job. Builds the data
 * if needed, then executes every notebook in order on the Jupyter Deno kernel, writing the
 * executed notebooks in place and the tables and figures under results/, and streams each
 * notebook's progress lines (phase, step, loss, rate, time left) to the terminal while it
 * runs (from .cache/progress/<notebook>.log). Phases already in the checkpoint cache are
 * not retrained, so a rerun with a warm cache is quick.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { writeJsonAtomic } from "../lib/util/atomic_write.ts";
import { REPO_ROOT } from "../lib/cache/code_version.ts";
import { formatDuration } from "../lib/train/progress.ts";
import { followProgressLog, PROGRESS_LOG_ENV } from "../lib/train/progress_log.ts";
import { DEFAULT_PROFILE } from "../lib/phases/profiles.ts";
import { updateReadmeResults } from "../lib/results/readme_results.ts";
import { runMain } from "./run_main.ts";

const NOTEBOOKS_DIR = join(REPO_ROOT, "notebooks");

/** The notebooks in execution order (their file names sort in that order). */
export async function notebookOrder(dir = NOTEBOOKS_DIR): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && /^\d\d_.*\.ipynb$/.test(entry.name)) names.push(entry.name);
  }
  return names.sort();
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

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { profile: { type: "string", default: DEFAULT_PROFILE }, backend: { type: "string" } },
  });
  const env: Record<string, string> = { COLBERT_PROFILE: values.profile! };
  if (values.backend) env.COLBERT_BACKEND = values.backend;
  const started = performance.now();
  const elapsed = () => formatDuration((performance.now() - started) / 1000);
  console.log(`reproduce: profile ${values.profile}; building data if needed`);
  await run(Deno.execPath(), ["run", "-A", "cli/data.ts"], env);
  env.JUPYTER_PATH = await writeKernelSpec(join(REPO_ROOT, ".cache", "jupyter"));
  const notebooks = await notebookOrder();
  const logs = join(REPO_ROOT, ".cache", "progress");
  await Deno.mkdir(logs, { recursive: true });
  for (const [i, name] of notebooks.entries()) {
    console.log(`reproduce: [${i + 1}/${notebooks.length}] ${name} (elapsed ${elapsed()})`);
    // nbconvert shows a notebook's output only when it ends: its progress lines come through
    // a log file that the study context appends to (openStudy) and that we follow here.
    env[PROGRESS_LOG_ENV] = join(logs, name.replace(/\.ipynb$/, ".log"));
    await Deno.writeTextFile(env[PROGRESS_LOG_ENV], "");
    const follow = followProgressLog(env[PROGRESS_LOG_ENV], (line) => console.log(`  ${line}`));
    try {
      // A generous cell timeout: a cell may train a whole phase on a CPU.
      await run("jupyter", [
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--inplace",
        "--ExecutePreprocessor.timeout=7200",
        join("notebooks", name),
      ], env);
    } finally {
      await follow.stop();
    }
  }
  // The README shows the default profile's study; another profile leaves it alone.
  if (values.profile === DEFAULT_PROFILE) {
    await updateReadmeResults(join(REPO_ROOT, "README.md"), join(REPO_ROOT, "results"));
  }
  console.log(`reproduce: done in ${elapsed()}; tables and figures are in results/`);
  return 0;
}

if (import.meta.main) await runMain("reproduce", main);
