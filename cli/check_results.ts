/**
 * `deno task check-results [folder]`: check that every table and figure of the study exists
 * and is well-formed (the same rows and columns in Markdown, CSV and JSON, no NaN, parseable
 * SVG and plotly JSON) and, when they are the default profile's, that the README's results
 * section is what they give. Exit 1 with one line per problem; CI runs it after `reproduce`.
 */
import { join } from "node:path";
import { REPO_ROOT } from "../lib/cache/code_version.ts";
import { findResultProblems } from "../lib/results/validate.ts";
import { EXPECTED_RESULTS } from "../lib/study/write_results.ts";
import { DEFAULT_PROFILE } from "../lib/phases/profiles.ts";
import { readmeResultsProblems } from "../lib/results/readme_results.ts";

/** The README's section is checked only against the default profile's results, which it shows. */
async function readmeProblems(folder: string): Promise<string[]> {
  const study = JSON.parse(await Deno.readTextFile(join(folder, "study.json")));
  if (study.profile !== DEFAULT_PROFILE) return [];
  return await readmeResultsProblems(join(REPO_ROOT, "README.md"), folder);
}

if (import.meta.main) {
  const folder = Deno.args[0] ?? join(REPO_ROOT, "results");
  const problems = await findResultProblems(folder, EXPECTED_RESULTS);
  if (!problems.length) problems.push(...await readmeProblems(folder));
  for (const problem of problems) console.error(problem);
  const count = EXPECTED_RESULTS.tables.length + EXPECTED_RESULTS.figures.length;
  console.log(
    problems.length
      ? `check-results: ${problems.length} problem(s)`
      : `check-results: ${count} files well-formed in ${folder}`,
  );
  Deno.exit(problems.length ? 1 : 0);
}
