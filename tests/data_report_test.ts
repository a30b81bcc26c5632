import assert from "node:assert/strict";
import { join } from "node:path";
import { writeBeir } from "../lib/datasets/beir.ts";
import type { DataCard } from "../lib/data/data_card.ts";
import { examplesTable, histogram, mixtureTable, suiteResultsTable } from "../lib/data/report.ts";
import { evaluateSuite, suiteFolders } from "../lib/data/suite.ts";
import type { Retriever } from "../lib/retrieval/evaluate.ts";

function card(name: string, records: number): DataCard {
  const stats = (mean: number) => ({ mean, median: mean, p95: mean, max: mean });
  return {
    name,
    kind: "pairs",
    description: "",
    licence: "MIT",
    origins: [],
    counts: { records },
    lengths: { tokenizer: "t", sample: 10, fields: { query: stats(3), document: stats(40) } },
    skipped: {},
    decontaminated: {},
    files: [],
    fingerprint: "",
  };
}

Deno.test("the mixture table gives each source its share of batches", () => {
  const table = mixtureTable([card("a", 300), card("b", 100)]);
  assert.match(table, /\| a \| 300 \| 75\.0% \| 3 \| 40 \| MIT \|/);
  assert.match(table, /\| b \| 100 \| 25\.0% \|/);
  assert.match(table, /\| \*\*total\*\* \| 400 \|/);
});

Deno.test("histogram bins by width with an open last bin; examples are cut and escaped", () => {
  assert.deepEqual(histogram([0, 15, 16, 31, 32, 100], { width: 16, max: 48 }), [2, 2, 1, 1]);
  const table = examplesTable("x", [{ query: "a|b", document: "c".repeat(10) }], 4);
  assert.match(table, /\| a\\\|b \| cccc… \|/);
});

Deno.test("the suite scores each dataset alone and averages them, as BEIR does", async () => {
  const dataDir = await Deno.makeTempDir();
  const dataset = (name: string) => ({
    name,
    corpus: new Map([["d1", { title: "", text: "one" }], ["d2", { title: "", text: "two" }]]),
    queries: new Map([["q1", "one"], ["q2", "two"]]),
    qrels: new Map([["q1", new Map([["d1", 1]])], ["q2", new Map([["d2", 1]])]]),
  });
  await writeBeir(join(dataDir, "eval", "b"), dataset("b"));
  await writeBeir(join(dataDir, "eval", "a"), dataset("a"));
  // Always ranks d1 first: q1 gets nDCG@10 = 1, q2 (d2 at rank 2) 1/log2(3).
  const retriever: Retriever = {
    name: "fixed",
    search: (queries) =>
      Promise.resolve(
        new Map([...queries.keys()].map((id) => [id, new Map([["d1", 2], ["d2", 1]])])),
      ),
  };
  const suite = await suiteFolders(dataDir);
  assert.deepEqual(suite.map((s) => s.name), ["a", "b"]);
  const rows = await evaluateSuite(suite, () => retriever);
  const expected = (1 + 1 / Math.log2(3)) / 2;
  assert.deepEqual(rows.map((r) => r.dataset), ["a", "b", "average"]);
  for (const row of rows) assert.ok(Math.abs(row["ndcg@10"] - expected) < 1e-12);
  assert.equal(rows[2].queries, 4);
  assert.match(suiteResultsTable("fixed", rows), /\| average \| 4 \| 81\.55 \|/);
  await assert.rejects(
    suiteFolders(join(dataDir, "none")),
    /eval: folder not found; run `deno task data`/,
  );
});
