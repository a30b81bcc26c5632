/**
 * MaxSim of queries against packed, variable-length documents at the machine's matrix
 * rate: score(q, d) = sum over q's tokens of the max over d's tokens of their dot product.
 *
 * Documents are scored a chunk at a time: one sgemm gives every query token's dot product
 * with every document token of the chunk ([query tokens, chunk tokens], OpenBLAS on all
 * cores), written straight into WebAssembly memory, where a SIMD kernel takes each
 * document's max over its own tokens only (padding costs nothing) and sums it over each
 * query's tokens. Memory stays bounded by the chunk, whatever the number of documents.
 * Without OpenBLAS the same chunks go through tfjs's matMul on the current backend: same
 * numbers, slower.
 *
 * ```ts
 * const scorer = new MaxSimScorer({ vectors: q, count: 1, length: 32, dim: 128 });
 * const scores = await scorer.score(packDocuments(padded, { mask, count, length: 180, dim: 128 }));
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { type OpenBlas, openBlas } from "./openblas_ffi.ts";
import { maxSimReduceKernel } from "./maxsim_reduce_wasm.ts";
import { documentCount, type PackedDocuments, sliceDocuments } from "./packed_documents.ts";

/** Query token vectors [count, length, dim]; every token is scored (a zero vector adds 0). */
export interface QueryVectors {
  vectors: Float32Array;
  count: number;
  length: number;
  dim: number;
}

/** Options of {@link MaxSimScorer}. */
export interface MaxSimOptions {
  /** OpenBLAS to use; null forces the tfjs fallback; default: the process's own. */
  blas?: OpenBlas | null;
  /**
   * Document tokens per matrix product. The product ([query tokens, chunkTokens] floats)
   * should stay in cache for the max that reads it: 8,192 x 32 query tokens is 1 MiB.
   */
  chunkTokens?: number;
}

const PAGE_BYTES = 65536;
const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/** Scores packed documents against a fixed set of queries, reusing its scratch memory. */
export class MaxSimScorer {
  /** Which path computes the products: OpenBLAS, or tfjs's matMul as the fallback. */
  readonly path: "openblas" | "tfjs";
  readonly #queries: QueryVectors;
  readonly #blas: OpenBlas | null;
  readonly #chunkTokens: number;
  readonly #memory = new WebAssembly.Memory({ initial: 1 });
  readonly #reduce = maxSimReduceKernel(this.#memory);

  constructor(queries: QueryVectors, options: MaxSimOptions = {}) {
    const { vectors, count, length, dim } = queries;
    if (vectors.length !== count * length * dim) {
      throw new Error(
        `maxsim_blas.ts: query vectors have ${vectors.length} values, ` +
          `expected [${count}, ${length}, ${dim}]`,
      );
    }
    this.#queries = queries;
    this.#blas = options.blas === undefined ? openBlas() : options.blas;
    this.#chunkTokens = options.chunkTokens ?? 8192;
    this.path = this.#blas ? "openblas" : "tfjs";
  }

  /** Number of queries scored. */
  get queryCount(): number {
    return this.#queries.count;
  }

  /** MaxSim of every query with every document: [queries, documents] row-major. */
  async score(docs: PackedDocuments): Promise<Float32Array> {
    if (docs.dim !== this.#queries.dim) {
      throw new Error(
        `maxsim_blas.ts: documents have dim ${docs.dim}, queries ${this.#queries.dim}`,
      );
    }
    const count = documentCount(docs);
    const scores = new Float32Array(this.#queries.count * count);
    for (let start = 0; start < count;) {
      const end = this.#chunkEnd(docs, start);
      await this.#scoreChunk(sliceDocuments(docs, start, end), { scores, count, start });
      start = end;
    }
    return scores;
  }

  /** Documents from `start` up to the chunk's token budget (at least one document). */
  #chunkEnd(docs: PackedDocuments, start: number): number {
    const { offsets } = docs;
    let end = start + 1;
    while (
      end < offsets.length - 1 && offsets[end + 1] - offsets[start] <= this.#chunkTokens &&
      end - start < this.#chunkTokens
    ) end++;
    return end;
  }

  async #scoreChunk(
    chunk: PackedDocuments,
    into: { scores: Float32Array; count: number; start: number },
  ) {
    const { count: queryCount, length } = this.#queries;
    const rows = queryCount * length;
    const docs = documentCount(chunk);
    const tokens = chunk.offsets[docs];
    // Scratch layout: dot products | offsets | floors | scores.
    const offsets = align16(rows * tokens * 4);
    const floors = align16(offsets + (docs + 1) * 4);
    const out = align16(floors + docs * 4);
    const needed = out + queryCount * docs * 4;
    const pages = Math.ceil(needed / PAGE_BYTES) - this.#memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) this.#memory.grow(pages);

    await this.#product(chunk.vectors, tokens);
    const buffer = this.#memory.buffer;
    new Int32Array(buffer, offsets, docs + 1).set(chunk.offsets);
    // A masked position scores 0, so it floors the max at 0; an empty document scores 0.
    const floorValues = new Float32Array(buffer, floors, docs);
    for (let d = 0; d < docs; d++) {
      const empty = chunk.offsets[d + 1] === chunk.offsets[d];
      floorValues[d] = chunk.masked?.[d] || empty ? 0 : -Infinity;
    }
    const sums = new Float32Array(buffer, out, queryCount * docs).fill(0);
    this.#reduce({ scores: 0, rows, offsets, count: docs, floors, rowsPerQuery: length, out });
    for (let q = 0; q < queryCount; q++) {
      into.scores.set(sums.subarray(q * docs, (q + 1) * docs), q * into.count + into.start);
    }
  }

  /** [query tokens, tokens] dot products into the start of the scratch memory. */
  async #product(documentVectors: Float32Array, tokens: number): Promise<void> {
    const { vectors, count, length, dim } = this.#queries;
    const rows = count * length;
    if (this.#blas) {
      const c = new Float32Array(this.#memory.buffer, 0, rows * tokens);
      this.#blas.sgemm({
        a: vectors,
        b: documentVectors,
        c,
        m: rows,
        n: tokens,
        k: dim,
        transposeB: true,
      });
      return;
    }
    // documents x queries^T, then a 2-d transpose: tfjs-wasm multiplies untransposed
    // operands with XNNPACK, but runs its transposed cases about 20x slower.
    const product = tf.tidy(() =>
      tf.matMul(
        tf.tensor2d(documentVectors, [tokens, dim]),
        tf.tensor2d(vectors, [rows, dim]).transpose(),
      ).transpose()
    );
    const values = await product.data();
    product.dispose();
    new Float32Array(this.#memory.buffer, 0, rows * tokens).set(values as Float32Array);
  }
}

/** MaxSim of `queries` with packed `docs`: [queries, documents] row-major. */
export function maxSimPacked(
  queries: QueryVectors,
  docs: PackedDocuments,
  options: MaxSimOptions = {},
): Promise<Float32Array> {
  return new MaxSimScorer(queries, options).score(docs);
}
