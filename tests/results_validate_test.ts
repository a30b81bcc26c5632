import assert from "node:assert/strict";
import { join } from "node:path";
import { executedNotebookProblems, findResultProblems } from "../lib/results/validate.ts";
import { type Table, writeTable } from "../lib/results/table.ts";
import { xmlProblem } from "../lib/results/xml_check.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const TABLE: Table = {
  name: "main",
  title: "Main table",
  columns: [
    { key: "model", header: "model", kind: "text" },
    { key: "avg", header: "Avg", kind: "meanSpread", digits: 3 },
  ],
  rows: [
    { group: "(a)", cells: { model: "KD only", avg: { mean: 0.31, std: 0.01, n: 3 } } },
    { group: "(c)", cells: { model: "ColBERT-Zero", avg: { mean: 0.33, std: 0.02, n: 3 } } },
  ],
};

const SVG = `<?xml version="1.0"?>
<!-- a comment -->
<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
  <style><![CDATA[ .a > b { fill: red } ]]></style>
  <g class="trace"><path d="M0,0L5,5"/><text x='1' y="2">R&amp;D &#215; 2 &gt; 1</text></g>
</svg>
`;

/** A PNG's chunk layout: signature, IHDR (width x height), IDAT, IEND (CRCs left at 0). */
function png(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: number[]) => {
    const length = [24, 16, 8, 0].map((shift) => (data.length >>> shift) & 255);
    return [...length, ...new TextEncoder().encode(type), ...data, 0, 0, 0, 0];
  };
  const be32 = (x: number) => [24, 16, 8, 0].map((shift) => (x >>> shift) & 255);
  return new Uint8Array([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...chunk("IHDR", [...be32(width), ...be32(height), 8, 0, 0, 0, 0]),
    ...chunk("IDAT", [1, 2, 3]),
    ...chunk("IEND", []),
  ]);
}

const EXPECTED = {
  tables: ["main"],
  figures: ["figures/cost.svg", "figures/cost.png", "figures/cost.json"],
};

/** A results folder where everything is right; `damage` then breaks one thing. */
async function results(folder: string, damage?: (path: (name: string) => string) => Promise<void>) {
  const path = (name: string) => join(folder, name);
  await writeTable(folder, TABLE);
  await Deno.mkdir(path("figures"));
  await Deno.writeTextFile(path("figures/cost.svg"), SVG);
  await Deno.writeFile(path("figures/cost.png"), png(720, 480));
  await Deno.writeTextFile(
    path("figures/cost.json"),
    JSON.stringify({ data: [{ y: [1] }], layout: {} }),
  );
  await damage?.(path);
  return findResultProblems(folder, EXPECTED);
}

Deno.test("a complete, well-formed results folder has no problems", async () => {
  await using folder = await temporaryFolder();
  assert.deepEqual(await results(folder.path), []);
});

Deno.test("each kind of damage is reported once, naming its file", async () => {
  const edit =
    (name: string, change: (text: string) => string) => async (path: (n: string) => string) =>
      await Deno.writeTextFile(path(name), change(await Deno.readTextFile(path(name))));
  const cases: [string, (path: (name: string) => string) => Promise<void>, RegExp][] = [
    ["missing CSV", (path) => Deno.remove(path("main.csv")), /main\.csv: missing$/],
    ["missing table", (path) => Deno.remove(path("main.json")), /main\.json: missing$/],
    [
      "NaN in the CSV",
      edit("main.csv", (t) => t.replace("0.33", "NaN")),
      /main\.csv: line 3 differs .*"\(c\),ColBERT-Zero,NaN,0\.02/,
    ],
    [
      "a row dropped from the Markdown",
      edit("main.md", (t) => t.replace(/\| ColBERT-Zero .*\n/, "")),
      /main\.md: line 8 differs/,
    ],
    [
      "an extra Markdown line",
      edit("main.md", (t) => t + "| x |\n"),
      /main\.md: line 9 differs .*found "\| x \|"/,
    ],
    [
      "NaN in the JSON",
      edit("main.json", (t) => t.replace("0.33", '"NaN"')),
      /main\.json: row 2, column "Avg": mean is NaN/,
    ],
    [
      "a JSON cell removed",
      edit("main.json", (t) => t.replace('"model": "KD only",', "")),
      /main\.json: row 1, column "model": missing/,
    ],
    [
      "another table's JSON",
      edit("main.json", (t) => t.replace('"main"', '"other"')),
      /main\.json: holds table "other", not "main"/,
    ],
    [
      "JSON cut short",
      edit("main.json", (t) => t.slice(0, 50)),
      /main\.json: cannot read the table/,
    ],
    [
      "unclosed SVG element",
      edit("figures/cost.svg", (t) => t.replace("</g>", "")),
      /cost\.svg: not well-formed SVG \(6:6: unexpected close tag\.\)/,
    ],
    [
      "NaN in an SVG path",
      edit("figures/cost.svg", (t) => t.replace("M0,0", "MNaN,0")),
      /cost\.svg: contains NaN/,
    ],
    [
      "HTML instead of SVG",
      edit("figures/cost.svg", () => "<html><body/></html>"),
      /cost\.svg: .*root is <html>, not <svg>/,
    ],
    [
      "empty SVG",
      edit("figures/cost.svg", () => ""),
      /cost\.svg: not well-formed SVG \(.*must contain a root element\.\)/,
    ],
    [
      "truncated PNG",
      async (path) => await Deno.writeFile(path("figures/cost.png"), png(9, 9).slice(0, -6)),
      /cost\.png: PNG truncated/,
    ],
    [
      "zero-height PNG",
      async (path) => await Deno.writeFile(path("figures/cost.png"), png(9, 0)),
      /cost\.png: PNG of zero width/,
    ],
    [
      "SVG named .png",
      async (path) => await Deno.writeTextFile(path("figures/cost.png"), SVG),
      /cost\.png: not a PNG/,
    ],
    [
      "missing figure",
      (path) => Deno.remove(path("figures/cost.png")),
      /figures\/cost\.png: missing$/,
    ],
    [
      "empty plotly spec",
      edit("figures/cost.json", () => '{"data": [], "layout": {}}'),
      /cost\.json: no traces/,
    ],
  ];
  for (const [what, damage, expected] of cases) {
    await using folder = await temporaryFolder();
    const problems = await results(folder.path, damage);
    assert.equal(problems.length, 1, `${what}: ${problems.join(" | ")}`);
    assert.match(problems[0], expected, what);
    assert.ok(problems[0].startsWith(folder.path), `${what}: the message names the file`);
  }
});

Deno.test("an unknown figure extension is a problem, not a silent pass", async () => {
  await using folder = await temporaryFolder();
  await Deno.writeTextFile(join(folder.path, "plot.gif"), "GIF89a");
  assert.match(
    (await findResultProblems(folder.path, { tables: [], figures: ["plot.gif"] }))[0],
    /plot\.gif: unknown figure type "\.gif"/,
  );
});

Deno.test("XML well-formedness: the cases the SVG check must catch", () => {
  assert.equal(xmlProblem(SVG, "svg"), undefined);
  assert.equal(xmlProblem('<!DOCTYPE svg [<!ENTITY x "y">]><svg/>', "svg"), undefined);
  // saxes's messages, "line:column: what".
  const bad: [string, RegExp][] = [
    ["<svg><g></svg>", /^1:14: unexpected close tag/],
    ["<svg>\n<g>\n", /^3:0: unclosed tag: g/],
    ["<svg/><svg/>", /only one root/],
    ["<svg/>text", /text data outside of root node/],
    ["<svg width=10/>", /unquoted attribute value/],
    ['<svg a="1" a="2"/>', /duplicate attribute: a/],
    ['<svg a="x & y"/>', /unexpected end/], // the bare & opens an entity that never ends
    ["<svg>R&D</svg>", /unclosed tag: svg/],
    ["<svg>&nbsp;</svg>", /undefined entity/],
    ["<svg></g></svg>", /unexpected close tag/],
    ["<svg><!-- never closed </svg>", /unclosed tag: svg/],
    ["</svg>", /unmatched closing tag: svg/],
    ["<g/>", /root is <g>, not <svg>/],
  ];
  for (const [text, expected] of bad) assert.match(xmlProblem(text, "svg") ?? "ok", expected, text);
});

Deno.test("executed notebooks: one copy per notebook, every code cell run, no error", async () => {
  await using folder = await temporaryFolder();
  const notebook = (cells: unknown[]) => JSON.stringify({ cells });
  const code = (count: number | null, outputs: unknown[] = []) => ({
    cell_type: "code",
    execution_count: count,
    outputs,
  });
  await Deno.writeTextFile(
    join(folder.path, "00_ok.ipynb"),
    notebook([{ cell_type: "markdown" }, code(1), code(2, [{ output_type: "stream" }])]),
  );
  await Deno.writeTextFile(join(folder.path, "01_cleared.ipynb"), notebook([code(1), code(null)]));
  await Deno.writeTextFile(
    join(folder.path, "02_failed.ipynb"),
    notebook([code(1, [{ output_type: "error", ename: "Error" }])]),
  );
  await Deno.writeTextFile(join(folder.path, "03_bad.ipynb"), "{not json");
  const names = ["00_ok.ipynb", "01_cleared.ipynb", "02_failed.ipynb", "03_bad.ipynb", "04.ipynb"];
  const problems = await executedNotebookProblems(folder.path, names);
  const at = (name: string) => join(folder.path, name);
  assert.deepEqual(problems.map((p) => p.replace(/ \(.*\)$/, "")), [
    `${at("01_cleared.ipynb")}: cell 1 was not executed`,
    `${at("02_failed.ipynb")}: cell 0 ended in an error`,
    `${at("03_bad.ipynb")}: not a notebook`,
    `${at("04.ipynb")}: missing`,
  ]);
});
