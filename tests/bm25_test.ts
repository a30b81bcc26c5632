import assert from "node:assert/strict";
import { analyze, Bm25Index, bm25Retriever, documentText } from "../lib/retrieval/bm25.ts";

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`);

/** BM25 straight from the formula: rescans every document for every term. */
function bruteForceScores(documents: [string, string][], query: string, k1 = 1.2, b = 0.75) {
  const tokenized = documents.map(([, text]) => analyze(text));
  const averageLength = tokenized.reduce((sum, tokens) => sum + tokens.length, 0) /
    documents.length;
  const scores = new Map<string, number>();
  tokenized.forEach((tokens, d) => {
    let score = 0;
    let matched = false;
    for (const term of analyze(query)) {
      const tf = tokens.filter((token) => token === term).length;
      if (tf === 0) continue;
      const df = tokenized.filter((other) => other.includes(term)).length;
      const idf = Math.log(1 + (documents.length - df + 0.5) / (df + 0.5));
      score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * tokens.length) / averageLength));
      matched = true;
    }
    if (matched) scores.set(documents[d][0], score);
  });
  // Score descending, then id descending (trec_eval's order).
  return [...scores].sort(([a, x], [b, y]) => y - x || (a < b ? 1 : a > b ? -1 : 0));
}

Deno.test("analyze lowercases, splits on non-alphanumerics, drops stopwords, keeps accents", () => {
  assert.deepEqual(analyze("The Cat's-Pyjamas, in 42x café!"), [
    "cat",
    "s",
    "pyjamas",
    "42x",
    "café",
  ]);
  // A decomposed "é" (e + combining accent) is the same token as the precomposed one.
  assert.deepEqual(analyze("Cafe\u0301 ÅNGSTRÖM"), ["café", "ångström"]);
  assert.deepEqual(analyze("to be or not to be"), []);
});

Deno.test("BM25 matches hand-computed scores on a three-document corpus", () => {
  const index = Bm25Index.build([["d1", "cats purr"], ["d2", "dogs bark at cats"], [
    "d3",
    "the dog sleeps",
  ]]);
  // |d1| = 2, |d2| = 3 ("at" is a stopword), |d3| = 2, so avgdl = 7/3; "cats" is in 2 of 3.
  const idf = Math.log(1 + (3 - 2 + 0.5) / (2 + 0.5));
  close(index.idf("cats"), idf);
  close(index.idf("unseen"), Math.log(1 + 3.5 / 0.5));
  const [first, second, ...rest] = index.search("purring cats", 10);
  assert.equal(rest.length, 0);
  assert.equal(first.id, "d1");
  close(first.score, (idf * 2.2) / (1 + 1.2 * (0.25 + (0.75 * 2) / (7 / 3))));
  assert.equal(second.id, "d2");
  close(second.score, (idf * 2.2) / (1 + 1.2 * (0.25 + (0.75 * 3) / (7 / 3))));
  assert.deepEqual(index.search("the and of", 10), []);
});

Deno.test("the doc-comment example holds", () => {
  const index = Bm25Index.build([["d1", "cats purr"], ["d2", "dogs bark at cats"]]);
  const results = index.search("purring cats", 10).map(({ id, score }) => [id, score.toFixed(4)]);
  assert.deepEqual(results, [["d1", "0.1986"], ["d2", "0.1685"]]);
});

Deno.test("the inverted index ranks exactly like brute-force BM25, ties and cut-offs included", () => {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const vocabulary = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "the"];
  const documents: [string, string][] = Array.from({ length: 60 }, (_, i) => {
    const length = 1 + Math.floor(random() * 12);
    const words = Array.from(
      { length },
      () => vocabulary[Math.floor(random() ** 2 * vocabulary.length)],
    );
    return [`doc${i}`, words.join(" ")];
  });
  documents.push(["twinA", "theta theta eta"], ["twinB", "theta theta eta"]); // exact ties
  const options = { k1: 0.9, b: 0.4 };
  const index = Bm25Index.build(documents, options);
  const queries = [
    "alpha",
    "theta eta",
    "gamma gamma beta",
    "zeta unknown",
    "the",
    "eta theta delta",
  ];
  for (const query of queries) {
    const expected = bruteForceScores(documents, query, options.k1, options.b);
    for (const k of [1, 5, 100]) {
      const actual = index.search(query, k);
      assert.deepEqual(
        actual.map(({ id }) => id),
        expected.slice(0, k).map(([id]) => id),
        `${query} @${k}`,
      );
      actual.forEach(({ score }, i) => close(score, expected[i][1]));
    }
  }
  const twins = index.search("theta eta", 100).map(({ id }) => id).filter((id) =>
    id.startsWith("twin")
  );
  assert.deepEqual(twins, ["twinB", "twinA"]);
});

Deno.test("bm25Retriever indexes title and text and returns at most k documents per query", async () => {
  const corpus = new Map([
    ["a", { title: "Library catalogues", text: "Cards and drawers." }],
    ["b", { title: "", text: "Online catalogues replace cards." }],
    ["c", { title: "Weather", text: "Rain today." }],
  ]);
  assert.equal(documentText(corpus.get("a")!), "Library catalogues Cards and drawers.");
  const retriever = bm25Retriever(corpus);
  assert.deepEqual(retriever.index.ids, ["a", "b", "c"]);
  const run = await retriever.search(new Map([["q1", "library"], ["q2", "catalogues cards"]]), 1);
  assert.deepEqual([...run.get("q1")!.keys()], ["a"]);
  assert.equal(run.get("q2")!.size, 1);
});
