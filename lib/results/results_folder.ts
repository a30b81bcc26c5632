/**
 * Where each profile's results live: `results/<profile>/` holds its tables, verdicts,
 * figures, study.json and the executed copies of the notebooks (`notebooks/`), while
 * `notebooks/` at the top holds the notebooks as sources, without outputs.
 *
 * @example
 * await writeStudyResults(run, resultsFolder(context.profile.name)); // results/small/
 */
import { join } from "node:path";
import { REPO_ROOT } from "../cache/code_version.ts";
import { DEFAULT_PROFILE } from "../phases/profiles.ts";

/** The folder that holds one folder per profile. */
export const RESULTS_ROOT = join(REPO_ROOT, "results");

/**
 * The profiles whose studies the README shows side by side and that `deno task reproduce`
 * runs, in this order, when no `--profile` is given.
 */
export const DEFAULT_PROFILES: readonly string[] = [DEFAULT_PROFILE, "pretrained"];

/** The results folder of `profile` (`results/<profile>` under `root`). */
export function resultsFolder(profile: string, root = RESULTS_ROOT): string {
  if (!/^[A-Za-z0-9_-]+$/.test(profile)) {
    throw new Error(`'${profile}' is not a profile name (letters, digits, '-' and '_')`);
  }
  return join(root, profile);
}

/** The folder of `profile`'s executed notebooks. */
export function executedNotebooksFolder(profile: string, root = RESULTS_ROOT): string {
  return join(resultsFolder(profile, root), "notebooks");
}

/** The profiles that have a folder under `root`, sorted by name. */
export async function profilesWithResults(root = RESULTS_ROOT): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(root)) {
      if (entry.isDirectory) names.push(entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}
