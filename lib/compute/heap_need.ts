/**
 * How much memory a training micro-batch or an encoding call needs, from the encoder's shape and
 * the batch's, so that a batch that cannot fit is split or refused before it starts: on wasm the
 * heap is 4 GiB, and past it tfjs-backend-wasm dies with `RuntimeError: Aborted()` inside
 * `registerTensor`, mid-step; on tensorflow (tfjs-node on the CPU) the process grows until the
 * kernel kills it.
 *
 * The estimates are fitted to the heap the wasm backend had grown to after one step or one
 * call (`bench/heap_probe.ts`: the suite's ModernBERT at seven training and four encoding shapes
 * from 2 x 128 to 6 x 384, heads 2-12, intermediate 192-1152, lengths 32-512; BERT's feed-forward
 * at all-MiniLM-L6-v2's shape, two of each); they came within 14% of every measurement, hence
 * {@link HEAP_SHARE}. On tensorflow a training step's peak resident set came to 0.82-1.10 of the
 * same estimates (BERT and ModernBERT at 6 x 384, training at 16 to 64 x (32 + 128), and
 * ModernBERT-base's shape at 8 x (32 + 128)), so batches are planned against the same share of
 * the machine's memory. Elsewhere (webgpu, tfjs-node-gpu, cpu) no limit is known:
 * {@link memoryLimit} is unbounded there.
 *
 * ```ts
 * const need = trainingHeapBytes(shape, [{ rows: 16, length: 32 }, { rows: 16, length: 128 }], "bert");
 * if (need > memoryLimit().bytes) ... // split, or refuse naming the setting
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import type { EncoderShape } from "../models/suite_encoder.ts";
import type { Architecture } from "../models/encoder_of_shape.ts";
import { tensorflowOnGpu } from "./backend.ts";

/** The largest heap tfjs-backend-wasm can grow to (emscripten's getHeapMax: 4 GiB - 64 KiB). */
export const WASM_HEAP_BYTES = 4_294_901_760;

/**
 * The share of the memory a batch may be planned to fill: the estimates' error (up to 14%), the
 * heap's growth in steps and its fragmentation (and off wasm, the rest of the process) take the
 * rest.
 */
export const HEAP_SHARE = 0.85;

/** Rows of one length, encoded together (queries, or one group of documents). */
export interface SequenceBatch {
  rows: number;
  length: number;
}

const FLOAT = 4;

/**
 * Weights of an encoder of `shape` (token table, blocks): ModernBERT's GeGLU has three
 * `hidden x intermediate` projections a layer (two in, one out), BERT's feed-forward two.
 */
export function encoderParameters(shape: EncoderShape, architecture: Architecture): number {
  const { vocabSize, hidden, intermediate, layers } = shape;
  const projections = architecture === "bert" ? 2 : 3;
  return vocabSize * hidden +
    layers * (4 * hidden * hidden + projections * hidden * intermediate) +
    (2 * layers + 1) * hidden;
}

// Floats kept per token and feed-forward unit, training and encoding: fitted on ModernBERT's
// GeGLU, and on BERT's GELU (bench/heap_probe.ts ... bert), whose activations are half as wide.
const FEED_FORWARD_FLOATS: Record<Architecture, { training: number; encoding: number }> = {
  modernbert: { training: 32, encoding: 24 },
  bert: { training: 18, encoding: 10 },
};

/**
 * Heap bytes of one training micro-batch on the wasm backend: forward and backward of every
 * batch in `batches` under one gradient tape, then an AdamW update. What the tape keeps grows
 * with tokens x width in every layer (about 67 floats per hidden unit, and per feed-forward unit
 * 32 for a GeGLU, 18 for a GELU) and with the attention scores (about 14 floats per
 * score); the weights come about 8 times (weights, their gradients, the whole-vocabulary scatter
 * of the embedding gradient, AdamW's two moments and its temporaries).
 */
export function trainingHeapBytes(
  shape: EncoderShape,
  batches: SequenceBatch[],
  architecture: Architecture,
): number {
  const { hidden, intermediate, heads, layers } = shape;
  const perUnit = FEED_FORWARD_FLOATS[architecture].training;
  let perLayer = 0;
  for (const { rows, length } of batches) {
    perLayer += rows * length * (67 * hidden + perUnit * intermediate) +
      14.4 * rows * heads * length * length;
  }
  return FLOAT * (8.3 * encoderParameters(shape, architecture) + layers * perLayer);
}

/**
 * Heap bytes of one encoding call (no gradients) of `batch` on the wasm backend: the weights,
 * and one layer's intermediates at a time (each layer is a tidy scope of its own), about 24
 * floats per token and hidden unit, per feed-forward unit 24 (GeGLU) or 10 (GELU),
 * and 5 per attention score.
 */
export function encodingHeapBytes(
  shape: EncoderShape,
  batch: SequenceBatch,
  architecture: Architecture,
): number {
  const { hidden, intermediate, heads } = shape;
  const { rows, length } = batch;
  const perUnit = FEED_FORWARD_FLOATS[architecture].encoding;
  return FLOAT * (1.2 * encoderParameters(shape, architecture) +
    rows * length * (24 * hidden + perUnit * intermediate) + 5.2 * rows * heads * length * length);
}

/** The memory a backend's batches are planned against. */
export interface MemoryLimit {
  /** The backend the batches run on. */
  backend: string;
  /** What the memory is, for messages: "the wasm backend's heap". */
  name: string;
  /** All of it: the wasm heap's maximum, or this machine's memory (Infinity where unknown). */
  total: number;
  /** The bytes a batch may be planned to take: {@link HEAP_SHARE} of `total`. */
  bytes: number;
}

/** The limit on `backend` (the current one by default); unbounded where none is known. */
export function memoryLimit(backend: string = tf.getBackend()): MemoryLimit {
  const limit = (name: string, total: number) => ({
    backend,
    name,
    total,
    bytes: HEAP_SHARE * total,
  });
  if (backend === "wasm") return limit("the wasm backend's heap", WASM_HEAP_BYTES);
  if (backend === "tensorflow" && !tensorflowOnGpu()) {
    return limit("this machine's memory", machineMemoryBytes());
  }
  return limit(`the ${backend} backend's memory`, Infinity);
}

/** The memory this process may use: the machine's, or its control group's limit if lower. */
export function machineMemoryBytes(): number {
  let total = Deno.systemMemoryInfo().total;
  // cgroup v2, then v1: a container's limit, which the machine's total does not show.
  for (const file of ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]) {
    try {
      const limit = Number(Deno.readTextFileSync(file).trim()); // "max" reads as NaN
      if (limit > 0) total = Math.min(total, limit);
    } catch {
      // No such control group here.
    }
  }
  return total;
}

/**
 * The most rows, at most `rows`, whose `need` fits in `limit` (0 when not even one does);
 * `rows` itself whenever it fits, so a batch that fits is never split.
 */
export function rowsThatFit(
  rows: number,
  need: (rows: number) => number,
  limit: MemoryLimit = memoryLimit(),
): number {
  let fitting = rows;
  while (fitting > 0 && need(fitting) > limit.bytes) fitting--;
  return fitting;
}

/** `1.23 GiB`, for messages. */
export function gibibytes(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/**
 * Throw, before any step runs, when `need` bytes exceed the limit: the message names the batch,
 * the estimate, the limit and `setting`, what to lower (on wasm, or `--backend tensorflow`).
 */
export function refuseUnlessFits(
  need: number,
  options: { what: string; setting: string; limit?: MemoryLimit },
): void {
  const limit = options.limit ?? memoryLimit();
  if (need <= limit.bytes) return;
  const elsewhere = limit.backend === "wasm"
    ? ", or use --backend tensorflow, which is held only to the machine's memory"
    : "";
  throw new Error(
    `${options.what} needs about ${gibibytes(need)} of ${limit.name}, more than the ` +
      `${gibibytes(limit.bytes)} it can safely take (of ${gibibytes(limit.total)}); lower ` +
      `${options.setting}${elsewhere}`,
  );
}
