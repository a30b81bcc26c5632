import assert from "node:assert/strict";
import {
  colbertDocumentBatch,
  colbertInputConfig,
  colbertLengths,
  colbertQueryBatch,
  DEFAULT_COLBERT_INPUT_CONFIG,
  PUNCTUATION,
  skiplistIds,
} from "../lib/models/colbert_inputs.ts";
import { loadBertTokenizer } from "../lib/models/tokenizer.ts";

const tokenizer = await loadBertTokenizer();
const id = (token: string) => tokenizer.tokenToId(token)!;
const [CLS, SEP, PAD, MASK, Q, D] = [101, 102, 0, 103, 1, 2];
const HELLO = [id("hello"), id(","), id("world"), id("!")];
const SEARCH_QUERY = [id("search"), id("_"), id("query"), id(":")];
const SEARCH_DOCUMENT = [id("search"), id("_"), id("document"), id(":")];
const row = (values: ArrayLike<number>, r: number, length: number) =>
  Array.from(values).slice(r * length, (r + 1) * length);

Deno.test("markers are PyLate's [unused0] / [unused1] slots", () => {
  assert.equal(tokenizer.tokenToId(DEFAULT_COLBERT_INPUT_CONFIG.queryMarker), Q);
  assert.equal(tokenizer.tokenToId(DEFAULT_COLBERT_INPUT_CONFIG.documentMarker), D);
});

Deno.test("query: marker after [CLS], [SEP], then scored but unattended [MASK]s", () => {
  const batch = colbertQueryBatch(tokenizer, ["Hello, world!"], { prompts: false, queryLength: 8 });
  assert.equal(batch.length, 8);
  assert.deepEqual([...batch.inputIds], [CLS, Q, ...HELLO, SEP, MASK]);
  assert.deepEqual([...batch.attentionMask], [1, 1, 1, 1, 1, 1, 1, 0]);
  assert.deepEqual([...batch.scoringMask], [1, 1, 1, 1, 1, 1, 1, 1]);
});

Deno.test("query with prompt: 32 + 7 positions, prompt tokens before the text", () => {
  const batch = colbertQueryBatch(tokenizer, ["Hello, world!", ""]);
  assert.equal(batch.length, 39);
  const used = [CLS, Q, ...SEARCH_QUERY, ...HELLO, SEP];
  assert.deepEqual(row(batch.inputIds, 0, 39), [
    ...used,
    ...new Array(39 - used.length).fill(MASK),
  ]);
  const empty = [CLS, Q, ...SEARCH_QUERY, SEP];
  assert.deepEqual(row(batch.inputIds, 1, 39), [
    ...empty,
    ...new Array(39 - empty.length).fill(MASK),
  ]);
  assert.equal(row(batch.attentionMask, 1, 39).reduce((a, b) => a + b), empty.length);
  assert.ok(batch.scoringMask.every((value) => value === 1));
});

Deno.test("a long query loses its tail and keeps [SEP] last, with no [MASK] left", () => {
  const text = "one two three four five six seven eight nine ten";
  const batch = colbertQueryBatch(tokenizer, [text], { prompts: false, queryLength: 8 });
  const words = ["one", "two", "three", "four", "five"].map(id);
  assert.deepEqual([...batch.inputIds], [CLS, Q, ...words, SEP]);
  assert.ok(batch.attentionMask.every((value) => value === 1));
});

Deno.test("query options: attend to expansion tokens, or no expansion at all", () => {
  const attended = colbertQueryBatch(tokenizer, ["hi"], {
    prompts: false,
    queryLength: 6,
    attendToExpansionTokens: true,
  });
  assert.deepEqual([...attended.inputIds], [CLS, Q, id("hi"), SEP, MASK, MASK]);
  assert.deepEqual([...attended.attentionMask], [1, 1, 1, 1, 1, 1]);
  const plain = colbertQueryBatch(tokenizer, ["hi", "Hello, world!"], {
    prompts: false,
    queryExpansion: false,
  });
  assert.equal(plain.length, 7);
  assert.deepEqual(row(plain.inputIds, 0, 7), [CLS, Q, id("hi"), SEP, PAD, PAD, PAD]);
  assert.deepEqual(row(plain.attentionMask, 0, 7), [1, 1, 1, 1, 0, 0, 0]);
  assert.deepEqual(row(plain.scoringMask, 0, 7), [1, 1, 1, 1, 0, 0, 0]);
});

Deno.test("documents: [D] marker, [PAD] to the longest, punctuation and padding unscored", () => {
  const batch = colbertDocumentBatch(tokenizer, ["Hello, world!", ""], { prompts: false });
  assert.equal(batch.length, 7);
  assert.deepEqual([...batch.inputIds], [CLS, D, ...HELLO, SEP, CLS, D, SEP, PAD, PAD, PAD, PAD]);
  assert.deepEqual([...batch.attentionMask], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  assert.deepEqual([...batch.scoringMask], [1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0]);
});

Deno.test("documents: prompt, truncation keeping [SEP], length 180 + 7 at most", () => {
  const batch = colbertDocumentBatch(tokenizer, ["a b c d e"], { documentLength: 5 });
  assert.equal(batch.length, 12);
  const words = ["a", "b", "c", "d", "e"].map(id);
  assert.deepEqual([...batch.inputIds], [CLS, D, ...SEARCH_DOCUMENT, ...words, SEP]);
  // The prompt's "_" and ":" are punctuation too, as in PyLate.
  assert.deepEqual([...batch.scoringMask], [1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1]);
  const long = colbertDocumentBatch(tokenizer, ["word ".repeat(400)]);
  assert.equal(long.length, 187);
  assert.equal(long.inputIds[186], SEP);
});

Deno.test("the skiplist is the 32 punctuation characters, all single BERT tokens", () => {
  assert.equal(PUNCTUATION.join(""), "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
  const ids = skiplistIds(tokenizer, PUNCTUATION);
  assert.equal(ids.size, 32);
  assert.ok(PUNCTUATION.every((char) => ids.has(id(char))));
  // As PyLate's convert_tokens_to_ids: a word the vocabulary lacks stands for [UNK].
  assert.deepEqual(
    skiplistIds(tokenizer, ["no-such-token", "."]),
    new Set([tokenizer.special.unk, id(".")]),
  );
});

Deno.test("config: lengths, JSON round trip, and checked fields", () => {
  assert.deepEqual(colbertLengths(colbertInputConfig()), { query: 39, document: 187 });
  assert.deepEqual(colbertLengths(colbertInputConfig({ prompts: false })), {
    query: 32,
    document: 180,
  });
  const stored = JSON.parse(JSON.stringify(DEFAULT_COLBERT_INPUT_CONFIG));
  assert.deepEqual(colbertInputConfig(stored), DEFAULT_COLBERT_INPUT_CONFIG);
  assert.throws(() => colbertInputConfig({ queryLength: 2 }), /queryLength: must be an integer/);
  assert.throws(() => colbertInputConfig({ promptAllowance: -1 }), /promptAllowance/);
  // The least that fits [CLS], the marker and [SEP], and no room for a prompt, are allowed.
  const smallest = { queryLength: 3, documentLength: 3, promptAllowance: 0 };
  assert.deepEqual(colbertLengths(colbertInputConfig(smallest)), { query: 3, document: 3 });
  assert.throws(
    () => colbertInputConfig({ querylength: 3 } as never),
    /unknown field "querylength"/,
  );
  assert.throws(() => colbertInputConfig({ prompts: "yes" } as never), /prompts: expected boolean/);
  assert.throws(
    () => colbertQueryBatch(tokenizer, ["x"], { queryMarker: "[Q]" }),
    /queryMarker: "\[Q\]" is not in the vocabulary/,
  );
});
