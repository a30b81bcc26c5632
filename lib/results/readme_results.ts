/**
 * The README's results section, generated from `results/`: the main table, the cost figure and
 * one line per finding. `reproduce` writes it; `check-results` fails when the README's copy
 * differs from what `results/` gives.
 */
import { join } from "node:path";
import { formatMarkdown, readmeSection, writeReadmeSection } from "./readme_section.ts";

/** The README section's name (its markers are `<!-- results:begin -->` ... `end`). */
export const RESULTS_SECTION = "results";

interface Verdict {
  finding: number;
  claim: string;
  verdict: string;
}

/** The generated section (without its markers). */
export async function readmeResults(resultsDir: string): Promise<string> {
  const table = (await Deno.readTextFile(join(resultsDir, "main.md"))).trim();
  const verdicts = await readVerdicts(join(resultsDir, "findings.json"));
  const findings = verdicts.map((v) => `${v.finding}. ${v.claim}: **${v.verdict}**.`);
  return [
    table,
    "![nDCG@10 against training compute](results/figures/cost.svg)",
    "**The paper's findings here** (tests and rules in `results/findings.md`):",
    findings.join("\n"),
  ].join("\n\n");
}

/** Rewrite the README's results section from `resultsDir`. */
export async function updateReadmeResults(readmePath: string, resultsDir: string): Promise<void> {
  await writeReadmeSection(readmePath, RESULTS_SECTION, await readmeResults(resultsDir));
}

/** A problem line when the README's section is not what `resultsDir` gives; none when equal. */
export async function readmeResultsProblems(
  readmePath: string,
  resultsDir: string,
): Promise<string[]> {
  const readme = await Deno.readTextFile(readmePath);
  const expected = await formatMarkdown(await readmeResults(resultsDir));
  return readmeSection(readme, RESULTS_SECTION, readmePath) === expected ? [] : [
    `${readmePath}: the results section differs from ${resultsDir} (run deno task reproduce)`,
  ];
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
