import assert from "node:assert/strict";
import { join } from "node:path";
import { type BeirDataset, readBeir, writeBeir } from "../lib/datasets/beir.ts";
import { evaluateRun } from "../lib/retrieval/metrics.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const dataset: BeirDataset = {
  name: "tiny",
  corpus: new Map([
    ["d1", { title: "Dewey", text: 'A history of the "DDC"\nin two lines.' }],
    ["d2", { title: "", text: "Ünïcödé text, tabs\tand all." }],
    ["d3", { title: "Unjudged", text: "Never judged." }],
  ]),
  queries: new Map([["q1", "history of classification"], ["q2", "unicode"], [
    "q3",
    "no judgments",
  ]]),
  qrels: new Map([["q1", new Map([["d1", 2], ["d3", 0]])], ["q2", new Map([["d2", 1]])]]),
};

/** A folder holding `dataset` with one file replaced by `text`. */
async function folderWith(file: string, text: string) {
  const folder = await temporaryFolder();
  await writeBeir(folder.path, dataset);
  await Deno.writeTextFile(join(folder.path, file), text);
  return folder;
}

const CORPUS = "corpus.jsonl";
const QRELS = join("qrels", "test.tsv");
const HEADER = "query-id\tcorpus-id\tscore\n";

Deno.test("writeBeir then readBeir gives the same dataset back, queries without qrels kept", async () => {
  await using folder = await temporaryFolder();
  await writeBeir(folder.path, dataset, { split: "dev" });
  const back = await readBeir(folder.path, { split: "dev" });
  assert.deepEqual(back.corpus, dataset.corpus);
  assert.deepEqual(back.queries, dataset.queries);
  assert.deepEqual(back.qrels, dataset.qrels);
  const files = [...Deno.readDirSync(folder.path)].map((entry) => entry.name).sort();
  assert.deepEqual(files, ["corpus.jsonl", "qrels", "queries.jsonl"]); // no temporary leftovers
  assert.equal(
    Deno.readTextFileSync(join(folder.path, "qrels", "dev.tsv")).split("\n")[0],
    HEADER.trim(),
  );
});

Deno.test("readBeir tolerates CRLF, blank lines and a missing or null title", async () => {
  await using folder = await folderWith(
    CORPUS,
    '{"_id":"d1","text":"a"}\r\n\r\n{"_id":"d2","title":"T","text":"b"}\r\n{"_id":"d3","title":null,"text":"c"}',
  );
  await Deno.writeTextFile(join(folder.path, "queries.jsonl"), '{"_id":"q1","text":"x"}\n');
  await Deno.writeTextFile(join(folder.path, QRELS), `${HEADER}q1\td2\t1\r\n\n`);
  const back = await readBeir(folder.path);
  assert.deepEqual(back.corpus.get("d1"), { title: "", text: "a" });
  assert.deepEqual(back.corpus.get("d3"), { title: "", text: "c" });
  assert.deepEqual(back.qrels, new Map([["q1", new Map([["d2", 1]])]]));
});

const malformed: [string, string, RegExp][] = [
  [CORPUS, '{"_id":"d1","text":"a"}\n\n{"_id": "d2", "text": }\n', /corpus\.jsonl:3: bad JSON/],
  [CORPUS, '["d1", "a"]\n', /corpus\.jsonl:1: expected a JSON object/],
  [CORPUS, '{"text":"a"}\n', /corpus\.jsonl:1: missing "_id"/],
  [CORPUS, '{"_id":7,"text":"a"}\n', /corpus\.jsonl:1: "_id" must be a string/],
  [CORPUS, '{"_id":"d1","title":5,"text":"a"}\n', /corpus\.jsonl:1: "title" must be a string/],
  [
    CORPUS,
    '{"_id":"d1","text":"a"}\n{"_id":"d1","text":"b"}\n',
    /corpus\.jsonl:2: duplicate document _id "d1"/,
  ],
  ["queries.jsonl", '{"_id":"q1"}\n', /queries\.jsonl:1: missing "text"/],
  [
    "queries.jsonl",
    '{"_id":"q1","text":"a"}\n{"_id":"q1","text":"b"}\n',
    /queries\.jsonl:2: duplicate query/,
  ],
  [QRELS, "q1\td1\t1\n", /test\.tsv:1: expected header/],
  [QRELS, "", /test\.tsv:1: expected header .* found an empty file/],
  [QRELS, `${HEADER}q1\td1\n`, /test\.tsv:2: expected 3 tab-separated columns, found 2/],
  [QRELS, `${HEADER}q1 d1 1\n`, /test\.tsv:2: expected 3 tab-separated columns, found 1/],
  [QRELS, `${HEADER}q1\td1\trelevant\n`, /test\.tsv:2: score "relevant" is not an integer/],
  [QRELS, `${HEADER}q1\td1\t0.5\n`, /test\.tsv:2: score "0.5" is not an integer/],
  [QRELS, `${HEADER}q1\td1\t\n`, /test\.tsv:2: score "" is not an integer/],
  [QRELS, `${HEADER}q1\td1\t1\nq1\td1\t2\n`, /test\.tsv:3: repeated judgment for \(q1, d1\)/],
];

Deno.test("malformed files fail with the file, the line and what is wrong", async () => {
  for (const [file, text, message] of malformed) {
    await using folder = await folderWith(file, text);
    await assert.rejects(
      readBeir(folder.path, { onWarning: () => {} }),
      message,
      `${file}: ${JSON.stringify(text)}`,
    );
  }
});

Deno.test("a missing split names the file and the splits that exist", async () => {
  await using folder = await folderWith(QRELS, HEADER);
  await assert.rejects(
    readBeir(folder.path, { split: "dev" }),
    /qrels\/dev\.tsv: file not found \(qrels splits present: test\)/,
  );
  await Deno.remove(join(folder.path, CORPUS));
  await assert.rejects(readBeir(folder.path), /corpus\.jsonl: file not found$/);
});

Deno.test("judgments naming unknown queries or documents are dropped with one counted warning", async () => {
  await using folder = await folderWith(
    QRELS,
    `${HEADER}q1\td1\t1\nq9\td1\t1\nq1\tgone\t2\nq8\tgone\t1\n`,
  );
  const warnings: string[] = [];
  const back = await readBeir(folder.path, { onWarning: (message) => warnings.push(message) });
  assert.deepEqual(back.qrels, new Map([["q1", new Map([["d1", 1]])]]));
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0],
    /test\.tsv: dropped 3 judgment\(s\) naming 2 unknown query id\(s\) \(e\.g\. "q9", "q8"\)/,
  );
  assert.match(warnings[0], /1 unknown document id\(s\) \(e\.g\. "gone"\)/);
});

Deno.test("writeBeir refuses ids that would break the TSV and non-integer grades", async () => {
  await using folder = await temporaryFolder();
  const tabbed = { ...dataset, qrels: new Map([["q\t1", new Map([["d1", 1]])]]) };
  await assert.rejects(writeBeir(folder.path, tabbed), /tab or newline/);
  const fractional = { ...dataset, qrels: new Map([["q1", new Map([["d1", 0.5]])]]) };
  await assert.rejects(writeBeir(folder.path, fractional), /not an integer/);
});

Deno.test("readBeir keeps a negative grade (BEIR's Touché qrels hold -2); metrics count it as 0", async () => {
  await using folder = await folderWith(QRELS, `${HEADER}q1\td1\t-2\nq1\td3\t1\n`);
  const back = await readBeir(folder.path);
  assert.deepEqual(back.qrels, new Map([["q1", new Map([["d1", -2], ["d3", 1]])]]));
  // d1 (grade -2) ranked above d3: pytrec_eval's ndcg_cut_10 is 1 / log2(3) = 0.6309297535714575.
  const run = new Map([["q1", new Map([["d1", 2], ["d3", 1]])]]);
  const ndcg = evaluateRun(run, back.qrels, ["ndcg@10"]).mean["ndcg@10"];
  assert.ok(Math.abs(ndcg - 0.6309297535714575) < 1e-12, `${ndcg}`);
});
