import assert from "node:assert/strict";
import { join } from "node:path";
import { writeBeir } from "../lib/datasets/beir.ts";
import { buildData, type BuildEvent } from "../lib/data/build.ts";
import { checkData } from "../lib/data/data_layout.ts";
import { Inputs } from "../lib/data/inputs.ts";
import { qaDataset } from "../lib/data/sources/qa_collection.ts";
import type { BeirSpec, DatasetSpec, PairsSpec, SupervisedSpec } from "../lib/data/spec.ts";

const ANSWER =
  "The shutil module contains a copyfile function that copies the contents of one file to another.";

/** Sources written by the test: a FAQ (eval) and a TSV of pairs (training) with a planted leak. */
async function writeSources(): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(join(dir, "faq"));
  await Deno.writeTextFile(
    join(dir, "faq", "faq.txt"),
    `How do I copy a file?\t${ANSWER}\nHow do I delete a file?\tUse os.remove on the path of the file.\n`,
  );
  await Deno.mkdir(join(dir, "pairs"));
  await Deno.writeTextFile(
    join(dir, "pairs", "pairs.tsv"),
    [
      "apple\tA round fruit of a tree of the rose family.",
      `copying\tOn copying: ${ANSWER}`,
      "pear\tA sweet fruit, narrow at the stalk end.",
    ].join("\n") + "\n",
  );
  return dir;
}

/** Parse `query \t document` lines; a line without a tab throws naming file:line. */
async function readTsv(path: string): Promise<[string, string][]> {
  return (await Deno.readTextFile(path)).split("\n").filter((line) => line !== "").map(
    (line, i) => {
      const [a, b] = line.split("\t");
      if (b === undefined) throw new Error(`${path}:${i + 1}: expected "query\\tdocument"`);
      return [a, b];
    },
  );
}

function specs(sources: string): DatasetSpec[] {
  const faq: BeirSpec = {
    name: "faq",
    kind: "eval",
    description: "test FAQ",
    licence: "test",
    origins: [{ folder: join(sources, "faq") }],
    async build() {
      const rows = await readTsv(join(sources, "faq", "faq.txt"));
      return {
        dataset: qaDataset(
          "faq",
          rows.map(([question, answer], i) => ({ id: String(i), question, answer })),
        ),
        skipped: {},
      };
    },
  };
  const pairs: PairsSpec = {
    name: "fruit",
    kind: "pairs",
    description: "test pairs",
    licence: "test",
    origins: [{ folder: join(sources, "pairs") }],
    async build() {
      const rows = await readTsv(join(sources, "pairs", "pairs.tsv"));
      return {
        records: rows.map(([query, document]) => ({ query, document, group: query })),
        skipped: {},
      };
    },
  };
  return [faq, pairs];
}

function build(dataDir: string, sources: string, events: BuildEvent[] = []) {
  return buildData({
    dataDir,
    specs: specs(sources),
    inputs: new Inputs(join(dataDir, "no-apt-needed")),
    countTokens: (text) => text.split(/\s+/).length,
    tokenizer: "words",
    code: "test",
    onEvent: (event) => events.push(event),
  });
}

async function snapshot(dataDir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (
    const path of [
      "eval/faq/corpus.jsonl",
      "eval/faq/queries.jsonl",
      "eval/faq/qrels/test.tsv",
      "train/pairs/fruit.jsonl",
      "cards/faq.json",
      "cards/fruit.json",
    ]
  ) {
    files[path] = await Deno.readTextFile(join(dataDir, path));
  }
  return files;
}

Deno.test("build writes eval, decontaminated training data, cards and a passed leakage check", async () => {
  const sources = await writeSources();
  const dataDir = await Deno.makeTempDir();
  const cards = await build(dataDir, sources);
  const fruit = cards.find((card) => card.name === "fruit")!;
  assert.deepEqual(fruit.counts, { records: 2, groups: 2 });
  assert.deepEqual(fruit.decontaminated, { faq: 1 });
  assert.deepEqual(fruit.lengths.fields.query, { mean: 1, median: 1, p95: 1, max: 1 });
  const lines = (await Deno.readTextFile(join(dataDir, "train/pairs/fruit.jsonl"))).trim().split(
    "\n",
  );
  assert.deepEqual(lines.map((line) => JSON.parse(line).query), ["apple", "pear"]);
  const faq = cards.find((card) => card.name === "faq")!;
  assert.deepEqual(faq.counts, { corpus: 2, queries: 2, judgments: 2 });
  assert.equal(faq.origins[0].source, "folder");
  const manifest = JSON.parse(await Deno.readTextFile(join(dataDir, "manifest.json")));
  assert.equal(manifest.leakageCheck.leaks, 0);
  assert.deepEqual(Object.keys(manifest.datasets), ["faq", "fruit"]);
  assert.deepEqual((await checkData(dataDir)).stale, {});
});

Deno.test("a second run does nothing; a changed file is found and rebuilt", async () => {
  const sources = await writeSources();
  const dataDir = await Deno.makeTempDir();
  await build(dataDir, sources);
  const before = await snapshot(dataDir);
  const events: BuildEvent[] = [];
  await build(dataDir, sources, events);
  assert.deepEqual(events.map((e) => e.status), ["up to date", "up to date"]);
  assert.deepEqual(await snapshot(dataDir), before);
  await Deno.writeTextFile(join(dataDir, "train/pairs/fruit.jsonl"), "tampered\n");
  assert.deepEqual((await checkData(dataDir)).stale, { fruit: ["train/pairs/fruit.jsonl"] });
  const again: BuildEvent[] = [];
  await build(dataDir, sources, again);
  assert.deepEqual(again.map((e) => `${e.name} ${e.status}`), ["faq up to date", "fruit built"]);
  assert.deepEqual(await snapshot(dataDir), before);
});

Deno.test("--only names a dataset that does not exist: an error listing the known ones, nothing built", async () => {
  const sources = await writeSources();
  const dataDir = await Deno.makeTempDir();
  await assert.rejects(
    () =>
      buildData({
        dataDir,
        specs: specs(sources),
        only: ["faq", "fruits"],
        inputs: new Inputs(join(dataDir, "no-apt-needed")),
        countTokens: (text) => text.split(/\s+/).length,
        tokenizer: "words",
        code: "test",
      }),
    /--only: no dataset named fruits; known: faq, fruit/,
  );
  assert.deepEqual([...Deno.readDirSync(dataDir)], []);
});

Deno.test("builds are byte-identical across folders", async () => {
  const sources = await writeSources();
  const [a, b] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  await build(a, sources);
  await build(b, sources);
  assert.deepEqual(await snapshot(a), await snapshot(b));
});

Deno.test("bad input stops the build naming source file and line, leaving built files intact", async () => {
  const sources = await writeSources();
  const dataDir = await Deno.makeTempDir();
  await build(dataDir, sources);
  const before = await snapshot(dataDir);
  await Deno.writeTextFile(
    join(sources, "pairs", "pairs.tsv"),
    "apple\tA round fruit.\nno tab on this line\n",
  );
  await assert.rejects(build(dataDir, sources), /pairs\.tsv:2: expected "query\\tdocument"/);
  assert.deepEqual(await snapshot(dataDir), before);
  await Deno.remove(join(sources, "faq", "faq.txt"));
  await assert.rejects(build(dataDir, sources), /faq\.txt/);
  assert.deepEqual(await snapshot(dataDir), before);
});

Deno.test("supervised data: train is decontaminated, dev (held out) is written as is", async () => {
  const sources = await writeSources();
  const dataDir = await Deno.makeTempDir();
  const example = (query: string, positive: string) => ({
    query,
    positive,
    negatives: ["x y z"],
    lemma: query,
  });
  const supervised: SupervisedSpec = {
    name: "senses",
    kind: "supervised",
    description: "test supervised",
    licence: "test",
    origins: [],
    build: () =>
      Promise.resolve({
        splits: {
          train: [example("copy", ANSWER), example("pear", "a sweet fruit")],
          dev: [example("copy", ANSWER)],
        },
        skipped: {},
      }),
  };
  const cards = await buildData({
    dataDir,
    specs: [...specs(sources), supervised],
    inputs: new Inputs(join(dataDir, "no-apt-needed")),
    countTokens: (text) => text.split(/\s+/).length,
    tokenizer: "words",
    code: "test",
  });
  const card = cards.find((c) => c.name === "senses")!;
  assert.deepEqual(card.counts, {
    records: 1,
    "withNegatives.train": 1,
    "records.dev": 1,
    "withNegatives.dev": 1,
  });
  assert.deepEqual(card.decontaminated, { faq: 1 });
  assert.deepEqual(card.files.map((f) => f.path), [
    "train/supervised/senses.dev.jsonl",
    "train/supervised/senses.train.jsonl",
  ]);
});

Deno.test("a user's BEIR folder joins the leakage check and the training fingerprints", async () => {
  const sources = await writeSources();
  const dataDir = await Deno.makeTempDir();
  await build(dataDir, sources);
  const userBeir = await Deno.makeTempDir();
  await writeBeir(userBeir, {
    name: "user",
    corpus: new Map([["d", { title: "", text: "A sweet fruit, narrow at the stalk end." }]]),
    queries: new Map([["q", "which fruit is narrow at the stalk"]]),
    qrels: new Map([["q", new Map([["d", 1]])]]),
  });
  const events: BuildEvent[] = [];
  const cards = await buildData({
    dataDir,
    specs: specs(sources),
    inputs: new Inputs(join(dataDir, "no-apt-needed")),
    extraEval: [userBeir],
    countTokens: (text) => text.split(/\s+/).length,
    tokenizer: "words",
    code: "test",
    onEvent: (event) => events.push(event),
  });
  assert.deepEqual(events.map((e) => `${e.name} ${e.status}`), ["faq up to date", "fruit built"]);
  const fruit = cards.find((card) => card.name === "fruit")!;
  assert.equal(fruit.counts.records, 1);
  assert.equal(Object.values(fruit.decontaminated).reduce((a, b) => a + b, 0), 2);
});
