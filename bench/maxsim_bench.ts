/**
 * MaxSim benchmarks: random unit-scale token vectors with variable document lengths.
 *
 * GFLOP/s count useful work only, 2 x query tokens x real document tokens x dim, for
 * every path: a padded path pays for its padding in time, not in credited work.
 */
import * as tf from "@tensorflow/tfjs";
import { MaxSimScorer, type QueryVectors } from "../lib/scores/maxsim_blas.ts";
import type { OpenBlas } from "../lib/compute/openblas_ffi.ts";
import { documentCount, type PackedDocuments } from "../lib/scores/packed_documents.ts";
import { rankStream } from "../lib/retrieval/rank_stream.ts";
import { maxsimScores } from "../lib/scores/maxsim.ts";
import { peakResidentBytes } from "./peak_memory.ts";

/** Sizes of a MaxSim benchmark (the issue's: 32 x 128 query tokens, documents <= 180). */
export interface MaxSimShape {
  queryLength: number;
  dim: number;
  /** Longest document; lengths are drawn from [maxLength / 5, maxLength]. */
  maxLength: number;
}

/** Throughput of one MaxSim path. */
export interface MaxSimRate {
  documents: number;
  seconds: number;
  documentsPerSecond: number;
  gflops: number;
}

function fillRandom(values: Float32Array, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  for (let i = 0; i < values.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[i] = (state >>> 0) / 2147483648 - 1;
  }
  return values;
}

/** One query of `queryLength` random token vectors. */
export function randomQuery(shape: MaxSimShape, seed = 1): QueryVectors {
  const vectors = fillRandom(new Float32Array(shape.queryLength * shape.dim), seed);
  return { vectors, count: 1, length: shape.queryLength, dim: shape.dim };
}

/** `count` random documents of variable length, packed; all shorter ones had padding. */
export function randomDocuments(count: number, shape: MaxSimShape, seed = 2): PackedDocuments {
  const offsets = new Int32Array(count + 1);
  const masked = new Uint8Array(count);
  const shortest = Math.ceil(shape.maxLength / 5);
  let state = seed;
  for (let d = 0; d < count; d++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const length = shortest + (state % (shape.maxLength - shortest + 1));
    offsets[d + 1] = offsets[d] + length;
    masked[d] = length < shape.maxLength ? 1 : 0;
  }
  const vectors = fillRandom(new Float32Array(offsets[count] * shape.dim), seed);
  return { vectors, offsets, dim: shape.dim, masked };
}

function rate(query: QueryVectors, docs: PackedDocuments, seconds: number): MaxSimRate {
  const documents = documentCount(docs);
  const tokens = docs.offsets[documents];
  const flops = 2 * query.count * query.length * tokens * query.dim;
  return {
    documents,
    seconds,
    documentsPerSecond: documents / seconds,
    gflops: flops / seconds / 1e9,
  };
}

/** Best of `runs` timings of `run`. */
async function bestSeconds(run: () => Promise<unknown>, runs: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return best;
}

/** The packed path: OpenBLAS when `blas` is given, tfjs's matMul on the current backend if null. */
export async function timePackedMaxSim(
  docs: PackedDocuments,
  options: { shape: MaxSimShape; blas: OpenBlas | null; runs?: number },
): Promise<MaxSimRate> {
  const query = randomQuery(options.shape);
  using scorer = new MaxSimScorer(query, { blas: options.blas });
  await scorer.score(docs); // warm-up: JIT, scratch memory
  return rate(query, docs, await bestSeconds(() => scorer.score(docs), options.runs ?? 3));
}

/** The padded path of the training code (lib/scores/maxsim.ts) on the current tfjs backend. */
export async function timePaddedMaxSim(
  docs: PackedDocuments,
  options: { shape: MaxSimShape; runs?: number },
): Promise<MaxSimRate> {
  const { maxLength: length, dim } = options.shape;
  const count = documentCount(docs);
  const padded = new Float32Array(count * length * dim);
  const mask = new Float32Array(count * length);
  for (let d = 0; d < count; d++) {
    const [start, end] = [docs.offsets[d], docs.offsets[d + 1]];
    padded.set(docs.vectors.subarray(start * dim, end * dim), d * length * dim);
    mask.fill(1, d * length, d * length + end - start);
  }
  const query = randomQuery(options.shape);
  const q = {
    embeddings: tf.tensor3d(query.vectors, [1, query.length, dim]),
    mask: tf.ones([1, query.length]) as tf.Tensor2D,
  };
  const d = {
    embeddings: tf.tensor3d(padded, [count, length, dim]),
    mask: tf.tensor2d(mask, [count, length]),
  };
  const run = async () => {
    const scores = maxsimScores(q, d);
    await scores.data();
    scores.dispose();
  };
  try {
    await run();
    return rate(query, docs, await bestSeconds(run, options.runs ?? 3));
  } finally {
    tf.dispose([q.embeddings, q.mask, d.embeddings, d.mask]);
  }
}

/** Result of {@link timeRankStream}: throughput and the memory high-water mark by stage. */
export interface StreamRate extends MaxSimRate {
  /** Peak resident bytes after ranking a tenth of the corpus, then all of it. */
  peakAfterTenth: number;
  peakAfterAll: number;
}

/**
 * Rank `count` documents generated chunk by chunk (never all in memory) against one
 * query, top 10. Time counts scoring and ranking, not generating.
 */
export async function timeRankStream(
  count: number,
  options: { shape: MaxSimShape; blas: OpenBlas | null; chunk?: number },
): Promise<StreamRate> {
  const chunk = options.chunk ?? 1000;
  const query = randomQuery(options.shape);
  using scorer = new MaxSimScorer(query, { blas: options.blas });
  let seconds = 0, tokens = 0;
  const stream = function* (documents: number, seed: number) {
    for (let start = 0; start < documents; start += chunk) {
      const docs = randomDocuments(Math.min(chunk, documents - start), options.shape, seed + start);
      tokens += docs.offsets[documentCount(docs)];
      const began = performance.now();
      yield docs; // rankStream scores it before asking for the next chunk
      seconds += (performance.now() - began) / 1000;
    }
  };
  await rankStream(scorer, stream(count / 10, 7), { k: 10 });
  const peakAfterTenth = peakResidentBytes();
  [seconds, tokens] = [0, 0];
  await rankStream(scorer, stream(count, 11), { k: 10 });
  const flops = 2 * query.length * tokens * query.dim;
  return {
    documents: count,
    seconds,
    documentsPerSecond: count / seconds,
    gflops: flops / seconds / 1e9,
    peakAfterTenth,
    peakAfterAll: peakResidentBytes(),
  };
}
