/**
 * How much of the wasm backend's heap a training micro-batch or an encoding call needs, from
 * the encoder's shape and the batch's, so that a batch that cannot fit is split or refused
 * before it starts (the heap is 4 GiB; past it, tfjs-backend-wasm dies with
 * `RuntimeError: Aborted()` inside `registerTensor`, mid-step).
 *
 * The estimates are fitted to the heap the wasm backend had grown to after one step or one
 * call (`bench/heap_probe.ts`, seven training and four encoding shapes from 2 x 128
 * to 6 x 384, heads 2-12, intermediate 192-1152, lengths 32-512); they came within 14% of every
 * measurement, hence {@link HEAP_SHARE}. A backend other than wasm (TensorFlow's own library,
 * webgpu) has no such limit here: {@link heapLimitBytes} is Infinity there.
 *
 * ```ts
 * const need = trainingHeapBytes(shape, [{ rows: 16, length: 32 }, { rows: 16, length: 128 }]);
 * if (need > heapLimitBytes()) ... // split, or refuse naming the setting
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import type { EncoderShape } from "../models/suite_encoder.ts";

/** The largest heap tfjs-backend-wasm can grow to (emscripten's getHeapMax: 4 GiB - 64 KiB). */
export const WASM_HEAP_BYTES = 4_294_901_760;

/**
 * The share of the heap a batch may be planned to fill: the estimates' error (up to 14%), and
 * the heap's growth in steps and its fragmentation, take the rest.
 */
export const HEAP_SHARE = 0.85;

/** Rows of one length, encoded together (queries, or one group of documents). */
export interface SequenceBatch {
  rows: number;
  length: number;
}

const FLOAT = 4;

/** Weights of an encoder of `shape` (token table, blocks), as suite_encoder.ts builds them. */
export function encoderParameters(shape: EncoderShape): number {
  const { vocabSize, hidden, intermediate, layers } = shape;
  return vocabSize * hidden + layers * (4 * hidden * hidden + 3 * hidden * intermediate) +
    (2 * layers + 1) * hidden;
}

/**
 * Heap bytes of one training micro-batch on the wasm backend: forward and backward of every
 * batch in `batches` under one gradient tape, then an AdamW update. What the tape keeps grows
 * with tokens x width in every layer (about 67 floats per hidden unit and 32 per GeGLU unit)
 * and with the attention scores (about 14 floats per score); the weights come about 8 times
 * (weights, their gradients, the whole-vocabulary scatter of the embedding gradient, AdamW's
 * two moments and its temporaries).
 */
export function trainingHeapBytes(shape: EncoderShape, batches: SequenceBatch[]): number {
  const { hidden, intermediate, heads, layers } = shape;
  let perLayer = 0;
  for (const { rows, length } of batches) {
    perLayer += rows * length * (67 * hidden + 32 * intermediate) +
      14.4 * rows * heads * length * length;
  }
  return FLOAT * (8.3 * encoderParameters(shape) + layers * perLayer);
}

/**
 * Heap bytes of one encoding call (no gradients) of `batch` on the wasm backend: the weights,
 * and one layer's intermediates at a time (each layer is a tidy scope of its own), about 60
 * floats per token and hidden unit and 5 per attention score.
 */
export function encodingHeapBytes(shape: EncoderShape, batch: SequenceBatch): number {
  const { hidden, intermediate, heads } = shape;
  const { rows, length } = batch;
  return FLOAT * (1.2 * encoderParameters(shape) +
    rows * length * (24 * hidden + 24 * intermediate) + 5.2 * rows * heads * length * length);
}

/** Heap bytes a batch may be planned to take on the current backend (Infinity off wasm). */
export function heapLimitBytes(backend: string = tf.getBackend()): number {
  return backend === "wasm" ? HEAP_SHARE * WASM_HEAP_BYTES : Infinity;
}

/**
 * The most rows, at most `rows`, whose `need` fits in `limit` (0 when not even one does);
 * `rows` itself whenever it fits, so a batch that fits is never split.
 */
export function rowsThatFit(
  rows: number,
  need: (rows: number) => number,
  limit: number = heapLimitBytes(),
): number {
  let fitting = rows;
  while (fitting > 0 && need(fitting) > limit) fitting--;
  return fitting;
}

/** `1.23 GiB`, for messages. */
export function gibibytes(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/**
 * Throw, before any step runs, when `need` bytes exceed the heap: the message names the batch,
 * the estimate, the limit and `setting`, what to lower (or `--backend tensorflow`).
 */
export function refuseUnlessFits(
  need: number,
  options: { what: string; setting: string; limit?: number },
): void {
  const limit = options.limit ?? heapLimitBytes();
  if (need <= limit) return;
  throw new Error(
    `${options.what} needs about ${gibibytes(need)} of the wasm backend's heap, more than ` +
      `the ${gibibytes(limit)} it can safely take (of ${gibibytes(WASM_HEAP_BYTES)}); lower ` +
      `${options.setting}, or use --backend tensorflow, which has no such limit`,
  );
}
