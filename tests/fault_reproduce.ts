/**
 * Two `reproduce --profile tiny` at once on one cache, for the fault-injection suite. Each
 * runs in its own copy of the checkout (reproduce writes results/tiny/ and its progress logs);
 * both share the checkpoint cache and the evaluation cache beside it.
 */
import { join } from "node:path";
import { runChild } from "./fault_child.ts";
import { type CacheState, cacheState, resultDigest, temporaryLeftovers } from "./fault_results.ts";
import { workspaceCopy } from "./fault_workspace.ts";

/** What the two runs did. */
export interface TwinOutcome {
  codes: number[];
  /** The end of each run's stderr, for a failure's message. */
  tails: string[];
  /** Each run's results/tiny/ as a digest (JSON without clock fields; SVGs, notebooks left out). */
  results: Record<string, string>[];
  checkpoints: CacheState;
  evaluations: CacheState;
  /** Temporary paths anywhere in the shared caches. */
  leftovers: string[];
  seconds: number;
}

/** Run both, under `dir`, and report. */
export async function twinReproduce(dir: string): Promise<TwinOutcome> {
  const caches = join(dir, "caches");
  const copies = [await workspaceCopy(join(dir, "a")), await workspaceCopy(join(dir, "b"))];
  const started = performance.now();
  const runs = await Promise.all(
    copies.map((cwd) =>
      runChild(["cli/reproduce.ts", "--profile", "tiny"], {
        cwd,
        env: { COLBERT_CACHE: join(caches, "checkpoints") },
      })
    ),
  );
  return {
    codes: runs.map((run) => run.code),
    tails: runs.map((run) => (run.stdout + run.stderr).slice(-1500)),
    // An SVG carries plotly's random element ids (the data it draws is in figures/*.json), and
    // an executed notebook its run's progress lines and times.
    results: await Promise.all(
      copies.map((copy) => resultDigest(join(copy, "results", "tiny"), /\.(svg|ipynb)$/)),
    ),
    checkpoints: await cacheState(join(caches, "checkpoints")),
    evaluations: await cacheState(join(caches, "evaluations")),
    leftovers: await temporaryLeftovers(caches),
    seconds: (performance.now() - started) / 1000,
  };
}
