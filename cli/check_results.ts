/**
 * `deno task check-results [folder]`: check that every table and figure of the study exists
 * and is well-formed (the same rows and columns in Markdown, CSV and JSON, no NaN, parseable
 * SVG and plotly JSON). Exit 1 with one line per problem; CI runs it after `reproduce`.
 */
import { join } from "node:path";
import { REPO_ROOT } from "../lib/cache/code_version.ts";
import { findResultProblems } from "../lib/results/validate.ts";
import { EXPECTED_RESULTS } from "../lib/study/write_results.ts";

if (import.meta.main) {
  const folder = Deno.args[0] ?? join(REPO_ROOT, "results");
  const problems = await findResultProblems(folder, EXPECTED_RESULTS);
  for (const problem of problems) console.error(problem);
  const count = EXPECTED_RESULTS.tables.length + EXPECTED_RESULTS.figures.length;
  console.log(
    problems.length
      ? `check-results: ${problems.length} problem(s)`
      : `check-results: ${count} files well-formed in ${folder}`,
  );
  Deno.exit(problems.length ? 1 : 0);
}
