/**
 * `deno task check-results [folder...]`: check that every table and figure of the study exists
 * and is well-formed (the same rows and columns in Markdown, CSV and JSON, no NaN, parseable
 * SVG and plotly JSON), that its study.json names the folder's profile and that every notebook
 * has an executed copy under `notebooks/`. With no folder: every `results/<profile>/` there is,
 * and the README's results section must be what the default profiles' folders give. Exit 1
 * with one line per problem; CI runs it after `reproduce`.
 */
import { basename, join } from "node:path";
import { REPO_ROOT } from "../lib/cache/code_version.ts";
import { executedNotebookProblems, findResultProblems } from "../lib/results/validate.ts";
import { expectedResults } from "../lib/study/write_results.ts";
import { readmeResultsProblems } from "../lib/results/readme_results.ts";
import {
  DEFAULT_PROFILES,
  profilesWithResults,
  RESULTS_ROOT,
  resultsFolder,
} from "../lib/results/results_folder.ts";
import { notebookOrder } from "./reproduce.ts";
import { runMain } from "./run_main.ts";

/** Where check-results looks (tests point it at a temporary tree). */
export interface CheckPlaces {
  resultsRoot: string;
  readme: string;
  notebooks: string;
  defaultProfiles: readonly string[];
}

const PLACES: CheckPlaces = {
  resultsRoot: RESULTS_ROOT,
  readme: join(REPO_ROOT, "README.md"),
  notebooks: join(REPO_ROOT, "notebooks"),
  defaultProfiles: DEFAULT_PROFILES,
};

/** The problems of one profile's results folder. */
export async function folderProblems(folder: string, notebooks: string[]): Promise<string[]> {
  const studyPath = join(folder, "study.json");
  const study = await Deno.readTextFile(studyPath).then(JSON.parse, () => null);
  const problems = await findResultProblems(folder, expectedResults(study?.settings ?? {}));
  if (study === null) problems.push(`${studyPath}: missing or not JSON`);
  else if (study.profile !== basename(folder)) {
    problems.push(`${studyPath}: the study of profile '${study.profile}' in ${folder}`);
  }
  problems.push(...await executedNotebookProblems(join(folder, "notebooks"), notebooks));
  return problems;
}

/**
 * Problems of `folders`, or with none given, of every profile folder under the results root
 * and of the README's results section. Returns the problems and the folders checked.
 */
export async function checkResults(
  folders: readonly string[],
  places: CheckPlaces = PLACES,
): Promise<{ problems: string[]; checked: string[] }> {
  const all = folders.length === 0;
  const checked = all
    ? (await profilesWithResults(places.resultsRoot)).map((p) =>
      resultsFolder(p, places.resultsRoot)
    )
    : [...folders];
  const problems: string[] = [];
  if (checked.length === 0) {
    problems.push(`${places.resultsRoot}: no profile's results (run deno task reproduce)`);
  }
  const notebooks = await notebookOrder(places.notebooks);
  for (const folder of checked) problems.push(...await folderProblems(folder, notebooks));
  if (all) {
    try {
      problems.push(
        ...await readmeResultsProblems(places.readme, places.resultsRoot, places.defaultProfiles),
      );
    } catch (error) {
      problems.push(
        `${places.readme}: cannot build its results section (${(error as Error).message})`,
      );
    }
  }
  return { problems, checked };
}

async function main(args: string[]): Promise<number> {
  const { problems, checked } = await checkResults(args);
  for (const problem of problems) console.error(problem);
  console.log(
    problems.length
      ? `check-results: ${problems.length} problem(s)`
      : `check-results: every table and figure well-formed and every notebook executed in ${
        checked.join(", ")
      }${args.length ? "" : "; the README's results section matches"}`,
  );
  return problems.length ? 1 : 0;
}

if (import.meta.main) await runMain("check-results", main);
