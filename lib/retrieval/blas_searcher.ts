/**
 * The exhaustive MaxSim search of lib/retrieval/search.ts on the fast path: the corpus index is
 * already packed (scored tokens back to back), so it is streamed in chunks through the
 * OpenBLAS {@link MaxSimScorer} and {@link rankStream}, about 4x the tfjs search. Same
 * scores and, through the one top-k (top_k.ts), the same tie order.
 */
import type { Searcher, TokenEmbeddingIndex } from "./search.ts";
import { openBlas } from "../compute/openblas_ffi.ts";
import { MaxSimScorer } from "../scores/maxsim_blas.ts";
import { documentCount, sliceDocuments } from "../scores/packed_documents.ts";
import { rankStream } from "./rank_stream.ts";

/** Documents scored per chunk: bounds memory to one chunk's products. */
const CHUNK_DOCUMENTS = 2048;

/** Queries of an index as a zero-padded [count, longest, dim] block (a zero vector adds 0). */
function paddedQueries(queries: TokenEmbeddingIndex) {
  const count = queries.offsets.length - 1;
  let length = 1;
  for (let q = 0; q < count; q++) {
    length = Math.max(length, queries.offsets[q + 1] - queries.offsets[q]);
  }
  const vectors = new Float32Array(count * length * queries.dim);
  for (let q = 0; q < count; q++) {
    const rows = queries.vectors.subarray(
      queries.offsets[q] * queries.dim,
      queries.offsets[q + 1] * queries.dim,
    );
    vectors.set(rows, q * length * queries.dim);
  }
  return { vectors, count, length, dim: queries.dim };
}

/** {@link Searcher} over OpenBLAS. */
export const searchMaxSimBlas: Searcher = async (queries, corpus, options) => {
  using scorer = new MaxSimScorer(paddedQueries(queries));
  const total = documentCount(corpus);
  const chunks = function* () {
    for (let start = 0; start < total; start += CHUNK_DOCUMENTS) {
      yield sliceDocuments(corpus, start, Math.min(total, start + CHUNK_DOCUMENTS));
    }
  };
  const ranked = await rankStream(scorer, chunks(), { k: Math.min(options.k, total) });
  return ranked.map((list) => ({
    indices: Int32Array.from(list, (r) => r.index),
    scores: Float32Array.from(list, (r) => r.score),
  }));
};

/** The fastest searcher this machine has: OpenBLAS when it loads, else tfjs's. */
export async function fastestSearcher(): Promise<Searcher> {
  if (openBlas()) return searchMaxSimBlas;
  return (await import("./search.ts")).searchMaxSim;
}
