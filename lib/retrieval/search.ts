/**
 * Exhaustive top-k retrieval by MaxSim over a whole corpus of token embeddings (a
 * {@link TokenEmbeddingIndex}), streamed in chunks so memory is bounded by the chunk
 * sizes, never by the corpus. Each document scores exactly as `maxsimScores` scores it
 * in the batch it was encoded in (see `token_index.ts` for the floor of masked texts).
 * Queries use the same layout; their masked tokens add 0 and are simply absent. A
 * single-vector index (one row per text) makes the same search a dense dot-product search.
 *
 * ```ts
 * const corpus = concatIndexes(await Promise.all(batches.map(indexFromBatch)));
 * const [first] = await searchMaxSim(await indexFromBatch(queries), corpus, { k: 10 });
 * first.indices; // documents, best first; first.scores descending
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { checkIndex, indexSize, type TokenEmbeddingIndex } from "./token_index.ts";
import { TopK } from "./top_k.ts";

// The index and its builders live in token_index.ts; callers reach them from here too.
export {
  concatIndexes,
  indexFromBatch,
  indexFromVectors,
  indexSize,
  type TokenEmbeddingIndex,
} from "./token_index.ts";

/** One query's results: document indices, best first, and their scores (descending). */
export interface Ranking {
  indices: Int32Array;
  scores: Float32Array;
}

/** Options of a search. */
export interface SearchOptions {
  /** Results per query (fewer when the corpus is smaller). */
  k: number;
  /** Queries scored at once (default 32). */
  queryChunkSize?: number;
  /** Documents scored at once (default 64); peak memory ~ queries x Lq x docs x Ld floats. */
  documentChunkSize?: number;
}

/** What every exhaustive MaxSim search (this tfjs one, a BLAS one) provides. */
export type Searcher = (
  queries: TokenEmbeddingIndex,
  corpus: TokenEmbeddingIndex,
  options: SearchOptions,
) => Promise<Ranking[]>;

/**
 * Added to a product through one extra coordinate: real query tokens carry 1 there and
 * document padding carries this, so padding never wins a max, at no cost beyond the
 * product itself (a broadcast add on the similarities is slow on tfjs-wasm).
 */
const PADDING_SCORE = -1e30;

/**
 * Texts `ids` of an index as one matrix, each text padded to `slots` tokens, every token
 * followed by the extra coordinate `marker(text, slot)`: [n * slots, dim + 1] row-major,
 * or its transpose [dim + 1, n * slots] with `columns`, written directly in that order.
 */
function tokenMatrix(
  index: TokenEmbeddingIndex,
  ids: number[],
  options: { slots: number; marker: (text: number, slot: number) => number; columns: boolean },
): tf.Tensor2D {
  const { dim, offsets, vectors } = index;
  const tokens = ids.length * options.slots;
  const [tokenStride, coordinateStride] = options.columns ? [1, tokens] : [dim + 1, 1];
  const values = new Float32Array(tokens * (dim + 1));
  ids.forEach((id, text) => {
    for (let slot = 0; slot < options.slots; slot++) {
      const source = offsets[id] + slot;
      const at = (text * options.slots + slot) * tokenStride;
      for (let c = 0; source < offsets[id + 1] && c < dim; c++) {
        values[at + c * coordinateStride] = vectors[source * dim + c];
      }
      values[at + dim * coordinateStride] = options.marker(text, slot);
    }
  });
  return tf.tensor2d(values, options.columns ? [dim + 1, tokens] : [tokens, dim + 1]);
}

function lengths(index: TokenEmbeddingIndex, ids: number[]): number[] {
  return ids.map((id) => index.offsets[id + 1] - index.offsets[id]);
}

/** Queries `ids` as rows [n * L, dim + 1]; padding rows are all 0 and so add max(0) = 0. */
function queryMatrix(index: TokenEmbeddingIndex, ids: number[]): tf.Tensor2D {
  const length = lengths(index, ids);
  const slots = Math.max(1, ...length);
  const marker = (text: number, slot: number) => (slot < length[text] ? 1 : 0);
  return tokenMatrix(index, ids, { slots, marker, columns: false });
}

/**
 * Documents `ids` as columns [dim + 1, n * L], ready for a plain (untransposed) product.
 * A masked document keeps one more slot than its tokens, a zero vector: its floor of 0.
 */
function documentMatrix(index: TokenEmbeddingIndex, ids: number[]) {
  const length = lengths(index, ids);
  const scored = ids.map((id, text) => length[text] + (index.masked?.[id] ? 1 : 0));
  const slots = Math.max(...scored);
  const marker = (text: number, slot: number) => (slot < scored[text] ? 0 : PADDING_SCORE);
  return { columns: tokenMatrix(index, ids, { slots, marker, columns: true }), slots };
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

function chunk<T>(items: T[], size: number): T[][] {
  if (!(size >= 1)) throw new Error(`search.ts: chunk size must be >= 1, got ${size}`);
  return Array.from(
    { length: Math.ceil(items.length / size) },
    (_, i) => items.slice(i * size, (i + 1) * size),
  );
}

/**
 * The k best documents of `corpus` for every query of `queries` by MaxSim, on the current
 * tfjs backend. Documents are chunked in order of length, so each chunk pads little.
 */
export const searchMaxSim: Searcher = async (queries, corpus, options) => {
  checkIndex(queries, "queries", { allowEmpty: true });
  checkIndex(corpus, "corpus");
  if (queries.dim !== corpus.dim) {
    throw new Error(`search.ts: query dim ${queries.dim} differs from corpus dim ${corpus.dim}`);
  }
  const { k, queryChunkSize = 32, documentChunkSize = 64 } = options;
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`search.ts: k must be >= 1, got ${k}`);
  const lengthOf = (id: number) => corpus.offsets[id + 1] - corpus.offsets[id];
  const byLength = range(indexSize(corpus)).sort((a, b) => lengthOf(a) - lengthOf(b) || a - b);
  const best = range(indexSize(queries)).map(() => new TopK<number>(k));
  const queryChunks = chunk(range(indexSize(queries)), queryChunkSize)
    .map((ids) => ({ ids, rows: queryMatrix(queries, ids) }));
  try {
    for (const documentIds of chunk(byLength, documentChunkSize)) {
      const documents = documentMatrix(corpus, documentIds);
      try {
        for (const { ids, rows } of queryChunks) {
          const scores = tf.tidy(() => {
            const products = tf.matMul(rows, documents.columns).reshape([-1, documents.slots]);
            const maxima = tf.max(products, 1).reshape([ids.length, -1, documentIds.length]);
            return tf.sum(maxima, 1); // [queries, documents]
          });
          const values = await scores.data();
          scores.dispose();
          ids.forEach((query, row) => {
            for (let column = 0; column < documentIds.length; column++) {
              best[query].push(values[row * documentIds.length + column], documentIds[column]);
            }
          });
        }
      } finally {
        documents.columns.dispose();
      }
    }
  } finally {
    tf.dispose(queryChunks.map((part) => part.rows));
  }
  return best.map((top) => {
    const kept = top.best();
    return {
      indices: Int32Array.from(kept, (hit) => hit.id),
      scores: Float32Array.from(kept, (hit) => hit.score),
    };
  });
};
