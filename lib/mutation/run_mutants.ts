/**
 * Mutation testing of source files: plant each mutant (mutants.ts) alone in a copy of the
 * repository (sandbox.ts), run the tests that cover the file (covering_tests.ts) and record
 * whether they noticed. A mutant is killed when a test fails, survives when all pass, and
 * counts as killed when the run exceeds its time limit (an endless loop is noticed too).
 */
import { join } from "node:path";
import { seededRandom, shuffled } from "../util/random.ts";
import { coveringTests } from "./covering_tests.ts";
import { applyMutant, type Mutant, mutantsOf } from "./mutants.ts";
import { repositoryCopy } from "./sandbox.ts";
import { runTests, type TestOutcome } from "./run_tests.ts";

/** What to mutate and how far to go. */
export interface MutationOptions {
  /** The repository whose files are mutated (in a copy). */
  root: string;
  /** Source files, relative to `root`. */
  files: string[];
  /** Test files to run for every file, instead of the covering ones. */
  tests?: string[];
  /** Only the tests that import the file themselves (faster; fewer kills). */
  directOnly?: boolean;
  /** At most this many mutants per file, a seeded sample when there are more. */
  max?: number;
  seed?: number;
  /** A mutant's run is stopped after max(timeoutMs, 3 x the unmutated run). */
  timeoutMs?: number;
  /** Called after each mutant (progress). */
  onMutant?: (file: string, result: MutantResult) => void;
}

/** One mutant and what the tests made of it. */
export interface MutantResult extends Mutant {
  status: "killed" | "survived" | "timeout";
}

/** The outcome for one file. */
export interface FileReport {
  file: string;
  tests: string[];
  /** Mutants found in the file, before sampling. */
  found: number;
  results: MutantResult[];
  /** (killed + timeout) / mutants run; null when none ran. */
  score: number | null;
  /** Why no mutant ran: no covering test, or the tests fail without any mutant. */
  skipped?: string;
}

/** Mutate every file of `options.files` in turn; one report per file. */
export async function runMutants(options: MutationOptions): Promise<FileReport[]> {
  const { root, files, max = Infinity, seed = 1, timeoutMs = 60_000 } = options;
  const covering = options.tests ? null : await coveringTests(root, files);
  await using copy = await repositoryCopy(root);
  const reports: FileReport[] = [];
  for (const file of files) {
    const lists = covering?.get(file);
    const tests = options.tests ??
      (options.directOnly ? lists!.direct : [...lists!.direct, ...lists!.indirect]);
    const source = await Deno.readTextFile(join(root, file));
    const all = mutantsOf(source);
    const chosen = all.length > max
      ? shuffled(all, seededRandom(seed)).slice(0, max).sort((a, b) => a.start - b.start)
      : all;
    const report: FileReport = { file, tests, found: all.length, results: [], score: null };
    reports.push(report);
    if (tests.length === 0) {
      report.skipped = "no test reaches it";
      continue;
    }
    const baseline = await runTests(copy.path, tests, BASELINE_LIMIT_MS);
    if (baseline.outcome !== "passed") {
      report.skipped = `its tests ${baseline.outcome} without a mutant:\n${baseline.output}`;
      continue;
    }
    const limit = Math.max(timeoutMs, 3 * baseline.ms);
    const target = join(copy.path, file);
    try {
      for (const mutant of chosen) {
        await Deno.writeTextFile(target, applyMutant(source, mutant));
        const { outcome } = await runTests(copy.path, tests, limit);
        const result = { ...mutant, status: STATUS[outcome] };
        report.results.push(result);
        options.onMutant?.(file, result);
      }
    } finally {
      await Deno.writeTextFile(target, source);
    }
    report.score = mutationScore(report.results);
  }
  return reports;
}

/** (killed + timeout) / all, or null for no results. */
export function mutationScore(results: readonly MutantResult[]): number | null {
  if (results.length === 0) return null;
  return results.filter((r) => r.status !== "survived").length / results.length;
}

// The unmutated run sets the time limit of the others; it gets a generous one of its own.
const BASELINE_LIMIT_MS = 30 * 60_000;

const STATUS: Record<TestOutcome, MutantResult["status"]> = {
  failed: "killed",
  passed: "survived",
  timeout: "timeout",
};
