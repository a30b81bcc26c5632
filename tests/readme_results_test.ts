import assert from "node:assert/strict";
import { join } from "node:path";
import {
  readmeResults,
  readmeResultsProblems,
  updateReadmeResults,
  wallTime,
} from "../lib/results/readme_results.ts";
import { formatMarkdown, withReadmeSection } from "../lib/results/readme_section.ts";
import { DEFAULT_PROFILES, resultsFolder } from "../lib/results/results_folder.ts";
import { DEFAULT_PROFILE } from "../lib/phases/profiles.ts";
import type { Row, Table } from "../lib/results/table.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const FINDINGS = [{ finding: 2, claim: "KD alone is not enough", verdict: "reproduced" }];

const one = (mean: number) => ({ mean, std: null, n: 1 });
const row = (group: string, model: string, average: number, paper: number | null): Row => ({
  group,
  cells: { model, average: one(average), paper, cisi: average },
});

/** A main table like lib/study/tables.ts writes: model, Avg, paper Avg, one dataset. */
function mainTable(rows: Row[]): Table {
  return {
    name: "main",
    title: "nDCG@10",
    columns: [
      { key: "model", header: "model", kind: "text" },
      { key: "average", header: "Avg", kind: "meanSpread", digits: 2 },
      { key: "paper", header: "paper Avg", kind: "number", digits: 2, optional: true },
      { key: "cisi", header: "cisi", kind: "number", digits: 2 },
    ],
    rows,
  };
}

const SMALL_ROWS = [
  row("baselines", "BM25", 52.95, null),
  row("baselines", "dense supervised", 21.12, 52.89),
  row("ColBERT-Zero", "(c) ColBERT-Zero", 42.61, 55.43),
];

/** `root`/`profile` as reproduce leaves it (the parts the README section reads). */
async function profileFolder(root: string, profile: string, rows = SMALL_ROWS): Promise<string> {
  const folder = resultsFolder(profile, root);
  await Deno.mkdir(folder, { recursive: true });
  await Deno.writeTextFile(join(folder, "main.json"), JSON.stringify(mainTable(rows)));
  await Deno.writeTextFile(join(folder, "findings.json"), JSON.stringify(FINDINGS));
  // Two pipelines sharing a phase (key "u"): its training time counts once.
  const trained = (key: string, wallSeconds: number) => ({ key, provenance: { wallSeconds } });
  const study = {
    profile,
    backend: "wasm",
    cores: 2,
    seeds: [1, 2],
    wallSeconds: 30,
    backbone: trained("b", 0),
    teacher: trained("t", 212.4),
    pipelines: [
      { stages: [trained("u", 600), trained("s1", 200)] },
      { stages: [trained("u", 600), trained("s2", 200)] },
    ],
  };
  await Deno.writeTextFile(join(folder, "study.json"), JSON.stringify(study));
  return folder;
}

Deno.test("the default profiles start with the default one; folders are results/<profile>", () => {
  assert.equal(DEFAULT_PROFILES[0], DEFAULT_PROFILE);
  assert.equal(resultsFolder("small", "/repo/results"), "/repo/results/small");
  assert.throws(() => resultsFolder("../x", "/repo/results"), /not a profile name/);
});

Deno.test("the README section: averages per profile, the figure and one line per finding", async () => {
  await using dir = await temporaryFolder();
  await profileFolder(dir.path, "small");
  const section = await formatMarkdown(await readmeResults(dir.path, ["small"]));
  // deno fmt aligns the table, so the row reads with padded cells.
  assert.match(section, /^\| model +\| paper Avg \| small \|$/m);
  assert.match(section, /^\| BM25 +\| +— \| 52\.95 \|$/m);
  assert.match(section, /!\[.*\]\(results\/small\/figures\/cost\.svg\)/);
  assert.match(section, /^2\. KD alone is not enough: \*\*reproduced\*\*\.$/m);
  assert.match(section, /trained for 20 min 12 s in all/);
  assert.doesNotMatch(section, /Against the starting points/, "none for a study from scratch");
  assert.match(section, /small: seeds 1, 2; cisi\./);
});

Deno.test("the side-by-side table joins rows by model; a row one profile lacks shows —", async () => {
  await using dir = await temporaryFolder();
  await profileFolder(dir.path, "small");
  await profileFolder(dir.path, "pretrained", [
    row("baselines", "BM25", 52.95, null),
    row("baselines", "dense backbone as it is", 48.5, null),
    row("ColBERT-Zero", "(c) ColBERT-Zero", 57.25, 55.43),
  ]);
  const section = await formatMarkdown(await readmeResults(dir.path, ["small", "pretrained"]));
  const lines = section.split("\n").filter((line) => line.startsWith("| "));
  const cells = (line: string) => line.split("|").slice(1, -1).map((cell) => cell.trim());
  assert.deepEqual(lines.map(cells).filter((c) => !/^-+:?$/.test(c[1])), [
    ["model", "paper Avg", "small", "pretrained"],
    ["**baselines**", "", "", ""],
    ["BM25", "—", "52.95", "52.95"],
    // Only the pretrained profile has it: after the row it follows there, "—" for small.
    ["dense backbone as it is", "—", "—", "48.50"],
    // Only the small profile has it.
    ["dense supervised", "52.89", "21.12", "—"],
    ["**ColBERT-Zero**", "", "", ""],
    ["(c) ColBERT-Zero", "55.43", "42.61", "57.25"],
  ]);
  assert.match(section, /#### Profile pretrained[\s\S]*results\/pretrained\/figures\/cost\.svg/);
});

Deno.test("the starting-point tests of a pretrained profile are listed with their p-values", async () => {
  await using dir = await temporaryFolder();
  const folder = await profileFolder(dir.path, "pretrained");
  const points = [
    { better: "(c)", worse: "BM25", difference: 0.156, pValue: 1e-4, above: true },
    { better: "(c)", worse: "the model as is", difference: 0.0024, pValue: 0.823, above: false },
  ];
  await Deno.writeTextFile(join(folder, "starting_points.json"), JSON.stringify(points));
  const section = await readmeResults(dir.path, ["pretrained"]);
  assert.match(
    section,
    /- \(c\) against BM25: \+15\.60 nDCG@10 x 100, p = 0\.00010: \*\*above\*\*\./,
  );
  assert.match(section, /against the model as is: \+0\.24 .*p = 0\.82: \*\*not shown above\*\*/);
});

Deno.test("starting points: no file is none, a file that cannot be read is an error", async () => {
  await using dir = await temporaryFolder();
  const folder = await profileFolder(dir.path, "pretrained");
  await Deno.remove(join(folder, "starting_points.json")).catch(() => {});
  assert.doesNotMatch(await readmeResults(dir.path, ["pretrained"]), /against BM25/);
  await Deno.mkdir(join(folder, "starting_points.json")); // there, but not a readable file
  await assert.rejects(() => readmeResults(dir.path, ["pretrained"]));
});

Deno.test("a default profile not run yet is a line saying so, not an error", async () => {
  await using dir = await temporaryFolder();
  await profileFolder(dir.path, "small");
  const section = await formatMarkdown(await readmeResults(dir.path, ["small", "pretrained"]));
  assert.match(section, /^\| model +\| paper Avg \| small \|$/m);
  assert.match(
    section,
    /#### Profile pretrained\n\nNot run yet: there is no `results\/pretrained\/`/,
  );
  // No profile at all: the lines, and no table.
  await using empty = await temporaryFolder();
  const none = await readmeResults(empty.path, ["small", "pretrained"]);
  assert.ok(!none.includes("| model"));
  assert.equal(none.match(/Not run yet/g)?.length, 2);
});

Deno.test("updating the README replaces only the section between the markers", async () => {
  await using dir = await temporaryFolder();
  await profileFolder(dir.path, "small");
  const readme = join(dir.path, "README.md");
  const text = "# Title\n\n<!-- results:begin -->\nstale\n<!-- results:end -->\n\n## After\n";
  await Deno.writeTextFile(readme, text);
  await updateReadmeResults(readme, dir.path, ["small"]);
  const updated = await Deno.readTextFile(readme);
  assert.ok(updated.startsWith("# Title\n\n<!-- results:begin -->\n\n### nDCG@10"));
  assert.ok(updated.endsWith("<!-- results:end -->\n\n## After\n"));
  assert.ok(!updated.includes("stale"));
  assert.deepEqual(await readmeResultsProblems(readme, dir.path, ["small"]), []);
});

Deno.test("a number typed into the README, or a profile run since, is a problem", async () => {
  await using dir = await temporaryFolder();
  await profileFolder(dir.path, "small");
  const readme = join(dir.path, "README.md");
  await Deno.writeTextFile(readme, "<!-- results:begin -->\n<!-- results:end -->\n");
  await updateReadmeResults(readme, dir.path, ["small", "pretrained"]);
  const profiles = ["small", "pretrained"];
  assert.deepEqual(await readmeResultsProblems(readme, dir.path, profiles), []);
  await profileFolder(dir.path, "pretrained");
  const [problem] = await readmeResultsProblems(readme, dir.path, profiles);
  assert.match(problem, /README\.md: the results section differs from /);
  await updateReadmeResults(readme, dir.path, profiles);
  const typed = (await Deno.readTextFile(readme)).replace("52.95", "53.95");
  await Deno.writeTextFile(readme, typed);
  assert.equal((await readmeResultsProblems(readme, dir.path, profiles)).length, 1);
});

Deno.test("a README without markers, or findings of the wrong shape, is a clear error", async () => {
  assert.throws(
    () => withReadmeSection("# no markers\n", "results", { section: "x", path: "/some/README.md" }),
    /\/some\/README\.md: no '<!-- results:begin -->'/,
  );
  await using dir = await temporaryFolder();
  const folder = await profileFolder(dir.path, "small");
  await Deno.writeTextFile(join(folder, "findings.json"), JSON.stringify([{ finding: "1" }]));
  await assert.rejects(
    () => readmeResults(dir.path, ["small"]),
    /findings\.json: expected a list of/,
  );
});

Deno.test("wall times read as minutes and seconds", () => {
  assert.equal(wallTime(42), "42 s");
  assert.equal(wallTime(1930.4), "32 min 10 s");
  assert.equal(wallTime(3725), "1 h 02 min 05 s");
});
