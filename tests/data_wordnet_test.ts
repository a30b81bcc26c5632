import assert from "node:assert/strict";
import { join } from "node:path";
import { readWordNet, splitGloss } from "../lib/data/sources/wordnet.ts";
import { lemmaSplit, splitWordNet } from "../lib/data/sources/wordnet_splits.ts";

const LICENCE = "  1 This software and database is being provided to you\n";

/** A small WordNet: "bank" has three senses, "depository" shares one with it. */
async function writeWordNet(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const data = LICENCE + [
    `00000001 06 n 01 bank 0 000 | sloping land beside a body of water; "they sat on the bank"`,
    `00000002 06 n 02 bank 1 depository 0 000 | a financial institution that accepts deposits; "he cashed a check at the bank"; "the bank paid interest"`,
    `00000003 06 n 01 river 0 000 | a large natural stream of water`,
  ].join("\n") + "\n";
  await Deno.writeTextFile(join(dir, "data.noun"), data);
  await Deno.writeTextFile(
    join(dir, "data.verb"),
    LICENCE + `00000004 30 v 01 bank 0 000 | tip laterally; "the pilot had to bank the aircraft"\n`,
  );
  await Deno.writeTextFile(
    join(dir, "index.noun"),
    LICENCE +
      "bank n 2 0 2 0 00000002 00000001\ndepository n 1 0 1 0 00000002\nriver n 1 0 1 0 00000003\n",
  );
  await Deno.writeTextFile(join(dir, "index.verb"), LICENCE + "bank v 1 0 1 0 00000004\n");
  for (const pos of ["adj", "adv"]) {
    await Deno.writeTextFile(join(dir, `data.${pos}`), LICENCE);
    await Deno.writeTextFile(join(dir, `index.${pos}`), LICENCE);
  }
  return dir;
}

Deno.test("glosses split into a definition and quoted examples", () => {
  assert.deepEqual(splitGloss('cause to be calm; "The patient must be sedated"; "x y"'), {
    definition: "cause to be calm",
    examples: ["The patient must be sedated", "x y"],
  });
  assert.deepEqual(splitGloss("a plain definition"), {
    definition: "a plain definition",
    examples: [],
  });
});

Deno.test("readWordNet lists a lemma's senses across parts of speech, most frequent first", async () => {
  const wordnet = await readWordNet(await writeWordNet());
  assert.deepEqual(wordnet.senses.get("bank"), ["n00000002", "n00000001", "v00000004"]);
  assert.deepEqual(wordnet.synsets.get("n00000002")!.words, ["bank", "depository"]);
});

Deno.test("bad WordNet lines name the file and line", async () => {
  const dir = await writeWordNet();
  await Deno.writeTextFile(join(dir, "data.verb"), LICENCE + "00000004 30 v zz bank 0 000 | x\n");
  await assert.rejects(readWordNet(dir), /data\.verb:2: not a WordNet data line/);
  const other = await writeWordNet();
  await Deno.writeTextFile(join(other, "index.verb"), LICENCE + "bank v 1 0 1 0 00000009\n");
  await assert.rejects(readWordNet(other), /index\.verb:2: synset v00000009 is not in data\.verb/);
});

Deno.test("splits: hard negatives are the other senses; held-out definitions never reach train", async () => {
  const wordnet = await readWordNet(await writeWordNet());
  // With everything in train: "bank" -> each sense, the two others as negatives.
  const all = splitWordNet(wordnet, { heldOutShare: 0 });
  const lemmaRecord = all.train.find((r) =>
    r.query === "bank" && r.positive.startsWith("a financial")
  )!;
  assert.deepEqual(lemmaRecord.negatives, ["sloping land beside a body of water", "tip laterally"]);
  const example = all.train.find((r) => r.query === "the bank paid interest")!;
  assert.equal(example.positive, "a financial institution that accepts deposits");
  assert.equal(all.testBeir.corpus.size, 0);
  // Find a seed that puts "depository" in test: its synset (shared with "bank") must leave train.
  const seed = [...Array(500).keys()].find((s) =>
    lemmaSplit("depository", { heldOutShare: 0.3, seed: s }) === "test" &&
    lemmaSplit("bank", { heldOutShare: 0.3, seed: s }) === "train"
  )!;
  const split = splitWordNet(wordnet, { heldOutShare: 0.3, seed });
  const held = "a financial institution that accepts deposits";
  for (const record of split.train) {
    assert.notEqual(record.positive, held);
    assert.ok(!record.negatives.includes(held));
  }
  assert.deepEqual([...split.testBeir.corpus.keys()], ["n00000002"]);
  assert.deepEqual([...split.testBeir.qrels.get("lemma:depository")!], [["n00000002", 1]]);
  assert.deepEqual([...split.testBeir.qrels.get("example:n00000002:1")!], [["n00000002", 1]]);
});
