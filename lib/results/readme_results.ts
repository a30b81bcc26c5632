/**
 * The README's results section, generated from `results/<profile>/` for every default profile:
 * one table with the paper's average and each profile's average side by side (rows joined by
 * the model's name; "—" where a profile's study has no such row), then per profile one line
 * on the run, its cost figure and one line per finding. A profile whose folder does not exist
 * yet gets a line saying so. `reproduce` writes the section; `check-results` fails when the
 * README's copy differs from what the folders give.
 */
import { join } from "node:path";
import { formatMarkdown, readmeSection, writeReadmeSection } from "./readme_section.ts";
import { DEFAULT_PROFILES, resultsFolder } from "./results_folder.ts";
import { type Column, readTable, type Row, type Table, tableToMarkdown } from "./table.ts";

/** The README section's name (its markers are `<!-- results:begin -->` ... `end`). */
export const RESULTS_SECTION = "results";

export interface Verdict {
  finding: number;
  claim: string;
  verdict: string;
}

/** What the section shows of one profile's study (study.json's run summary, in part). */
export interface StudySummary {
  backend: string;
  cores: number;
  seeds: number[];
  /** Training time of every phase, from the checkpoints' provenance (unchanged by a warm rerun). */
  trainingSeconds: number;
}

/** A paired test of (c) against a starting point (BM25, the pretrained model as it is). */
export interface StartingPoint {
  better: string;
  worse: string;
  /** Mean nDCG@10 difference, better minus worse. */
  difference: number;
  pValue: number;
  /** Above with p < 0.05. */
  above: boolean;
}

/** One profile's results as the section reads them. */
export interface ProfileResults {
  profile: string;
  main: Table;
  verdicts: Verdict[];
  study: StudySummary;
  /** Empty for a study from scratch (and for folders written before the file existed). */
  startingPoints: StartingPoint[];
}

/**
 * The generated section (without its markers) for `profiles`, read under `resultsRoot`.
 * Links point at `results/<profile>/...`, relative to the README at the repository root.
 */
export async function readmeResults(
  resultsRoot: string,
  profiles: readonly string[] = DEFAULT_PROFILES,
): Promise<string> {
  const found: ProfileResults[] = [];
  for (const profile of profiles) {
    const results = await readProfileResults(resultsFolder(profile, resultsRoot), profile);
    if (results) found.push(results);
  }
  const parts: string[] = [];
  if (found.length) parts.push(...sideBySideNotes(sideBySideTable(found), found));
  for (const profile of profiles) {
    const results = found.find((r) => r.profile === profile);
    parts.push(`#### Profile ${profile}`);
    parts.push(...(results ? profileSection(results) : [notRunLine(profile)]));
  }
  return parts.join("\n\n");
}

/** Rewrite the README's results section from the folders under `resultsRoot`. */
export async function updateReadmeResults(
  readmePath: string,
  resultsRoot: string,
  profiles: readonly string[] = DEFAULT_PROFILES,
): Promise<void> {
  await writeReadmeSection(readmePath, RESULTS_SECTION, await readmeResults(resultsRoot, profiles));
}

/** A problem line when the README's section is not what the folders give; none when equal. */
export async function readmeResultsProblems(
  readmePath: string,
  resultsRoot: string,
  profiles: readonly string[] = DEFAULT_PROFILES,
): Promise<string[]> {
  const readme = await Deno.readTextFile(readmePath);
  const expected = await formatMarkdown(await readmeResults(resultsRoot, profiles));
  return readmeSection(readme, RESULTS_SECTION, readmePath) === expected ? [] : [
    `${readmePath}: the results section differs from ${resultsRoot} (run deno task reproduce)`,
  ];
}

/**
 * The main table of every profile side by side: the paper's average and each profile's
 * average per model. Rows are joined by the model's name and keep each profile's order (a row
 * only one profile has comes after the row it follows there); a missing one shows "—".
 */
export function sideBySideTable(results: readonly ProfileResults[]): Table {
  const rows: Row[] = [];
  const at = new Map<string, number>();
  for (const { profile, main } of results) {
    let previous = -1;
    for (const row of main.rows) {
      const model = row.cells.model;
      if (typeof model !== "string") throw new Error(`${profile}: main table row without a model`);
      let index = at.get(model);
      if (index === undefined) {
        index = previous + 1;
        rows.splice(index, 0, { group: row.group, cells: { model, paper: null } });
        for (const [name, i] of at) if (i >= index) at.set(name, i + 1);
        at.set(model, index);
      }
      const cells = rows[index].cells;
      cells[profile] = row.cells.average ?? null;
      if (cells.paper === null) cells.paper = row.cells.paper ?? null;
      previous = index;
    }
  }
  for (const row of rows) for (const { profile } of results) row.cells[profile] ??= null;
  const columns: Column[] = [
    { key: "model", header: "model", kind: "text" },
    { key: "paper", header: "paper Avg", kind: "number", digits: 2, optional: true },
    ...results.map(({ profile }): Column => ({
      key: profile,
      header: profile,
      kind: "meanSpread",
      digits: 2,
      optional: true,
    })),
  ];
  return {
    name: "readme_main",
    title: "nDCG@10 x 100, average over the evaluation suite, per profile",
    columns,
    rows,
  };
}

function sideBySideNotes(table: Table, results: readonly ProfileResults[]): string[] {
  const suites = results.map(({ profile, main, study }) => {
    const datasets = main.columns
      .filter((c) => !["model", "average", "paper"].includes(c.key))
      .map((c) => c.header);
    return `${profile}: seeds ${study.seeds.join(", ")}; ${datasets.join(", ")}.`;
  });
  return [
    tableToMarkdown(table).trim(),
    "Each profile's column is the plain mean of nDCG@10 over its own evaluation suite (each " +
    "dataset scored alone, as BEIR does), ± the sample standard deviation over seeds; every " +
    "dataset's score is in `results/<profile>/main.md`. " + suites.join(" "),
    "paper Avg: the paper's BEIR average of the same row (15 BEIR datasets, ModernBERT-base " +
    "scale). A dash in it: the paper has no such number; in a profile's column: that profile's " +
    "study has no such row.",
  ];
}

function profileSection(
  { profile, verdicts, study, startingPoints }: ProfileResults,
): string[] {
  const folder = `results/${profile}`;
  const findings = verdicts.map((v) => `${v.finding}. ${v.claim}: **${v.verdict}**.`);
  const tests = startingPoints.map((s) =>
    `- ${s.better} against ${s.worse}: ${s.difference >= 0 ? "+" : ""}${
      (100 * s.difference).toFixed(2)
    } nDCG@10 x 100, p = ${s.pValue.toPrecision(2)}: **${s.above ? "above" : "not shown above"}**.`
  );
  return [
    `${study.backend} backend, ${study.cores} cores; its phases trained for ${
      wallTime(study.trainingSeconds)
    } in all (each phase's own time, from its provenance; scoring and data not included). ` +
    `Executed notebooks: \`${folder}/notebooks/\`.`,
    `![nDCG@10 against training compute, profile ${profile}](${folder}/figures/cost.svg)`,
    `**The paper's findings at profile ${profile}** ` +
    `(tests and rules in \`${folder}/findings.md\`):`,
    findings.join("\n"),
    ...(tests.length
      ? [`**Against the starting points** (paired tests over queries):`, tests.join("\n")]
      : []),
  ];
}

function notRunLine(profile: string): string {
  const command = `deno task reproduce --profile ${profile}`;
  return `Not run yet: there is no \`results/${profile}/\` (\`${command}\` writes it).`;
}

/** `1212.4` -> `20 min 12 s`; `3725` -> `1 h 02 min 05 s`; `42` -> `42 s`. */
export function wallTime(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const pad = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${pad(Math.floor((s % 3600) / 60))} min ${pad(s % 60)} s`;
}

/** One profile's results, or undefined when its folder does not exist. */
async function readProfileResults(
  folder: string,
  profile: string,
): Promise<ProfileResults | undefined> {
  const exists = await Deno.stat(folder).then((info) => info.isDirectory, () => false);
  if (!exists) return undefined;
  return {
    profile,
    main: await readTable(join(folder, "main.json")),
    verdicts: await readVerdicts(join(folder, "findings.json")),
    study: await readStudySummary(join(folder, "study.json")),
    startingPoints: await readStartingPoints(join(folder, "starting_points.json")),
  };
}

async function readVerdicts(path: string): Promise<Verdict[]> {
  const parsed: unknown = JSON.parse(await Deno.readTextFile(path));
  const ok = Array.isArray(parsed) &&
    parsed.every((v) =>
      typeof v?.finding === "number" && typeof v?.claim === "string" &&
      typeof v?.verdict === "string"
    );
  if (!ok) throw new Error(`${path}: expected a list of {finding, claim, verdict} objects`);
  return parsed as Verdict[];
}

async function readStudySummary(path: string): Promise<StudySummary> {
  const parsed = JSON.parse(await Deno.readTextFile(path));
  const ok = typeof parsed?.backend === "string" && typeof parsed?.cores === "number" &&
    Array.isArray(parsed?.seeds) && Array.isArray(parsed?.pipelines);
  if (!ok) {
    throw new Error(`${path}: expected a study summary with backend, cores, seeds, pipelines`);
  }
  return { ...parsed, trainingSeconds: trainingSeconds(parsed) };
}

type Trained = { key: string; provenance?: { wallSeconds?: number } };

/** Every phase's training time, each cache entry once (pipelines share phases). */
function trainingSeconds(study: {
  backbone?: Trained;
  teacher?: Trained;
  pipelines: { stages: Trained[] }[];
}): number {
  const phases = new Map<string, number>();
  const all = [study.backbone, study.teacher, ...study.pipelines.flatMap((p) => p.stages)];
  for (const phase of all) {
    if (phase?.key) phases.set(phase.key, phase.provenance?.wallSeconds ?? 0);
  }
  return [...phases.values()].reduce((sum, seconds) => sum + seconds, 0);
}

async function readStartingPoints(path: string): Promise<StartingPoint[]> {
  // A study from scratch writes no file; any other failure to read one is an error.
  const text = await Deno.readTextFile(path).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return "[]";
    throw error;
  });
  const parsed: unknown = JSON.parse(text);
  const ok = Array.isArray(parsed) &&
    parsed.every((s) =>
      typeof s?.better === "string" && typeof s?.difference === "number" &&
      typeof s?.pValue === "number"
    );
  if (!ok) throw new Error(`${path}: expected a list of {better, worse, difference, pValue}`);
  return parsed as StartingPoint[];
}
