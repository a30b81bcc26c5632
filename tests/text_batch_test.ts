import assert from "node:assert/strict";
import {
  exactMatchFlags,
  packRows,
  pairBatch,
  plainBatch,
  singleSequence,
} from "../lib/models/text_batch.ts";
import { loadBertTokenizer } from "../lib/models/tokenizer.ts";

const tokenizer = await loadBertTokenizer();
const id = (token: string) => tokenizer.tokenToId(token)!;

Deno.test("packRows pads to the longest row and writes both masks", () => {
  const batch = packRows([[5, 6, 7], [8]], { padId: 0 });
  assert.equal(batch.batchSize, 2);
  assert.equal(batch.length, 3);
  assert.deepEqual([...batch.inputIds], [5, 6, 7, 8, 0, 0]);
  assert.deepEqual([...batch.attentionMask], [1, 1, 1, 1, 0, 0]);
  assert.deepEqual([...batch.scoringMask], [1, 1, 1, 1, 0, 0]);
  assert.equal(batch.tokenTypeIds, undefined);
});

Deno.test("packRows: fixed length, skipped ids, attended and scored padding, type ids", () => {
  const batch = packRows([[5, 6], [7]], {
    padId: 9,
    length: 4,
    skipIds: new Set([6]),
    attendToPadding: true,
    scorePadding: true,
    typeIds: [[0, 1], [0]],
  });
  assert.deepEqual([...batch.inputIds], [5, 6, 9, 9, 7, 9, 9, 9]);
  assert.deepEqual([...batch.attentionMask], [1, 1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual([...batch.scoringMask], [1, 0, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual([...batch.tokenTypeIds!], [0, 1, 0, 0, 0, 0, 0, 0]);
});

Deno.test("packRows: empty batch, and rows that do not fit are errors", () => {
  const empty = packRows([], { padId: 0 });
  assert.equal(empty.batchSize, 0);
  assert.equal(empty.inputIds.length, 0);
  assert.throws(() => packRows([[1, 2, 3]], { padId: 0, length: 2 }), /row 0 has 3 tokens/);
  assert.throws(() => packRows([[1, 2]], { padId: 0, typeIds: [[0]] }), /type ids/);
  assert.throws(() => packRows([[1, 2]], { padId: 0, exactMatch: [[0]] }), /exact-match/);
});

Deno.test("exactMatchFlags marks each token found in the other text, both ways", () => {
  assert.deepEqual(exactMatchFlags([4, 5, 6, 5], [5, 7, 4]), [[1, 1, 0, 1], [1, 0, 1]]);
  assert.deepEqual(exactMatchFlags([], [1]), [[], [0]]);
});

Deno.test("singleSequence keeps [SEP] last when it cuts the text", () => {
  const { cls, sep } = tokenizer.special;
  assert.deepEqual(singleSequence(tokenizer, "Hello, world!", { maxLength: 4 }), [
    cls,
    id("hello"),
    id(","),
    sep,
  ]);
  assert.deepEqual(singleSequence(tokenizer, "Hello", { maxLength: 2 }), [cls, sep]);
  assert.deepEqual(singleSequence(tokenizer, "", { maxLength: 9, markerId: 7 }), [cls, 7, sep]);
  assert.throws(() => singleSequence(tokenizer, "x", { maxLength: 2, markerId: 7 }), /no room/);
});

Deno.test("plainBatch: [CLS] prompt+text [SEP], [PAD] to the longest", () => {
  const batch = plainBatch(tokenizer, ["Hello, world!", "hi"]);
  const hello = [101, 7592, 1010, 2088, 999, 102];
  assert.deepEqual([...batch.inputIds], [...hello, 101, id("hi"), 102, 0, 0, 0]);
  assert.deepEqual([...batch.attentionMask], [1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  assert.deepEqual([...batch.scoringMask], [...batch.attentionMask]);
  const prompted = plainBatch(tokenizer, ["hi"], { prompt: "query: ", maxLength: 4 });
  assert.deepEqual([...prompted.inputIds], [101, id("query"), id(":"), 102]);
});

// From a public bert-base-uncased test suite (checked there against Hugging Face).
const QUESTION = { text: "What is E-204?", ids: [2054, 2003, 1041, 1011, 19627, 1029] };
const SNIPPET = {
  text: "naïve café ≤20 wk → src 中文",
  ids: [15743, 7668, 1608, 11387, 1059, 2243, 1585, 5034, 2278, 1746, 1861],
};
const repeat = (value: number, count: number) => new Array(count).fill(value);

Deno.test("pairBatch matches a published Hugging Face pair encoding", () => {
  const batch = pairBatch(tokenizer, [{ query: QUESTION.text, document: SNIPPET.text }], {
    maxLength: 64,
  });
  assert.deepEqual([...batch.inputIds], [101, ...QUESTION.ids, 102, ...SNIPPET.ids, 102]);
  assert.deepEqual([...batch.tokenTypeIds!], [...repeat(0, 8), ...repeat(1, 12)]);
});

Deno.test("pairBatch flags the words the query and the document share; not [CLS] or [SEP]", () => {
  const batch = pairBatch(tokenizer, [{ query: "red cat", document: "a cat, red or not" }]);
  // [CLS] red cat [SEP] a cat , red or not [SEP]
  assert.deepEqual([...batch.exactMatch!], [0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0]);
});

Deno.test("pairBatch cuts the document first, then the query; pads types with 0", () => {
  const pairs = [{ query: QUESTION.text, document: SNIPPET.text }, { query: "hi", document: "" }];
  const batch = pairBatch(tokenizer, pairs, { maxLength: 12 });
  assert.equal(batch.length, 12);
  const first = [101, ...QUESTION.ids, 102, ...SNIPPET.ids.slice(0, 3), 102];
  const second = [101, id("hi"), 102, 102, ...repeat(0, 8)];
  assert.deepEqual([...batch.inputIds], [...first, ...second]);
  const firstTypes = [...repeat(0, 8), ...repeat(1, 4)];
  assert.deepEqual([...batch.tokenTypeIds!], [...firstTypes, 0, 0, 0, 1, ...repeat(0, 8)]);
  assert.deepEqual([...batch.attentionMask].slice(12), [1, 1, 1, 1, ...repeat(0, 8)]);
  const tight = pairBatch(tokenizer, pairs.slice(0, 1), { maxLength: 6 });
  assert.deepEqual([...tight.inputIds], [101, 2054, 2003, 1041, 102, 102]);
  assert.throws(() => pairBatch(tokenizer, pairs, { maxLength: 2 }), /below 3/);
});
