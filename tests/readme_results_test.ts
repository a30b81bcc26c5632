import assert from "node:assert/strict";
import { join } from "node:path";
import {
  readmeResults,
  readmeResultsProblems,
  updateReadmeResults,
} from "../lib/results/readme_results.ts";
import { formatMarkdown, withReadmeSection } from "../lib/results/readme_section.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const TABLE = "### nDCG@10\n\n| model | Avg |\n| --- | ---: |\n| BM25 | 52.95 |\n";
const FINDINGS = [{ finding: 2, claim: "KD alone is not enough", verdict: "reproduced" }];

async function resultsFolder(dir: string, table = TABLE): Promise<string> {
  const results = join(dir, "results");
  await Deno.mkdir(results, { recursive: true });
  await Deno.writeTextFile(join(results, "main.md"), table);
  await Deno.writeTextFile(join(results, "findings.json"), JSON.stringify(FINDINGS));
  return results;
}

Deno.test("the README section holds the main table, the figure and one line per finding", async () => {
  await using dir = await temporaryFolder();
  const section = await formatMarkdown(await readmeResults(await resultsFolder(dir.path)));
  // deno fmt aligns the table, so the row reads with padded cells.
  assert.match(section, /\| BM25 {2}\| 52\.95 \|/);
  assert.match(section, /!\[.*\]\(results\/figures\/cost\.svg\)/);
  assert.match(section, /^2\. KD alone is not enough: \*\*reproduced\*\*\.$/m);
});

Deno.test("updating the README replaces only the section between the markers", async () => {
  await using dir = await temporaryFolder();
  const results = await resultsFolder(dir.path);
  const readme = join(dir.path, "README.md");
  const text = "# Title\n\n<!-- results:begin -->\nold\n<!-- results:end -->\n\n## After\n";
  await Deno.writeTextFile(readme, text);
  await updateReadmeResults(readme, results);
  const updated = await Deno.readTextFile(readme);
  assert.ok(updated.startsWith("# Title\n\n<!-- results:begin -->\n\n### nDCG@10"));
  assert.ok(updated.endsWith("<!-- results:end -->\n\n## After\n"));
  assert.ok(!updated.includes("old"));
  assert.deepEqual(await readmeResultsProblems(readme, results), []);
});

Deno.test("a number edited by hand in the README, or results that moved, is a problem", async () => {
  await using dir = await temporaryFolder();
  const results = await resultsFolder(dir.path);
  const readme = join(dir.path, "README.md");
  await Deno.writeTextFile(readme, "<!-- results:begin -->\n<!-- results:end -->\n");
  await updateReadmeResults(readme, results);
  const typed = (await Deno.readTextFile(readme)).replace("52.95", "53.95");
  await Deno.writeTextFile(readme, typed);
  const [problem] = await readmeResultsProblems(readme, results);
  assert.match(problem, /README\.md: the results section differs from .*results/);
});

Deno.test("a README without the markers, or findings of the wrong shape, is a clear error", async () => {
  assert.throws(
    () => withReadmeSection("# no markers\n", "results", { section: "x", path: "/some/README.md" }),
    /\/some\/README\.md: no '<!-- results:begin -->'/,
  );
  await using dir = await temporaryFolder();
  const results = await resultsFolder(dir.path);
  await Deno.writeTextFile(join(results, "findings.json"), JSON.stringify([{ finding: "1" }]));
  await assert.rejects(() => readmeResults(results), /findings\.json: expected a list of/);
});
