/**
 * ColBERT query and document batches, following PyLate's `ColBERT.tokenize`
 * (lightonai/pylate, pylate/models/colbert.py):
 *
 * - a marker token right after [CLS] (`insert_prefix_token`): [unused0] for queries and
 *   [unused1] for documents, the slots PyLate uses for [Q] / [D] on BERT vocabularies;
 * - optional prompts prepended to the text; with prompts on, both lengths grow by
 *   `promptAllowance` tokens (ColBERT-Zero: 7) to make room;
 * - lengths count [CLS], marker and [SEP]; long texts lose their tail, [SEP] stays last;
 * - queries are padded to their full length with [MASK] (query expansion): attention 0 on
 *   those positions unless `attendToExpansionTokens`, but their vectors ARE scored;
 * - documents are padded with [PAD] to the longest in the batch; the scoring mask is 0 on
 *   padding and on the skiplist (the single-character tokens of Python's string.punctuation).
 *
 * ```ts
 * const config = { prompts: false, queryLength: 8 };
 * colbertQueryBatch(tokenizer, ["Hello, world!"], config);
 * // inputIds      [101, 1, 7592, 1010, 2088, 999, 102, 103]
 * // attentionMask [  1, 1,    1,    1,    1,   1,   1,   0]
 * // scoringMask   [  1, 1,    1,    1,    1,   1,   1,   1]
 * colbertDocumentBatch(tokenizer, ["Hello, world!"], config);
 * // inputIds      [101, 2, 7592, 1010, 2088, 999, 102]
 * // scoringMask   [  1, 1,    1,    0,    1,   0,   1]
 * ```
 */
import { packRows, singleSequence, type TokenBatch } from "./text_batch.ts";
import type { Tokenizer } from "./tokenizer.ts";

/** How ColBERT inputs are built; plain JSON values so checkpoint configs can store them. */
export interface ColbertInputConfig {
  /** Query tokens, [CLS], marker and [SEP] included, before the prompt allowance. */
  queryLength: number;
  /** Maximum document tokens, [CLS], marker and [SEP] included, before the allowance. */
  documentLength: number;
  /** Prepend `queryPrompt` / `documentPrompt` and grow both lengths by `promptAllowance`. */
  prompts: boolean;
  /** Prompt of queries. */
  queryPrompt: string;
  /** Prompt of documents. */
  documentPrompt: string;
  /** Tokens added to both lengths when prompts are on. */
  promptAllowance: number;
  /** Vocabulary entry used as the [Q] marker. */
  queryMarker: string;
  /** Vocabulary entry used as the [D] marker. */
  documentMarker: string;
  /** Pad queries to full length with scored [MASK] tokens (PyLate's do_query_expansion). */
  queryExpansion: boolean;
  /** Let the encoder attend to the [MASK] expansion tokens (PyLate default: false). */
  attendToExpansionTokens: boolean;
  /** Vocabulary entries left out of document scoring. */
  skiplistWords: readonly string[];
}

/** Python's `string.punctuation`, one entry per character: PyLate's default skiplist. */
export const PUNCTUATION: readonly string[] = Object.freeze([
  ..."!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
]);

/** The ColBERT-Zero settings (prompts on, as in the paper's main model). */
export const DEFAULT_COLBERT_INPUT_CONFIG: Readonly<ColbertInputConfig> = Object.freeze({
  queryLength: 32,
  documentLength: 180,
  prompts: true,
  queryPrompt: "search_query: ",
  documentPrompt: "search_document: ",
  promptAllowance: 7,
  queryMarker: "[unused0]",
  documentMarker: "[unused1]",
  queryExpansion: true,
  attendToExpansionTokens: false,
  skiplistWords: PUNCTUATION,
});

/** Defaults filled in and every field checked; unknown or mistyped fields are an error. */
export function colbertInputConfig(
  overrides: Partial<ColbertInputConfig> = {},
): ColbertInputConfig {
  const config = { ...DEFAULT_COLBERT_INPUT_CONFIG, ...overrides };
  for (const [key, value] of Object.entries(config)) {
    if (!(key in DEFAULT_COLBERT_INPUT_CONFIG)) {
      throw new Error(`ColbertInputConfig: unknown field "${key}"`);
    }
    const expected = DEFAULT_COLBERT_INPUT_CONFIG[key as keyof ColbertInputConfig];
    if (Array.isArray(expected) !== Array.isArray(value) || typeof expected !== typeof value) {
      throw new Error(`ColbertInputConfig.${key}: expected ${typeof expected}, got ${value}`);
    }
  }
  // [CLS], marker and [SEP] need three positions.
  for (const key of ["queryLength", "documentLength"] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 3) {
      throw new Error(`ColbertInputConfig.${key}: must be an integer >= 3, got ${config[key]}`);
    }
  }
  if (!Number.isInteger(config.promptAllowance) || config.promptAllowance < 0) {
    throw new Error(
      `ColbertInputConfig.promptAllowance: must be an integer >= 0, got ${config.promptAllowance}`,
    );
  }
  return config;
}

/** Row lengths of queries and (at most) documents, the prompt allowance included. */
export function colbertLengths(config: ColbertInputConfig): { query: number; document: number } {
  const extra = config.prompts ? config.promptAllowance : 0;
  return { query: config.queryLength + extra, document: config.documentLength + extra };
}

/**
 * Ids of the skiplist entries. An entry the vocabulary lacks stands for [UNK], as PyLate's
 * `convert_tokens_to_ids` makes it: [UNK] tokens are then left out of document scoring too.
 */
export function skiplistIds(tokenizer: Tokenizer, words: readonly string[]): Set<number> {
  return new Set(words.map((word) => tokenizer.tokenToId(word) ?? tokenizer.special.unk));
}

/** `[CLS] [Q] prompt+query [SEP] [MASK]...`, every row exactly the query length. */
export function colbertQueryBatch(
  tokenizer: Tokenizer,
  texts: readonly string[],
  overrides: Partial<ColbertInputConfig> = {},
): TokenBatch {
  const config = colbertInputConfig(overrides);
  const length = colbertLengths(config).query;
  const options = {
    maxLength: length,
    prompt: config.prompts ? config.queryPrompt : "",
    markerId: markerId(tokenizer, config, "queryMarker"),
  };
  const rows = texts.map((text) => singleSequence(tokenizer, text, options));
  if (!config.queryExpansion) return packRows(rows, { padId: tokenizer.special.pad });
  return packRows(rows, {
    padId: tokenizer.special.mask,
    length,
    attendToPadding: config.attendToExpansionTokens,
    scorePadding: true,
  });
}

/** `[CLS] [D] prompt+document [SEP] [PAD]...`, padded to the longest row of the batch. */
export function colbertDocumentBatch(
  tokenizer: Tokenizer,
  texts: readonly string[],
  overrides: Partial<ColbertInputConfig> = {},
): TokenBatch {
  const config = colbertInputConfig(overrides);
  const options = {
    maxLength: colbertLengths(config).document,
    prompt: config.prompts ? config.documentPrompt : "",
    markerId: markerId(tokenizer, config, "documentMarker"),
  };
  const rows = texts.map((text) => singleSequence(tokenizer, text, options));
  return packRows(rows, {
    padId: tokenizer.special.pad,
    skipIds: skiplistIds(tokenizer, config.skiplistWords),
  });
}

function markerId(
  tokenizer: Tokenizer,
  config: ColbertInputConfig,
  key: "queryMarker" | "documentMarker",
): number {
  const id = tokenizer.tokenToId(config[key]);
  if (id === undefined) {
    throw new Error(`ColbertInputConfig.${key}: "${config[key]}" is not in the vocabulary`);
  }
  return id;
}
