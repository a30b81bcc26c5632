/**
 * Kill-and-rerun cases of the fault-injection suite: a command starts from a prepared state
 * and is SIGKILLed at a random point; a rerun from whatever it left must end with the results
 * of an uninterrupted run from the same state, and no temporary file anywhere it wrote.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type ChildOptions, runChild } from "./fault_child.ts";
import { resultDigest, temporaryLeftovers } from "./fault_results.ts";

/** A command that can be killed and rerun. */
export interface Interruptible {
  /**
   * Put a fresh copy of the starting state under `dir`; returns the command's arguments
   * (after `deno run -A`) and environment there.
   */
  prepare(dir: string): Promise<{ args: string[]; env: Record<string, string> }>;
  /** The folder under `dir` that holds the results. */
  results(dir: string): string;
  /** Files of that folder not compared (e.g. `entry.json`, which lists checksums of the rest). */
  except?: RegExp;
}

/** An uninterrupted run: its duration and its results. */
export interface Reference {
  seconds: number;
  digest: Record<string, string>;
}

/** Run `command` uninterrupted from a fresh state under `dir`. */
export async function referenceRun(command: Interruptible, dir: string): Promise<Reference> {
  const { args, env } = await command.prepare(dir);
  const run = await runChild(args, { env });
  assert.equal(run.code, 0, `the uninterrupted run failed: ${run.stderr.slice(-2000)}`);
  assert.deepEqual(await temporaryLeftovers(dir), [], "the uninterrupted run left temporary files");
  return { seconds: run.seconds, digest: await resultDigest(command.results(dir), command.except) };
}

/**
 * Kill `command` (from a fresh state under `dir`) when `when(seconds)` fires, rerun it, and
 * check the rerun against `reference`; returns where the first run died, for the report.
 * `seconds` is how long the command runs: the reference's time at first; should the run end
 * before the kill (the machine got faster), the kill is drawn again on that run's time (3 tries).
 */
export async function killAndRerun(
  command: Interruptible,
  dir: string,
  reference: Reference,
  when: (seconds: number) => ChildOptions["killWhen"],
): Promise<string> {
  let seconds = reference.seconds;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const folder = join(dir, `try-${attempt}`);
    const { args, env } = await command.prepare(folder);
    const killed = await runChild(args, { env, killWhen: when(seconds) });
    if (!killed.killed) {
      assert.equal(killed.code, 0, `it failed before the kill came: ${killed.stderr.slice(-2000)}`);
      seconds = killed.seconds;
      continue;
    }
    const left = (await temporaryLeftovers(folder)).length;
    const rerun = await runChild(args, { env });
    assert.equal(rerun.code, 0, `the rerun failed: ${rerun.stderr.slice(-2000)}`);
    assert.deepEqual(await temporaryLeftovers(folder), [], "temporary files after the rerun");
    assert.deepEqual(
      await resultDigest(command.results(folder), command.except),
      reference.digest,
      "the rerun's results differ from the uninterrupted run's",
    );
    const lastLine = killed.stderr.trim().split("\n").at(-1) ?? "";
    return `killed at ${killed.seconds.toFixed(1)} s of ${seconds.toFixed(1)} s, ` +
      `${left} temporary paths left, last line '${lastLine.slice(0, 60)}'`;
  }
  throw new Error("the command ended before the kill in 3 tries");
}
