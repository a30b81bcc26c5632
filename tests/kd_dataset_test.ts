import assert from "node:assert/strict";
import { join } from "node:path";
import type { Corpus } from "../lib/datasets/beir.ts";
import type { Retriever } from "../lib/retrieval/evaluate.ts";
import {
  buildKdDataset,
  type KdRecord,
  readKdDataset,
  teacherQuality,
  type TeacherScorer,
  writeKdDataset,
} from "../lib/datasets/kd_dataset.ts";
import type { LabelledQuery } from "../lib/retrieval/mining.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const CORPUS: Corpus = new Map(
  Object.entries({
    d1: "cats purr softly",
    d2: "dogs bark loudly",
    d3: "cats chase mice",
    d4: "birds sing at dawn",
    d5: "fish swim in rivers",
    d6: "cats and dogs play",
    d7: "the engine started",
    d8: "rivers flow to the sea",
  }).map(([id, text]) => [id, { title: "", text }]),
);

// BM25 on "cats" ties d1, d3, d6 (3 analyzed tokens each, ties to the larger id); "rivers"
// finds d5 and d8 but not the labelled positive d4; "dogs bark" finds d2, then d6.
const QUERIES: LabelledQuery[] = [
  { id: "q1", text: "cats", positive: "d1" },
  { id: "q2", text: "rivers", positive: "d4" },
  { id: "q3", text: "dogs bark", positive: "d2" },
];

const words = (text: string) => new Set(text.toLowerCase().split(" "));

/** A stand-in teacher: how many of the query's words the document holds. */
const overlapTeacher: TeacherScorer = (query, documents) =>
  Promise.resolve(
    documents.map((text) => [...words(query)].filter((w) => words(text).has(w)).length),
  );

Deno.test("candidates: positive first, then the first stage's order, then seeded random fill", async () => {
  const lines: string[] = [];
  const options = {
    teacher: overlapTeacher,
    candidates: 4,
    onProgress: (line: string) => lines.push(line),
    progressIntervalMs: 0,
  };
  const dataset = await buildKdDataset(QUERIES, CORPUS, options);
  const [q1, q2, q3] = dataset.records;
  assert.deepEqual(q1.documentIds.slice(0, 3), ["d1", "d6", "d3"]);
  assert.deepEqual(q2.documentIds.slice(0, 3), ["d4", "d8", "d5"]);
  assert.deepEqual(q3.documentIds.slice(0, 2), ["d2", "d6"]);
  assert.equal(dataset.firstStageRecall, 2 / 3);
  assert.equal(dataset.randomFilled, 1 + 1 + 2);
  for (const record of dataset.records) {
    assert.equal(new Set(record.documentIds).size, 4);
    assert.ok(record.documentIds.every((id) => CORPUS.has(id)));
    const texts = record.documentIds.map((id) => CORPUS.get(id)!.text);
    assert.deepEqual(record.scores, await overlapTeacher(record.query, texts));
  }
  assert.deepEqual(q3.scores.slice(0, 2), [2, 1]);
  assert.deepEqual(await buildKdDataset(QUERIES, CORPUS, options), dataset, "deterministic");
  assert.equal(lines.length, 3 * 2);
  assert.match(lines[2], /^kd dataset \| 3\/3 queries \| [\d.]+ queries\/s \| 0s left$/);
});

Deno.test("any retriever can be the first stage", async () => {
  const fixed: Retriever = {
    name: "fixed",
    search: (queries) =>
      Promise.resolve(
        new Map([...queries.keys()].map((id) => [id, new Map([["d8", 0.5], ["d7", 1]])])),
      ),
  };
  const dataset = await buildKdDataset(QUERIES.slice(0, 1), CORPUS, {
    teacher: overlapTeacher,
    firstStage: fixed,
    candidates: 3,
    onProgress: () => {},
  });
  assert.deepEqual(dataset.records[0].documentIds, ["d1", "d7", "d8"]);
  assert.equal(dataset.randomFilled, 0);
  assert.equal(dataset.firstStageRecall, 0);
});

Deno.test("building rejects a bad teacher, an unknown positive and a corpus too small", async () => {
  const build = (queries: LabelledQuery[], teacher: TeacherScorer, candidates = 4) =>
    buildKdDataset(queries, CORPUS, { teacher, candidates, onProgress: () => {} });
  await assert.rejects(
    build(QUERIES, (_, documents) => Promise.resolve(documents.map(() => NaN))),
    /teacher scores of query "q1": score 0 is NaN, not finite/,
  );
  await assert.rejects(
    build(QUERIES, () => Promise.resolve([1, 2])),
    /query "q1".*expected 4 document ids and scores, found 4 ids and 2 scores/,
  );
  await assert.rejects(
    build([{ id: "q9", text: "cats", positive: "d99" }], overlapTeacher),
    /query "q9" has unknown positive "d99"/,
  );
  await assert.rejects(build(QUERIES, overlapTeacher, 9), /9 candidates .* 8 documents/);
  await assert.rejects(
    build([QUERIES[0], QUERIES[0]], overlapTeacher),
    /query "q1": query id "q1" repeats teacher scores of query "q1"/,
  );
});

const RECORD: KdRecord = {
  queryId: "q1",
  query: "cats",
  documentIds: ["d1", "d2", "d3", "d4"],
  scores: [3, 1, 2, 0],
};

Deno.test("KD files round-trip, and the writer refuses what the reader would", async () => {
  await using folder = await temporaryFolder();
  const path = join(folder.path, "kd.jsonl");
  const records = [RECORD, { ...RECORD, queryId: "q2", scores: [0.5, -1.25, 7, 1e-3] }];
  await writeKdDataset(path, records, { candidates: 4, corpus: CORPUS });
  assert.deepEqual(await readKdDataset(path, { candidates: 4, corpus: CORPUS }), records);
  await assert.rejects(
    writeKdDataset(path, [{ ...RECORD, scores: [1, NaN, 2, 3] }], { candidates: 4 }),
    /kd\.jsonl: record 1: score 1 is NaN, not finite/,
  );
  await assert.rejects(
    writeKdDataset(path, [RECORD, RECORD], { candidates: 4 }),
    /kd\.jsonl: record 2: query id "q1" repeats .*kd\.jsonl: record 1/,
  );
  assert.deepEqual(await readKdDataset(path, { candidates: 4 }), records, "file left intact");
});

Deno.test("the reader names the file and line of every malformed record", async () => {
  await using folder = await temporaryFolder();
  const good = JSON.stringify(RECORD);
  const cases: [string, RegExp, Corpus?][] = [
    [
      JSON.stringify({ ...RECORD, documentIds: ["d1", "d2", "d3"] }),
      /expected 4 document ids and scores, found 3 ids and 4 scores/,
    ],
    [good.replace('"scores":[3,', '"scores":[1e999,'), /score 0 is Infinity, not finite/],
    [
      JSON.stringify({ ...RECORD, scores: [3, null, 2, 0] }),
      /"scores" must be an array of numbers/,
    ],
    [JSON.stringify({ ...RECORD, documentIds: ["d1", "d2", "d1", "d4"] }), /"d1" appears twice/],
    [
      JSON.stringify({ ...RECORD, documentIds: ["d1", "d2", "zz", "d4"] }),
      /unknown document id "zz"/,
      CORPUS,
    ],
    [JSON.stringify({ ...RECORD, queryId: "" }), /"queryId" must be a non-empty string/],
    [good, /query id "q1" repeats .*kd\.jsonl:1/],
    ["{not json", /bad JSON/],
  ];
  for (const [line, error, corpus] of cases) {
    const path = join(folder.path, "kd.jsonl");
    await Deno.writeTextFile(path, `${good}\n\n${line}\n`);
    await assert.rejects(readKdDataset(path, { candidates: 4, corpus }), (e: Error) => {
      assert.ok(e.message.startsWith(`${path}:3: `), e.message);
      assert.match(e.message, error);
      return true;
    });
  }
  // Ids unknown to a corpus are fine when no corpus is given.
  const path = join(folder.path, "loose.jsonl");
  await Deno.writeTextFile(
    path,
    JSON.stringify({ ...RECORD, documentIds: ["a", "b", "c", "d"] }) + "\n",
  );
  assert.equal((await readKdDataset(path, { candidates: 4 })).length, 1);
  await assert.rejects(readKdDataset(path), /expected 32 document ids/);
});

Deno.test("teacher quality: positive-on-top rate and MRR, ties counted against the positive", () => {
  const records = [
    RECORD, // positive 3 beats 1, 2, 0: rank 1
    { ...RECORD, queryId: "q2", scores: [1, 2, 0, 0] }, // rank 2
    { ...RECORD, queryId: "q3", scores: [1, 1, 1, 1] }, // a constant teacher: rank 4
  ];
  assert.deepEqual(teacherQuality(records), {
    queries: 3,
    positiveTop: 1 / 3,
    mrr: (1 + 1 / 2 + 1 / 4) / 3,
  });
  assert.throws(() => teacherQuality([]), /no records/);
});
