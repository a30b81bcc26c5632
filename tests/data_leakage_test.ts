import assert from "node:assert/strict";
import { join } from "node:path";
import { assertNoLeaks, evaluationTexts, removeLeaks } from "../lib/data/decontaminate.ts";
import { writeJsonl } from "../lib/util/jsonl.ts";
import { findLeaks, LeakageIndex, shingles } from "../lib/data/leakage.ts";
import { seededRandom } from "../lib/util/random.ts";

const VOCABULARY =
  "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon"
    .split(" ");

function randomText(random: () => number, words: number): string {
  return Array.from({ length: words }, () => VOCABULARY[Math.floor(random() * VOCABULARY.length)])
    .join(" ");
}

/** Slow reference: word k-grams as strings, containment by nested loops over both texts. */
function referenceLeaks(
  evalTexts: string[],
  trainTexts: string[],
  k: number,
  threshold: number,
  minShared: number,
) {
  const grams = (text: string) => {
    const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    const result = new Set<string>();
    for (let i = 0; i + k <= words.length; i++) result.add(words.slice(i, i + k).join(" "));
    return [...result];
  };
  const pairs: string[] = [];
  for (const [t, train] of trainTexts.entries()) {
    const trainGrams = grams(train);
    for (const [e, evaluation] of evalTexts.entries()) {
      const evalGrams = grams(evaluation);
      if (evalGrams.length === 0 || trainGrams.length === 0) continue;
      let shared = 0;
      for (const a of evalGrams) for (const b of trainGrams) if (a === b) shared++;
      const smaller = Math.min(evalGrams.length, trainGrams.length);
      if (shared / smaller >= threshold && shared >= Math.min(minShared, smaller)) {
        pairs.push(`${e}:${t}`);
      }
    }
  }
  return pairs.sort();
}

Deno.test("shingles: one per run of k words, case and punctuation ignored", () => {
  assert.equal(shingles("one two three four five six", 5).size, 2);
  assert.equal(shingles("one two three four", 5).size, 0);
  assert.deepEqual(
    shingles("One, two; THREE four five", 5),
    shingles("one two three four five", 5),
  );
});

Deno.test("the index finds exactly the leaks of the slow pairwise reference", () => {
  const random = seededRandom(7);
  const evalTexts = Array.from(
    { length: 30 },
    () => randomText(random, 6 + Math.floor(random() * 20)),
  );
  const trainTexts = Array.from(
    { length: 60 },
    (_, i) =>
      i % 3 === 0
        ? `${randomText(random, 3)} ${evalTexts[i % 30].split(" ").slice(0, 8).join(" ")} ${
          randomText(random, 4)
        }`
        : randomText(random, 5 + Math.floor(random() * 30)),
  );
  const options = { shingleWords: 3, threshold: 0.5, minShared: 3, maxTextsPerShingle: 1000 };
  const index = new LeakageIndex(evalTexts.map((text, i) => ({ id: String(i), text })), options);
  const found = findLeaks(index, trainTexts.map((text, i) => ({ id: String(i), text })))
    .map((leak) => `${leak.evalId}:${leak.trainId}`).sort();
  const expected = referenceLeaks(evalTexts, trainTexts, 3, 0.5, 3);
  assert.ok(expected.length >= 5, `the planted copies make leaks (${expected.length})`);
  assert.deepEqual(found, expected);
});

const FAQ_ANSWER =
  "The shutil module contains a copyfile function that copies the contents of a file to another file without its metadata.";

Deno.test("a planted leak is caught, exact or lightly edited; unrelated and template text is not", () => {
  const index = new LeakageIndex([
    { id: "faq/doc/1", text: FAQ_ANSWER },
    ...Array.from(
      { length: 12 },
      (_, i) => ({ id: `wn/doc/${i}`, text: `of or relating to or characteristic of thing${i}` }),
    ),
  ]);
  assert.deepEqual(index.matches(`Intro words. ${FAQ_ANSWER} Outro.`).map((m) => m.id), [
    "faq/doc/1",
  ]);
  const edited = FAQ_ANSWER.replace("contains", "has").replace("metadata", "its permissions");
  assert.deepEqual(index.matches(edited).map((m) => m.id), ["faq/doc/1"]);
  assert.deepEqual(
    index.matches("The os module lists files in a directory and removes empty folders."),
    [],
  );
  // The template shingles occur in more than 10 evaluation texts: not evidence of a leak.
  assert.deepEqual(index.matches("of or relating to or characteristic of Kashmir"), []);
  assert.deepEqual(
    index.matches("of or relating to or characteristic of thing3").map((m) => m.id),
    ["wn/doc/3"],
  );
});

Deno.test("removeLeaks drops records with leaked text and counts them per evaluation dataset", () => {
  const index = new LeakageIndex(evaluationTexts([{
    name: "faq",
    corpus: new Map([["d1", { title: "", text: FAQ_ANSWER }]]),
    queries: new Map([["q1", "How do I copy a file in Python?"]]),
    qrels: new Map(),
  }]));
  const records = [
    { query: "copy", document: FAQ_ANSWER, group: "a" },
    { query: "How do I copy a file in Python?", document: "unrelated text", group: "b" },
    { query: "move", document: "Rename a file with os.rename.", group: "c" },
  ];
  const { kept, removed } = removeLeaks(records, index);
  assert.deepEqual(kept.map((r) => r.group), ["c"]);
  assert.deepEqual(removed, { faq: 2 });
});

Deno.test("assertNoLeaks fails loudly, naming the training file, line and evaluation text", async () => {
  const dir = await Deno.makeTempDir();
  const index = new LeakageIndex([{ id: "faq/doc/1", text: FAQ_ANSWER }]);
  const clean = join(dir, "clean.jsonl");
  await writeJsonl(clean, [{ query: "a query", document: "a document of no concern", group: "g" }]);
  assert.equal(await assertNoLeaks([{ path: clean, supervised: false }], index), 2);
  const leaky = join(dir, "leaky.jsonl");
  await writeJsonl(leaky, [
    { query: "q", positive: "fine", negatives: [], lemma: "x" },
    { query: "q", positive: "fine", negatives: [`${FAQ_ANSWER}`], lemma: "y" },
  ]);
  await assert.rejects(
    assertNoLeaks([{ path: clean, supervised: false }, { path: leaky, supervised: true }], index),
    /leakage: 1 text\(s\) of .*leaky\.jsonl contain evaluation text, e\.g\. .*leaky\.jsonl:2 shares 100% of its shingles with faq\/doc\/1/,
  );
});
