import assert from "node:assert/strict";
import { join } from "node:path";
import {
  checkTable,
  formatMeanSpread,
  readTable,
  type Table,
  tableToCsv,
  tableToMarkdown,
  writeTable,
} from "../lib/results/table.ts";
import { temporaryFolder } from "./temporary_folder.ts";

/** A table using every column kind, groups, an optional empty cell and awkward text. */
function sample(): Table {
  return {
    name: "setup_cost",
    title: "Setup | cost",
    columns: [
      { key: "phase", header: "phase", kind: "text" },
      { key: "batch", header: "batch", kind: "integer" },
      { key: "flops", header: "FLOPs", kind: "scientific", digits: 1 },
      { key: "ndcg", header: "nDCG@10", kind: "meanSpread", digits: 3 },
      { key: "paper", header: "paper", kind: "number", digits: 2, optional: true },
    ],
    rows: [
      {
        group: "dense",
        cells: {
          phase: 'unsupervised, "big"',
          batch: 16384,
          flops: 1.25e15,
          ndcg: { mean: 0.41234, std: 0.0042, n: 3 },
          paper: 47.05,
        },
      },
      {
        group: "dense",
        cells: {
          phase: "a|b\nc",
          batch: 64,
          flops: 2e12,
          ndcg: { mean: 0.5, std: null, n: 1 },
          paper: null,
        },
      },
      {
        group: "multi-vector",
        cells: {
          phase: "KD",
          batch: 128,
          flops: 3e11,
          ndcg: { mean: 0.55, std: 0, n: 2 },
          paper: 55.43,
        },
      },
    ],
    notes: ["± is the sample standard deviation over seeds."],
  };
}

Deno.test("Markdown: heading, right-aligned numbers, bold group rows, escaped pipes, notes", () => {
  assert.equal(
    tableToMarkdown(sample()),
    [
      "### Setup \\| cost",
      "",
      "| phase | batch | FLOPs | nDCG@10 | paper |",
      "| --- | ---: | ---: | ---: | ---: |",
      "| **dense** |  |  |  |  |",
      '| unsupervised, "big" | 16,384 | 1.3e+15 | 0.412 ± 0.004 | 47.05 |',
      "| a\\|b c | 64 | 2.0e+12 | 0.500 | — |",
      "| **multi-vector** |  |  |  |  |",
      "| KD | 128 | 3.0e+11 | 0.550 ± 0.000 | 55.43 |",
      "",
      "± is the sample standard deviation over seeds.",
      "",
    ].join("\n"),
  );
});

Deno.test("CSV: RFC 4180 quoting, CRLF, a group column, spreads split into mean and std", () => {
  assert.equal(
    tableToCsv(sample()),
    "group,phase,batch,FLOPs,nDCG@10 mean,nDCG@10 std,paper\r\n" +
      'dense,"unsupervised, ""big""",16384,1250000000000000,0.41234,0.0042,47.05\r\n' +
      'dense,"a|b\nc",64,2000000000000,0.5,,\r\n' +
      "multi-vector,KD,128,300000000000,0.55,0,55.43\r\n",
  );
  const ungrouped = sample();
  for (const row of ungrouped.rows) delete row.group;
  assert.match(tableToCsv(ungrouped), /^phase,batch,/);
});

Deno.test("mean ± spread formatting", () => {
  assert.equal(formatMeanSpread({ mean: 0.51234, std: 0.0049, n: 3 }, 3), "0.512 ± 0.005");
  assert.equal(formatMeanSpread({ mean: 0.5, std: null, n: 1 }), "0.50");
});

Deno.test("malformed tables are rejected with the row and column named", () => {
  const broken = (edit: (table: Table) => void) => {
    const table = sample();
    edit(table);
    return () => checkTable(table);
  };
  assert.throws(broken((t) => (t.rows[1].cells.batch = NaN)), /row 2, column "batch": .*NaN/);
  assert.throws(broken((t) => (t.rows[0].cells.flops = Infinity)), /row 1, column "FLOPs"/);
  assert.throws(broken((t) => delete t.rows[2].cells.phase), /row 3, column "phase": missing/);
  assert.throws(broken((t) => (t.rows[0].cells.batch = null)), /empty in a required column/);
  assert.throws(broken((t) => (t.rows[0].cells.batch = 1.5)), /not an integer/);
  assert.throws(broken((t) => (t.rows[0].cells.batch = "12")), /expected a finite number/);
  assert.throws(broken((t) => (t.rows[0].cells.extra = 1)), /unknown columns extra/);
  assert.throws(
    broken((t) => (t.rows[0].cells.ndcg = { mean: 0.4, std: null, n: 3 })),
    /std is null for n = 3/,
  );
  assert.throws(broken((t) => (t.rows[0].cells.ndcg = { mean: NaN, std: 0, n: 2 })), /mean is NaN/);
  assert.throws(broken((t) => (t.name = "Setup Cost")), /name "Setup Cost"/);
  assert.throws(broken((t) => (t.columns[1].header = "phase")), /header "phase" .*repeated/);
  assert.throws(broken((t) => (t.rows = [])), /no rows/);
});

Deno.test("writeTable writes md, csv and json that read back to the same table", async () => {
  await using folder = await temporaryFolder();
  const paths = await writeTable(join(folder.path, "results"), sample());
  assert.deepEqual(paths.map((p) => p.slice(folder.path.length)), [
    "/results/setup_cost.md",
    "/results/setup_cost.csv",
    "/results/setup_cost.json",
  ]);
  assert.equal(await Deno.readTextFile(paths[1]), tableToCsv(sample()));
  assert.deepEqual(await readTable(paths[2]), sample());
  // Nothing is written when the table is malformed.
  const bad = { ...sample(), name: "bad" };
  bad.rows[0].cells.paper = NaN;
  await assert.rejects(writeTable(folder.path, bad), /table "bad": row 1/);
  await assert.rejects(Deno.stat(join(folder.path, "bad.json")), Deno.errors.NotFound);
  await Deno.writeTextFile(join(folder.path, "x.json"), "{ not json");
  await assert.rejects(readTable(join(folder.path, "x.json")), /x\.json: cannot read the table/);
});
