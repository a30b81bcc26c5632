/**
 * `deno task mutate [FILE...]`: mutation testing of the core files (or those named). Each
 * mutant is planted alone in a copy of the repository and the tests that import the file
 * (directly or not) run against it; prints the score per file and every surviving mutant.
 * A tool to run by hand, not part of CI: a full run takes hours on a small machine.
 *
 *   --tests a_test.ts,b_test.ts  run these test files instead of the covering ones
 *   --direct                     only the tests that import the file themselves
 *   --max N --seed S             at most N mutants per file, a sample drawn with seed S
 *   --timeout S                  seconds a mutant's run may take (at least 3 x unmutated)
 *   --json                       the report as JSON on stdout
 */
import { parseArgs } from "node:util";
import { REPO_ROOT } from "../lib/cache/code_version.ts";
import { CORE_FILES } from "../lib/mutation/core_files.ts";
import { describeMutant } from "../lib/mutation/mutants.ts";
import { formatReport, jsonReport } from "../lib/mutation/report.ts";
import { runMutants } from "../lib/mutation/run_mutants.ts";
import { runMain } from "./run_main.ts";

const USAGE = "usage: deno task mutate [FILE...] [--tests T,...] [--direct] [--max N] " +
  "[--seed S] [--timeout S] [--json]";

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      tests: { type: "string" },
      direct: { type: "boolean", default: false },
      max: { type: "string" },
      seed: { type: "string", default: "1" },
      timeout: { type: "string", default: "60" },
      json: { type: "boolean", default: false },
    },
  });
  const number = (name: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`--${name} ${text}: expected a positive integer (${USAGE})`);
    }
    return value;
  };
  const reports = await runMutants({
    root: REPO_ROOT,
    files: positionals.length ? positionals : [...CORE_FILES],
    tests: values.tests?.split(","),
    directOnly: values.direct,
    max: number("max", values.max),
    seed: number("seed", values.seed),
    timeoutMs: 1000 * number("timeout", values.timeout)!,
    onMutant: (file, result) =>
      console.error(`${result.status.padEnd(8)} ${file}:${describeMutant(result)}`),
  });
  console.log(values.json ? jsonReport(reports) : formatReport(reports));
  return 0;
}

if (import.meta.main) runMain("mutate", main);
