/**
 * A MaxSim helper thread (a Deno Worker started by {@link MaxSimScorer}): it scores the
 * chunks it takes from the shared counter into the shared score matrix, beside the main
 * thread, then says done.
 *
 * The documents are not copied: the job carries the address of their vectors, which stay
 * alive and unchanged while the main thread awaits this worker, and the vectors are read
 * through Deno's FFI pointer view, the way OpenBLAS reads them anyway.
 */
/// <reference lib="deno.worker" />
import { ChunkScorer, type QueryVectors, scoreChunks } from "./maxsim_chunk.ts";
import { loadOpenBlas, type OpenBlas } from "../compute/openblas_ffi.ts";

/** First message: the queries, and the OpenBLAS file the main thread uses. */
export interface WorkerSetup {
  queries: QueryVectors;
  blasPath: string;
}

/** Every later message: one call of `score`. */
export interface WorkerJob {
  /** `Deno.UnsafePointer.value` of the documents' vectors; `tokens * dim` floats. */
  vectors: bigint;
  tokens: number;
  offsets: Int32Array;
  masked?: Uint8Array;
  ends: Int32Array;
  /** Float32 [queries, documents] on a SharedArrayBuffer. */
  scores: SharedArrayBuffer;
  /** Int32 [1]: the next chunk, taken with Atomics.add. */
  counter: SharedArrayBuffer;
}

/** A worker's answer to a job. */
export type WorkerReply = { done: true } | { error: string };

let scorer: ChunkScorer;
let blas: OpenBlas;

function run(job: WorkerJob): void {
  const { dim } = scorer.queries;
  const view = new Deno.UnsafePointerView(Deno.UnsafePointer.create(job.vectors)!);
  const vectors = new Float32Array(view.getArrayBuffer(job.tokens * dim * 4));
  const counter = new Int32Array(job.counter);
  scoreChunks(scorer, {
    blas,
    docs: { vectors, offsets: job.offsets, dim, masked: job.masked },
    ends: job.ends,
    scores: new Float32Array(job.scores),
    next: () => Atomics.add(counter, 0, 1),
  });
}

self.onmessage = ({ data }: MessageEvent<WorkerSetup | WorkerJob>) => {
  let reply: WorkerReply = { done: true };
  try {
    if ("blasPath" in data) {
      const loaded = loadOpenBlas([data.blasPath]);
      if (!loaded) throw new Error(`cannot load OpenBLAS from ${data.blasPath}`);
      [blas, scorer] = [loaded, new ChunkScorer(data.queries)];
      return;
    }
    run(data);
  } catch (error) {
    reply = { error: `maxsim_worker.ts: ${(error as Error).message}` };
  }
  self.postMessage(reply);
};
