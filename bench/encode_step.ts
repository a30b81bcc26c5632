/**
 * Encoding, timed: one call of the ColBERT encoder (transformer, projection, normalisation)
 * on a batch of documents, as indexing a corpus does (lib/retrieval/neural_retriever.ts encodes 64 texts
 * a call). Random token ids with variable lengths, the padding masked; no gradients.
 */
import * as tf from "@tensorflow/tfjs";
import { encodeTokens, type Model } from "../lib/models/model.ts";
import type { EncoderBatch } from "../lib/models/encoder_inputs.ts";
import { disposeParams } from "../lib/models/params.ts";
import { encoderFlopsPerToken } from "../lib/models/encoder.ts";
import { benchEncoder, benchModel, randomBatch, type TrainStepShape } from "./train_step.ts";

/** Documents per encoder call, as the suite's retriever encodes them. */
export const ENCODE_BATCH = 64;

/** Timing of {@link timeEncode}. */
export interface EncodeTiming {
  /** Document tokens (padding included) per second of the best call. */
  tokensPerSecond: number;
  secondsPerCall: number;
  tokensPerCall: number;
  /** Forward arithmetic per second of the best call. */
  gflops: number;
}

/** Encode `docs` once and wait for the backend, as reading the vectors out does. */
export async function encodeOnce(model: Model, docs: EncoderBatch): Promise<void> {
  const encoded = encodeTokens(model, docs);
  await encoded.data();
  encoded.dispose();
}

/**
 * Best time of encoding {@link ENCODE_BATCH} documents of `shape.encodeLength` tokens with
 * `shape`'s encoder on the current backend: a warm-up call, then one more, and up to
 * `maxCalls` in all while they fit in `budgetSeconds` (the warm-up is never the figure).
 */
export async function timeEncode(
  shape: TrainStepShape,
  options: { maxCalls?: number; budgetSeconds?: number } = {},
): Promise<EncodeTiming> {
  const { maxCalls = 5, budgetSeconds = 10 } = options;
  const model = benchModel(shape);
  const docs = randomBatch(ENCODE_BATCH, shape.encodeLength, shape.transformer.vocabSize, 3);
  const timeCall = async () => {
    const start = performance.now();
    await encodeOnce(model, docs);
    return (performance.now() - start) / 1000;
  };
  let best: number;
  try {
    best = await timeCall();
    for (
      let timed = 0, spent = 0;
      timed < maxCalls && (timed === 0 || spent + best <= budgetSeconds);
      timed++
    ) {
      const seconds = await timeCall();
      best = timed === 0 ? seconds : Math.min(best, seconds);
      spent += seconds;
    }
  } finally {
    disposeParams(model.params);
    tf.dispose([docs.inputIds, docs.attentionMask]);
  }
  const tokensPerCall = ENCODE_BATCH * shape.encodeLength;
  const flops = tokensPerCall * encoderFlopsPerToken(benchEncoder(shape), shape.encodeLength);
  return {
    tokensPerSecond: tokensPerCall / best,
    secondsPerCall: best,
    tokensPerCall,
    gflops: flops / best / 1e9,
  };
}
