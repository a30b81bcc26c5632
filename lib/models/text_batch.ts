/**
 * Token batches as flat typed arrays, row-major [batchSize, length], ready to become tensors.
 *
 * `packRows` is the one place that pads rows and writes the masks; `plainBatch` (MLM and
 * dense models) and `pairBatch` (cross-encoder) build on it here, the ColBERT query and
 * document batches in colbert_inputs.ts.
 *
 * ```ts
 * const batch = plainBatch(tokenizer, ["Hello, world!", "hi"]);
 * // batch.inputIds:      [101, 7592, 1010, 2088, 999, 102,
 * //                       101, 7632,  102,    0,   0,   0]
 * // batch.attentionMask: [1, 1, 1, 1, 1, 1,  1, 1, 1, 0, 0, 0]
 * ```
 */
import type { Tokenizer } from "./tokenizer.ts";

/** A padded batch of token rows, row-major [batchSize, length]. */
export interface TokenBatch {
  /** Token ids. */
  inputIds: Int32Array;
  /** 1 where the encoder attends, 0 elsewhere. */
  attentionMask: Int32Array;
  /** 1 where the output vector takes part in scoring or pooling, 0 elsewhere. */
  scoringMask: Float32Array;
  /** Segment ids (0 first text, 1 second), only for pairs. */
  tokenTypeIds?: Int32Array;
  /** 1 where a token of one text of a pair also occurs in the other, only for pairs. */
  exactMatch?: Int32Array;
  /** Rows. */
  batchSize: number;
  /** Columns (tokens per row). */
  length: number;
}

/** How {@link packRows} pads and masks. */
export interface PackOptions {
  /** Id written into padding positions. */
  padId: number;
  /** Row length; the longest row when absent. */
  length?: number;
  /** Let the encoder attend to padding (ColBERT's attend_to_expansion_tokens). */
  attendToPadding?: boolean;
  /** Score the output vectors at padding positions (ColBERT query expansion). */
  scorePadding?: boolean;
  /** Ids whose vectors are left out of scoring (ColBERT's document skiplist). */
  skipIds?: ReadonlySet<number>;
  /** Segment id of every token of every row; padding gets 0. */
  typeIds?: readonly (readonly number[])[];
  /** Exact-match flag of every token of every row; padding gets 0. */
  exactMatch?: readonly (readonly number[])[];
}

/** The length of bert-base's position table, the default maximum for plain and pair batches. */
export const DEFAULT_MAX_LENGTH = 512;

/** Pad `rows` into one {@link TokenBatch}; rows longer than `length` are an error. */
export function packRows(rows: readonly (readonly number[])[], options: PackOptions): TokenBatch {
  const length = options.length ?? rows.reduce((longest, row) => Math.max(longest, row.length), 0);
  const size = rows.length * length;
  const inputIds = new Int32Array(size).fill(options.padId);
  const attentionMask = new Int32Array(size).fill(options.attendToPadding ? 1 : 0);
  const scoringMask = new Float32Array(size).fill(options.scorePadding ? 1 : 0);
  rows.forEach((row, r) => {
    if (row.length > length) {
      throw new Error(`packRows: row ${r} has ${row.length} tokens, more than length ${length}`);
    }
    const offset = r * length;
    inputIds.set(row, offset);
    attentionMask.fill(1, offset, offset + row.length);
    for (let i = 0; i < row.length; i++) {
      scoringMask[offset + i] = options.skipIds?.has(row[i]) ? 0 : 1;
    }
  });
  const tokenTypeIds = perTokenRows(rows, options.typeIds, length, "type ids");
  const exactMatch = perTokenRows(rows, options.exactMatch, length, "exact-match flags");
  return {
    inputIds,
    attentionMask,
    scoringMask,
    tokenTypeIds,
    exactMatch,
    batchSize: rows.length,
    length,
  };
}

/** One value per token of `rows`, packed like the ids (padding 0); undefined stays undefined. */
function perTokenRows(
  rows: readonly (readonly number[])[],
  values: readonly (readonly number[])[] | undefined,
  length: number,
  what: string,
): Int32Array | undefined {
  if (!values) return undefined;
  const packed = new Int32Array(rows.length * length);
  rows.forEach((row, r) => {
    if (values[r]?.length !== row.length) {
      throw new Error(`packRows: row ${r} has ${row.length} tokens but not as many ${what}`);
    }
    packed.set(values[r], r * length);
  });
  return packed;
}

/** Options of {@link singleSequence}. */
export interface SingleSequenceOptions {
  /** Tokens in the row, [CLS], marker and [SEP] included. */
  maxLength: number;
  /** Text prepended before tokenizing (e.g. "search_query: "). */
  prompt?: string;
  /** Id placed right after [CLS] (a ColBERT [Q] / [D] marker). */
  markerId?: number;
}

/**
 * `[CLS] (marker) tokens(prompt + text, stripped) [SEP]`, the text's tail cut to fit
 * `maxLength`, so [SEP] always closes the row.
 */
export function singleSequence(
  tokenizer: Tokenizer,
  text: string,
  options: SingleSequenceOptions,
): number[] {
  const { cls, sep } = tokenizer.special;
  const head = options.markerId === undefined ? [cls] : [cls, options.markerId];
  const budget = options.maxLength - head.length - 1;
  if (budget < 0) {
    throw new Error(`singleSequence: maxLength ${options.maxLength} leaves no room for [SEP]`);
  }
  // sentence-transformers (and so PyLate) strips the text; byte-level BPE would otherwise
  // turn a leading or trailing space into tokens of its own.
  const ids = tokenizer.encode(((options.prompt ?? "") + text).trim());
  return [...head, ...ids.slice(0, budget), sep];
}

/** Options of {@link plainBatch}. */
export interface PlainBatchOptions {
  /** Tokens per row, [CLS] and [SEP] included. */
  maxLength?: number;
  /** Text prepended to every text before tokenizing. */
  prompt?: string;
}

/**
 * `[CLS] text [SEP]` rows padded with [PAD] to the longest, for MLM and dense (single-vector)
 * models; the scoring mask equals the attention mask (mean pooling weights).
 */
export function plainBatch(
  tokenizer: Tokenizer,
  texts: readonly string[],
  options: PlainBatchOptions = {},
): TokenBatch {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const rows = texts.map((text) =>
    singleSequence(tokenizer, text, { maxLength, prompt: options.prompt })
  );
  return packRows(rows, { padId: tokenizer.special.pad });
}

/** A (query, document) pair for a cross-encoder. */
export interface TextPair {
  query: string;
  document: string;
}

/** Options of {@link pairBatch}. */
export interface PairBatchOptions {
  /** Tokens per row, [CLS] and both [SEP] included. */
  maxLength?: number;
}

/**
 * `[CLS] query [SEP] document [SEP]` rows with segment ids 0 / 1 and exact-match flags
 * (see {@link exactMatchFlags}), padded with [PAD] to the longest. Truncation cuts the document first, since the query says what to judge; only a
 * query longer than the whole budget is cut too (and then no document token is left).
 */
export function pairBatch(
  tokenizer: Tokenizer,
  pairs: readonly TextPair[],
  options: PairBatchOptions = {},
): TokenBatch {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  const budget = maxLength - 3;
  if (budget < 0) throw new Error(`pairBatch: maxLength ${maxLength} is below 3`);
  const { cls, sep } = tokenizer.special;
  const rows: number[][] = [];
  const typeIds: number[][] = [];
  const exactMatch: number[][] = [];
  for (const pair of pairs) {
    const query = tokenizer.encode(pair.query).slice(0, budget);
    const document = tokenizer.encode(pair.document).slice(0, budget - query.length);
    rows.push([cls, ...query, sep, ...document, sep]);
    typeIds.push([
      ...new Array(query.length + 2).fill(0),
      ...new Array(document.length + 1).fill(1),
    ]);
    const [queryFlags, documentFlags] = exactMatchFlags(query, document);
    exactMatch.push([0, ...queryFlags, 0, ...documentFlags, 0]);
  }
  return packRows(rows, { padId: tokenizer.special.pad, typeIds, exactMatch });
}

/**
 * For each token of `a` and of `b`: 1 if its id occurs in the other text, else 0. The
 * exact-match signal of interaction rankers before BERT (DRMM, Duet's local model), given
 * to the cross-encoder because one trained from scratch does not find it by itself.
 */
export function exactMatchFlags(
  a: readonly number[],
  b: readonly number[],
): [number[], number[]] {
  const inA = new Set(a), inB = new Set(b);
  return [a.map((id) => inB.has(id) ? 1 : 0), b.map((id) => inA.has(id) ? 1 : 0)];
}

/** Rows `start` to `end` (exclusive) of a batch, keeping its length (for GradCache chunks). */
export function sliceRows(batch: TokenBatch, start: number, end: number): TokenBatch {
  const from = start * batch.length, to = end * batch.length;
  return {
    inputIds: batch.inputIds.subarray(from, to),
    attentionMask: batch.attentionMask.subarray(from, to),
    scoringMask: batch.scoringMask.subarray(from, to),
    tokenTypeIds: batch.tokenTypeIds?.subarray(from, to),
    exactMatch: batch.exactMatch?.subarray(from, to),
    batchSize: end - start,
    length: batch.length,
  };
}

/** Consecutive chunks of at most `size` rows. */
export function chunkRows(batch: TokenBatch, size: number): TokenBatch[] {
  const chunks: TokenBatch[] = [];
  for (let start = 0; start < batch.batchSize; start += size) {
    chunks.push(sliceRows(batch, start, Math.min(batch.batchSize, start + size)));
  }
  return chunks;
}
