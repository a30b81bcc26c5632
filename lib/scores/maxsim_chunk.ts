/**
 * MaxSim of one chunk of packed documents on one thread. The chunk's dot products with
 * every query token ([query tokens, chunk tokens]) are written into WebAssembly memory,
 * where the SIMD kernel of maxsim_reduce_wasm.ts takes each document's max over its own
 * tokens (padding costs nothing) and sums it over each query's tokens.
 *
 * {@link MaxSimScorer} runs one {@link ChunkScorer} per thread; threads take chunks from a
 * shared counter. A chunk's numbers depend only on the chunk (OpenBLAS runs on one thread
 * per call), so they are the same whichever thread, and however many, scored it.
 *
 * ```ts
 * const scorer = new ChunkScorer(queries);
 * const ends = planChunks(docs.offsets, 2048); // chunk c: documents ends[c - 1] .. ends[c]
 * scoreChunks(scorer, { blas, docs, ends, scores, next: counter(ends.length) });
 * ```
 */
import { maxSimReduceKernel } from "./maxsim_reduce_wasm.ts";
import type { OpenBlas } from "../compute/openblas_ffi.ts";
import { documentCount, type PackedDocuments, sliceDocuments } from "./packed_documents.ts";

/** Query token vectors [count, length, dim]; every token is scored (a zero vector adds 0). */
export interface QueryVectors {
  vectors: Float32Array;
  count: number;
  length: number;
  dim: number;
}

const PAGE_BYTES = 65536;
const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/**
 * Where each chunk ends: chunk `c` holds documents `ends[c - 1]` (0 for the first) up to
 * `ends[c]`, at most `chunkTokens` tokens and documents, and at least one document.
 */
export function planChunks(offsets: Int32Array, chunkTokens: number): Int32Array {
  const count = offsets.length - 1;
  const ends: number[] = [];
  for (let start = 0; start < count;) {
    let end = start + 1;
    while (
      end < count && offsets[end + 1] - offsets[start] <= chunkTokens &&
      end - start < chunkTokens
    ) end++;
    ends.push(end);
    start = end;
  }
  return Int32Array.from(ends);
}

/** One thread's scratch memory and reduction kernel, for a fixed set of queries. */
export class ChunkScorer {
  readonly queries: QueryVectors;
  readonly #memory = new WebAssembly.Memory({ initial: 1 });
  readonly #reduce = maxSimReduceKernel(this.#memory);

  constructor(queries: QueryVectors) {
    this.queries = queries;
  }

  /** Scratch layout of a chunk: dot products | offsets | floors | sums (byte addresses). */
  #layout(chunk: PackedDocuments) {
    const docs = documentCount(chunk);
    const rows = this.queries.count * this.queries.length;
    const offsets = align16(rows * chunk.offsets[docs] * 4);
    const floors = align16(offsets + (docs + 1) * 4);
    const out = align16(floors + docs * 4);
    return { docs, rows, offsets, floors, out, end: out + this.queries.count * docs * 4 };
  }

  /** The view the chunk's [query tokens, chunk tokens] dot products are to be written into. */
  products(chunk: PackedDocuments): Float32Array {
    const { rows, end } = this.#layout(chunk);
    const pages = Math.ceil(end / PAGE_BYTES) - this.#memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) this.#memory.grow(pages);
    return new Float32Array(this.#memory.buffer, 0, rows * chunk.offsets[documentCount(chunk)]);
  }

  /** Once {@link products} holds the dot products: the chunk's scores [queries, documents]. */
  reduce(chunk: PackedDocuments): Float32Array {
    const { docs, rows, offsets, floors, out } = this.#layout(chunk);
    const buffer = this.#memory.buffer;
    new Int32Array(buffer, offsets, docs + 1).set(chunk.offsets);
    // A masked position scores 0, so it floors the max at 0; an empty document scores 0.
    const floorValues = new Float32Array(buffer, floors, docs);
    for (let d = 0; d < docs; d++) {
      const empty = chunk.offsets[d + 1] === chunk.offsets[d];
      floorValues[d] = chunk.masked?.[d] || empty ? 0 : -Infinity;
    }
    const sums = new Float32Array(buffer, out, this.queries.count * docs).fill(0);
    this.#reduce({
      scores: 0,
      rows,
      offsets,
      count: docs,
      floors,
      rowsPerQuery: this.queries.length,
      out,
    });
    return sums;
  }

  /** The chunk's scores [queries, documents], its products by one one-thread OpenBLAS sgemm. */
  scoreWithBlas(blas: OpenBlas, chunk: PackedDocuments): Float32Array {
    const { vectors, count, length, dim } = this.queries;
    const c = this.products(chunk);
    blas.sgemm({
      a: vectors,
      b: chunk.vectors,
      c,
      m: count * length,
      n: chunk.offsets[documentCount(chunk)],
      k: dim,
      transposeB: true,
      threads: 1,
    });
    return this.reduce(chunk);
  }
}

/** Copy a chunk's scores [queries, its documents] into `into.scores` [queries, count] at `start`. */
export function placeScores(
  chunkScores: Float32Array,
  into: { scores: Float32Array; count: number; start: number },
): void {
  const queries = into.scores.length / into.count;
  const docs = chunkScores.length / queries;
  for (let q = 0; q < queries; q++) {
    into.scores.set(chunkScores.subarray(q * docs, (q + 1) * docs), q * into.count + into.start);
  }
}

/** What {@link scoreChunks} scores, and where. */
export interface ChunkWork {
  blas: OpenBlas;
  docs: PackedDocuments;
  /** From {@link planChunks}. */
  ends: Int32Array;
  /** [queries, documents] row-major, written in place. */
  scores: Float32Array;
  /** The next chunk to score (shared by every thread); >= ends.length when none is left. */
  next: () => number;
}

/** Score chunks handed out by `work.next` until none is left. */
export function scoreChunks(scorer: ChunkScorer, work: ChunkWork): void {
  const { blas, docs, ends, scores } = work;
  const count = documentCount(docs);
  for (let c = work.next(); c < ends.length; c = work.next()) {
    const start = c === 0 ? 0 : ends[c - 1];
    const chunk = sliceDocuments(docs, start, ends[c]);
    placeScores(scorer.scoreWithBlas(blas, chunk), { scores, count, start });
  }
}
