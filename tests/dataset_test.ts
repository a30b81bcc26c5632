import assert from "node:assert/strict";
import { join } from "node:path";
import { writeBeir } from "../lib/datasets/beir.ts";
import { readDataset } from "../lib/datasets/dataset.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const tiny = {
  name: "tiny",
  corpus: new Map([["d1", { title: "", text: "alpha" }]]),
  queries: new Map([["q1", "alpha"]]),
  qrels: new Map([["q1", new Map([["d1", 1]])]]),
};

Deno.test("readDataset recognises a BEIR folder and a SMART folder", async () => {
  await using beir = await temporaryFolder();
  await writeBeir(beir.path, tiny);
  assert.deepEqual((await readDataset(beir.path)).qrels, tiny.qrels);

  await using folder = await temporaryFolder();
  const smart = folder.path;
  await Deno.writeTextFile(join(smart, "X.ALL"), ".I d1\n.W\nalpha\n");
  await Deno.writeTextFile(join(smart, "X.QRY"), ".I q1\n.W\nalpha\n");
  await Deno.writeTextFile(join(smart, "X.REL"), "q1 d1 0 0.0\n");
  const dataset = await readDataset(smart);
  assert.deepEqual(dataset.corpus, tiny.corpus);
  assert.deepEqual(dataset.qrels, tiny.qrels);
  await assert.rejects(
    readDataset(smart, { split: "dev" }),
    /a SMART collection has no "dev" split/,
  );
});

Deno.test("readDataset says what it expected when the folder is neither", async () => {
  await using folder = await temporaryFolder();
  const empty = folder.path;
  await assert.rejects(readDataset(empty), /neither a BEIR folder \(corpus\.jsonl\) nor SMART/);
  await assert.rejects(readDataset(join(empty, "missing")), /missing: not a folder/);
  await Deno.writeTextFile(join(empty, "file.txt"), "x");
  await assert.rejects(readDataset(join(empty, "file.txt")), /file\.txt: not a folder/);
});
