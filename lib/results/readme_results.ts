/**
 * The README's results section, generated from `results/` so that no number in it is typed by
 * hand: the main table, the cost figure and one line per finding. `reproduce` writes it between
 * two markers; `check-results` fails when the README's copy differs from what `results/` gives.
 */
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic_write.ts";

/** The lines that open and close the generated section. */
export const RESULTS_BEGIN = "<!-- results:begin -->";
/** See {@link RESULTS_BEGIN}. */
export const RESULTS_END = "<!-- results:end -->";

interface Verdict {
  finding: number;
  claim: string;
  verdict: string;
}

/** The generated section (without its markers), formatted as `deno fmt` formats Markdown. */
export async function readmeResults(resultsDir: string): Promise<string> {
  const table = (await Deno.readTextFile(join(resultsDir, "main.md"))).trim();
  const verdicts = await readVerdicts(join(resultsDir, "findings.json"));
  const findings = verdicts.map((v) => `${v.finding}. ${v.claim}: **${v.verdict}**.`);
  return await formatMarkdown([
    table,
    "![nDCG@10 against training compute](results/figures/cost.svg)",
    "**The paper's findings here** (tests and rules in `results/findings.md`):",
    findings.join("\n"),
  ].join("\n\n"));
}

/** `readme` with its generated section replaced by `section`; throws if a marker is missing. */
export function withReadmeResults(readme: string, section: string, path = "README.md"): string {
  const { before, after } = splitAtMarkers(readme, path);
  return `${before}${RESULTS_BEGIN}\n\n${section.trim()}\n\n${RESULTS_END}${after}`;
}

/** The README's generated section as it stands (trimmed). */
export function readmeSection(readme: string, path = "README.md"): string {
  const { before, after } = splitAtMarkers(readme, path);
  return readme.slice(
    before.length + RESULTS_BEGIN.length,
    readme.length - after.length -
      RESULTS_END.length,
  ).trim();
}

function splitAtMarkers(readme: string, path: string): { before: string; after: string } {
  const begin = readme.indexOf(RESULTS_BEGIN);
  const end = readme.indexOf(RESULTS_END);
  if (begin < 0 || end < begin) {
    throw new Error(`${path}: no '${RESULTS_BEGIN}' ... '${RESULTS_END}' section for the results`);
  }
  return { before: readme.slice(0, begin), after: readme.slice(end + RESULTS_END.length) };
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

/** Markdown through `deno fmt`, so the README stays fmt-clean whatever wrote it. */
async function formatMarkdown(text: string): Promise<string> {
  const fmt = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--line-width", "100", "--ext", "md", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = fmt.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout, stderr } = await fmt.output();
  if (code !== 0) throw new Error(`deno fmt: ${new TextDecoder().decode(stderr).trim()}`);
  return new TextDecoder().decode(stdout);
}

/** Rewrite the README's generated section from `resultsDir`, atomically. */
export async function updateReadmeResults(readmePath: string, resultsDir: string): Promise<void> {
  const readme = await Deno.readTextFile(readmePath);
  const section = await readmeResults(resultsDir);
  await writeFileAtomic(readmePath, withReadmeResults(readme, section, readmePath));
}

/** A problem line when the README's section is not what `resultsDir` gives; none when equal. */
export async function readmeResultsProblems(
  readmePath: string,
  resultsDir: string,
): Promise<string[]> {
  const readme = await Deno.readTextFile(readmePath);
  const expected = (await readmeResults(resultsDir)).trim();
  return readmeSection(readme, readmePath) === expected ? [] : [
    `${readmePath}: the results section differs from ${resultsDir} (run deno task reproduce)`,
  ];
}
