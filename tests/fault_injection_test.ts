/**
 * The fault-injection suite, with real child processes (nothing is stopped in-process):
 * - SIGKILL at random points of a training phase (one point just after its first snapshot,
 *   so the rerun resumes from it), of a data build, of an evaluation and of a KD-file build,
 *   each followed by a rerun that must end with the uninterrupted run's results and leave no
 *   temporary file;
 * - a disk that fills up during a checkpoint write: no entry, half or whole, nothing left;
 * - two `reproduce --profile tiny` at once on one cache;
 * - malformed inputs (fault_bad_inputs.ts), each refused with one clear line.
 * It ends with the line `faults: N survived of M; bad inputs: N clear of M`. Kill points are
 * drawn from a seed it prints; `FAULT_SEED=<seed>` draws the same ones again.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../lib/cache/code_version.ts";
import { seededRandom } from "../lib/util/random.ts";
import { badInputs, unclearness } from "./fault_bad_inputs.ts";
import { after, once, runChild } from "./fault_child.ts";
import { fullDiskRun } from "./fault_disk.ts";
import { type Interruptible, killAndRerun, type Reference, referenceRun } from "./fault_kills.ts";
import { twinReproduce } from "./fault_reproduce.ts";
import { resultDigest } from "./fault_results.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const TINY_TRAINING = [
  "cli/train.ts",
  "unsupervised",
  "--profile",
  "tiny",
  // 55 steps: a snapshot at step 50 to resume from; batches of 8 keep the run short.
  "--set",
  "unsupervised.steps=55",
  "--set",
  "unsupervised.batchSize=8",
];
// 80 KD queries: a KD build long enough to be killed in the middle.
const TEACHER_AND_KD = ["cli/train.ts", "teacher", "--profile", "tiny", "--set", "kdQueries=80"];
// Rebuilt in the data case: two evaluation sets and a training set (cheap ones).
const REBUILT_DATA = ["python-faq", "r-faq", "jargon"];
const ENTRY_FILE = /(^|\/)entry\.json$/;

Deno.test({
  name: "fault injection: kills and reruns, a full disk, two reproduces at once, bad inputs",
  sanitizeOps: false,
  sanitizeResources: false,
}, async (t) => {
  const seed = Number(Deno.env.get("FAULT_SEED") ?? Math.floor(Math.random() * 1_000_000));
  console.log(`fault injection: kill points drawn with FAULT_SEED=${seed}`);
  const random = seededRandom(seed);
  const between = (low: number, high: number) => low + (high - low) * random();
  await using scratch = await temporaryFolder();
  let folders = 0;
  const fresh = async (name: string) => {
    const dir = join(scratch.path, `${++folders}-${name}`);
    await Deno.mkdir(dir);
    return dir;
  };
  const faults = { survived: 0, total: 0 };
  const fault = async (name: string, check: () => Promise<string>) => {
    faults.total++;
    const started = performance.now();
    const survived = await t.step(name, async () => {
      const note = await check();
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      console.log(`  ${name}: survived in ${seconds} s (${note})`);
    });
    if (survived) faults.survived++;
  };

  // The uninterrupted runs every case compares with.
  await t.step("reference: the data is built", async () => {
    const run = await runChild(["cli/data.ts"]);
    assert.equal(run.code, 0, run.stderr.slice(-2000));
  });
  const training = cacheCommand(TINY_TRAINING, null);
  const trained = await fresh("training-reference");
  let trainingReference: Reference | undefined;
  let colbertKey = "";
  await t.step("reference: unsupervised training, uninterrupted", async () => {
    trainingReference = await referenceRun(training, trained);
    colbertKey = await entryOf(join(trained, "checkpoints"), "unsupervised");
  });
  const taught = await fresh("teacher-reference");
  await t.step("reference: teacher and KD file, uninterrupted", async () => {
    await referenceRun(cacheCommand(TEACHER_AND_KD, join(trained, "checkpoints")), taught);
  });
  const kdKey = await entryOf(join(taught, "checkpoints"), "kd_dataset").catch(() => "");
  const kdBuild = cacheCommand(TEACHER_AND_KD, join(taught, "checkpoints"), kdKey);
  const evaluation: Interruptible = {
    ...cacheCommand(["tests/fault_evaluate.ts", colbertKey], join(trained, "checkpoints")),
    results: (dir) => join(dir, "evaluations"),
  };
  const dataBuild = dataCommand();
  const references = new Map<Interruptible, Reference>();
  const reference = (name: string, command: Interruptible) =>
    t.step(`reference: ${name}, uninterrupted`, async () => {
      references.set(command, await referenceRun(command, await fresh(`${name}-reference`)));
    });
  await reference("evaluation", evaluation);
  await reference("KD build", kdBuild);
  await reference("data build", dataBuild);
  await t.step("reference: the rebuilt data equals the data built before", async () => {
    assert.deepEqual(
      references.get(dataBuild)?.digest,
      await resultDigest(join(REPO_ROOT, "data")),
    );
  });

  // Kills and reruns.
  // `when` gets the case's folder and returns the kill for a run of a given duration.
  const kill = (
    name: string,
    command: Interruptible,
    reference: Reference | undefined,
    when: (dir: string) => Parameters<typeof killAndRerun>[3],
  ) =>
    fault(name, async () => {
      assert.ok(reference, "no uninterrupted run to compare with");
      const dir = await fresh(name);
      return await killAndRerun(command, dir, reference, when(dir));
    });
  const at = (low: number, high: number) => () => (seconds: number) =>
    after(between(low, high) * seconds * 1000);
  const afterSnapshot = (dir: string) => () => once(() => hasSnapshot(dir), between(0, 150));
  await kill("training, killed early", training, trainingReference, at(0.15, 0.45));
  await kill("training, killed midway", training, trainingReference, at(0.45, 0.8));
  await kill(
    "training, killed after its snapshot (the rerun resumes)",
    training,
    trainingReference,
    afterSnapshot,
  );
  await kill("data build, killed early", dataBuild, references.get(dataBuild), at(0.1, 0.5));
  await kill("data build, killed late", dataBuild, references.get(dataBuild), at(0.5, 0.9));
  await kill("evaluation, killed", evaluation, references.get(evaluation), at(0.4, 0.65));
  await kill("evaluation, killed late", evaluation, references.get(evaluation), at(0.65, 0.9));
  await kill("KD build, killed", kdBuild, references.get(kdBuild), at(0.3, 0.6));
  await kill("KD build, killed late", kdBuild, references.get(kdBuild), at(0.6, 0.9));

  await fault("a full disk during a checkpoint write", async () => {
    const outcome = await fullDiskRun(["backbone", "--profile", "tiny"], await fresh("full-disk"));
    assert.equal(outcome.failedCode, 1);
    assert.match(outcome.failedLastLine, /^train: (No space left on device|File too large)/);
    assert.deepEqual(outcome.afterFailure, { entries: {}, others: [] }, "an entry or leftover");
    assert.equal(outcome.rerunCode, 0);
    assert.deepEqual(Object.values(outcome.afterRerun.entries), ["ok"]);
    assert.deepEqual(outcome.afterRerun.others, []);
    const backbone = await entryOf(join(trained, "checkpoints"), "backbone");
    assert.deepEqual(
      await resultDigest(join(outcome.rerunCache, backbone), ENTRY_FILE),
      await resultDigest(join(trained, "checkpoints", backbone), ENTRY_FILE),
    );
    return `${outcome.method}: '${outcome.failedLastLine.slice(0, 60)}...'`;
  });

  await fault("two reproduce --profile tiny at once on one cache", async () => {
    const outcome = await twinReproduce(await fresh("reproduce"));
    assert.deepEqual(outcome.codes, [0, 0], outcome.tails.join("\n-----\n"));
    assert.deepEqual(outcome.results[1], outcome.results[0], "the two runs' results differ");
    for (const state of [outcome.checkpoints, outcome.evaluations]) {
      assert.deepEqual(Object.values(state.entries).filter((v) => v !== "ok"), []);
      assert.deepEqual(state.others, []);
    }
    assert.deepEqual(outcome.leftovers, []);
    const entries = Object.keys(outcome.checkpoints.entries).length;
    return `${outcome.seconds.toFixed(0)} s, ${entries} shared checkpoints`;
  });

  // Bad inputs: run two at a time, then reported one by one.
  const inputs = { clear: 0, total: 0 };
  if (colbertKey) {
    const scratchInputs = await fresh("bad-inputs");
    const cases = await badInputs({
      cache: join(trained, "checkpoints"),
      colbertKey,
      scratch: scratchInputs,
    });
    const verdicts = await pooled(cases, 2, (input) => unclearness(input, scratchInputs));
    for (const [i, input] of cases.entries()) {
      inputs.total++;
      if (await t.step(`bad input: ${input.name}`, () => assert.equal(verdicts[i], null))) {
        inputs.clear++;
      }
    }
  }
  console.log(
    `faults: ${faults.survived} survived of ${faults.total}; ` +
      `bad inputs: ${inputs.clear} clear of ${inputs.total}`,
  );
});

/**
 * A command on a checkpoint cache that starts as a copy of `source` (empty when null) less
 * the entry `dropped`; its results are the cache.
 */
function cacheCommand(args: string[], source: string | null, dropped = ""): Interruptible {
  return {
    async prepare(dir) {
      const cache = join(dir, "checkpoints");
      await Deno.mkdir(cache, { recursive: true });
      if (source) {
        for await (const entry of Deno.readDir(source)) {
          if (entry.name !== dropped) {
            await copyTree(join(source, entry.name), join(cache, entry.name));
          }
        }
      }
      return { args, env: { COLBERT_CACHE: cache } };
    },
    results: (dir) => join(dir, "checkpoints"),
    except: ENTRY_FILE,
  };
}

/** `deno task data` on a copy of the built data whose {@link REBUILT_DATA} sets lost their cards. */
function dataCommand(): Interruptible {
  return {
    async prepare(dir) {
      await copyTree(join(REPO_ROOT, "data"), join(dir, "data"));
      for (const name of REBUILT_DATA) {
        await Deno.remove(join(dir, "data", "cards", `${name}.json`));
      }
      return { args: ["cli/data.ts", "--data", join(dir, "data")], env: {} };
    },
    results: (dir) => join(dir, "data"),
  };
}

/** The key of the entry of `phase` in the cache `root`. */
async function entryOf(root: string, phase: string): Promise<string> {
  for await (const entry of Deno.readDir(root)) {
    const info = await Deno.readTextFile(join(root, entry.name, "entry.json")).then(
      JSON.parse,
      () => null,
    );
    if (info?.phase === phase) return entry.name;
  }
  throw new Error(`no ${phase} entry in ${root}`);
}

/** Whether a training run under `dir` (in any of its tries) has written a resumption snapshot. */
async function hasSnapshot(dir: string): Promise<boolean> {
  const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
  for await (const attempt of Deno.readDir(dir)) {
    const cache = join(dir, attempt.name, "checkpoints");
    if (!await exists(cache)) continue;
    for await (const entry of Deno.readDir(cache)) {
      if (
        entry.name.startsWith(".partial-") && await exists(join(cache, entry.name, "snapshot.json"))
      ) {
        return true;
      }
    }
  }
  return false;
}

async function copyTree(from: string, to: string): Promise<void> {
  if (!(await Deno.stat(from)).isDirectory) return await Deno.copyFile(from, to);
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    await copyTree(join(from, entry.name), join(to, entry.name));
  }
}

/** `work` on every item, at most `width` at a time, results in order. */
async function pooled<T, R>(
  items: T[],
  width: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}
