/**
 * MaxSim of queries against packed, variable-length documents at the machine's matrix
 * rate: score(q, d) = sum over q's tokens of the max over d's tokens of their dot product.
 *
 * Documents are scored a chunk at a time (maxsim_chunk.ts): one sgemm gives every query
 * token's dot product with every token of the chunk, and a WebAssembly SIMD kernel takes
 * each document's max over its own tokens only. Memory stays bounded by the chunk,
 * whatever the number of documents.
 *
 * Every core scores chunks of its own: the main thread and one Worker per further core
 * take the next chunk from a shared counter, each running a one-thread sgemm and then the
 * max on the products still in its own cache. With one query's 32 rows, this beats
 * OpenBLAS's own threading (both cores on each sgemm, then one core for the max): every
 * chunk's sgemm runs on one thread. Without OpenBLAS the same chunks go through
 * tfjs's matMul on the current backend, on the main thread: same numbers, slower.
 *
 * ```ts
 * using scorer = new MaxSimScorer({ vectors: q, count: 1, length: 32, dim: 128 });
 * const scores = await scorer.score(packDocuments(padded, { mask, count, length: 180, dim: 128 }));
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { checkNumber, integers } from "../util/number_range.ts";
import { type OpenBlas, openBlas } from "../compute/openblas_ffi.ts";
import {
  ChunkScorer,
  placeScores,
  planChunks,
  type QueryVectors,
  scoreChunks,
} from "./maxsim_chunk.ts";
import { documentCount, type PackedDocuments, sliceDocuments } from "./packed_documents.ts";
import type { WorkerJob, WorkerReply, WorkerSetup } from "./maxsim_worker.ts";

export type { QueryVectors } from "./maxsim_chunk.ts";

/** Options of {@link MaxSimScorer}. */
export interface MaxSimOptions {
  /** OpenBLAS to use; null forces the tfjs fallback; default: the process's own. */
  blas?: OpenBlas | null;
  /**
   * Document tokens per chunk (at least one document). The default keeps a chunk's
   * products ([query tokens, chunk tokens] floats) to {@link PRODUCT_FLOATS}, in the cache
   * of the core that reads them, however many queries are scored at once.
   */
  chunkTokens?: number;
  /** Threads that score chunks with OpenBLAS (default: every core); the same numbers for any. */
  threads?: number;
}

/** Products per chunk by default: 512 KiB, 4,096 document tokens for one query of 32 tokens. */
export const PRODUCT_FLOATS = 32 * 4096;

/** Scores packed documents against a fixed set of queries; `close` (or `using`) ends its workers. */
export class MaxSimScorer {
  /** Which path computes the products: OpenBLAS, or tfjs's matMul as the fallback. */
  readonly path: "openblas" | "tfjs";
  readonly #main: ChunkScorer;
  readonly #blas: OpenBlas | null;
  readonly #chunkTokens: number;
  readonly #threads: number;
  #workers: Worker[] = [];

  constructor(queries: QueryVectors, options: MaxSimOptions = {}) {
    const { vectors, count, length, dim } = queries;
    if (vectors.length !== count * length * dim) {
      throw new Error(
        `maxsim_blas.ts: query vectors have ${vectors.length} values, ` +
          `expected [${count}, ${length}, ${dim}]`,
      );
    }
    this.#main = new ChunkScorer(queries);
    this.#blas = options.blas === undefined ? openBlas() : options.blas;
    this.#chunkTokens = options.chunkTokens === undefined
      ? Math.max(1, Math.floor(PRODUCT_FLOATS / (count * length)))
      : checkNumber("MaxSimOptions.chunkTokens", options.chunkTokens, integers(1, 2 ** 31 - 1));
    this.#threads = options.threads === undefined
      ? navigator.hardwareConcurrency
      : checkNumber("MaxSimOptions.threads", options.threads, integers(1, 1024));
    this.path = this.#blas ? "openblas" : "tfjs";
  }

  /** Number of queries scored. */
  get queryCount(): number {
    return this.#main.queries.count;
  }

  /** MaxSim of every query with every document: [queries, documents] row-major. */
  async score(docs: PackedDocuments): Promise<Float32Array> {
    if (docs.dim !== this.#main.queries.dim) {
      throw new Error(
        `maxsim_blas.ts: documents have dim ${docs.dim}, queries ${this.#main.queries.dim}`,
      );
    }
    const ends = planChunks(docs.offsets, this.#chunkTokens);
    return await (this.#blas
      ? this.#scoreWithBlas(this.#blas, docs, ends)
      : this.#scoreWithTfjs(docs, ends));
  }

  /** End the helper threads (started again by the next `score`). */
  close(): void {
    for (const worker of this.#workers) worker.terminate();
    this.#workers = [];
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async #scoreWithBlas(blas: OpenBlas, docs: PackedDocuments, ends: Int32Array) {
    const count = documentCount(docs);
    const tokens = docs.offsets[count];
    const helpers = tokens > 0 ? Math.min(this.#threads, ends.length) - 1 : 0;
    const shared = new SharedArrayBuffer(this.queryCount * count * 4);
    const counter = new SharedArrayBuffer(4);
    const nextChunk = new Int32Array(counter);
    const next = () => Atomics.add(nextChunk, 0, 1);
    const job: WorkerJob = {
      vectors: tokens > 0 ? Deno.UnsafePointer.value(Deno.UnsafePointer.of(docs.vectors)) : 0n,
      tokens,
      offsets: docs.offsets,
      masked: docs.masked,
      ends,
      scores: shared,
      counter,
    };
    const jobs = this.#startWorkers(blas, helpers).map((worker) => runJob(worker, job));
    const scores = new Float32Array(shared);
    const onThisThread = new Promise<void>((resolve) =>
      resolve(scoreChunks(this.#main, { blas, docs, ends, scores, next }))
    );
    // The workers read `docs` until they answer: wait for every thread, even after a failure.
    const answers = await Promise.allSettled([onThisThread, ...jobs]);
    const failed = answers.find((answer) => answer.status === "rejected");
    if (failed) throw failed.reason;
    return scores.slice(); // a plain copy: callers expect an ArrayBuffer
  }

  /** The first `count` workers, started (with the queries) where they are not yet. */
  #startWorkers(blas: OpenBlas, count: number): Worker[] {
    while (this.#workers.length < count) {
      const worker = new Worker(new URL("./maxsim_worker.ts", import.meta.url), { type: "module" });
      const setup: WorkerSetup = { queries: this.#main.queries, blasPath: blas.path };
      worker.postMessage(setup);
      this.#workers.push(worker);
    }
    return this.#workers.slice(0, count);
  }

  async #scoreWithTfjs(docs: PackedDocuments, ends: Int32Array) {
    const { vectors, count, length, dim } = this.#main.queries;
    const total = documentCount(docs);
    const scores = new Float32Array(count * total);
    for (let c = 0, start = 0; c < ends.length; start = ends[c++]) {
      const chunk = sliceDocuments(docs, start, ends[c]);
      const tokens = chunk.offsets[documentCount(chunk)];
      // documents x queries^T, then a 2-d transpose: tfjs-wasm multiplies untransposed
      // operands with XNNPACK, but runs its transposed cases about 20x slower.
      const product = tf.tidy(() =>
        tf.matMul(
          tf.tensor2d(chunk.vectors, [tokens, dim]),
          tf.tensor2d(vectors, [count * length, dim]).transpose(),
        ).transpose()
      );
      const values = await product.data();
      product.dispose();
      this.#main.products(chunk).set(values as Float32Array);
      placeScores(this.#main.reduce(chunk), { scores, count: total, start });
    }
    return scores;
  }
}

/** Send `job` to `worker`; resolves when it has scored its share. */
function runJob(worker: Worker, job: WorkerJob): Promise<void> {
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }: MessageEvent<WorkerReply>) =>
      "error" in data ? reject(new Error(data.error)) : resolve();
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(`maxsim_worker.ts: ${event.message}`));
    };
    worker.postMessage(job);
  });
}

/** MaxSim of `queries` with packed `docs`: [queries, documents] row-major. */
export async function maxSimPacked(
  queries: QueryVectors,
  docs: PackedDocuments,
  options: MaxSimOptions = {},
): Promise<Float32Array> {
  using scorer = new MaxSimScorer(queries, options);
  return await scorer.score(docs);
}
