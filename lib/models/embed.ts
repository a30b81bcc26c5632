/**
 * Texts through a model: tokenise with the model's input config, run the encoder, and
 * return what the scoring code consumes: ColBERT token embeddings with their scoring
 * mask, or one pooled vector per text for a dense model.
 */
import * as tf from "@tensorflow/tfjs";
import { colbertDocumentBatch, colbertLengths, colbertQueryBatch } from "./colbert_inputs.ts";
import type { Encoded } from "../losses/contrastive.ts";
import type { EncoderBatch } from "./encoder_inputs.ts";
import { encodePooled, encodeTokens, type Model } from "./model.ts";
import { plainBatch, type TokenBatch } from "./text_batch.ts";
import type { Tokenizer } from "./tokenizer.ts";

/** Which side of retrieval a text is on (queries and documents are tokenised differently). */
export type Side = "query" | "document";

/** Typed-array token rows as encoder input tensors (ids int32, mask float32, pair ids int32). */
export function encoderInputs(rows: TokenBatch): EncoderBatch {
  const shape: [number, number] = [rows.batchSize, rows.length];
  const optional = (values?: Int32Array) => values && tf.tensor2d(values, shape, "int32");
  return {
    inputIds: tf.tensor2d(rows.inputIds, shape, "int32"),
    attentionMask: tf.tensor2d(Float32Array.from(rows.attentionMask), shape),
    tokenTypeIds: optional(rows.tokenTypeIds),
    exactMatch: optional(rows.exactMatch),
  };
}

/** Token rows of `texts` as the model reads them on `side`. */
export function tokenRows(
  model: Model,
  tokenizer: Tokenizer,
  { texts, side }: { texts: readonly string[]; side: Side },
): TokenBatch {
  const inputs = model.config.inputs;
  if (model.config.kind === "colbert") {
    return side === "query"
      ? colbertQueryBatch(tokenizer, texts, inputs)
      : colbertDocumentBatch(tokenizer, texts, inputs);
  }
  // Dense models read the same prompts and lengths, without markers or expansion tokens.
  const lengths = colbertLengths(inputs);
  const prompt = inputs.prompts
    ? (side === "query" ? inputs.queryPrompt : inputs.documentPrompt)
    : "";
  return plainBatch(tokenizer, texts, { maxLength: lengths[side], prompt });
}

/**
 * Encode token rows with gradient tracking left to the caller: ColBERT gives
 * `{ embeddings, mask }` (mask = the scoring mask), dense gives [B, dim] vectors.
 */
export function embedRows(model: Model, rows: TokenBatch): Encoded {
  return tf.tidy(() => {
    const inputs = encoderInputs(rows);
    if (model.config.kind === "dense") return encodePooled(model, inputs);
    const mask = tf.tensor2d(rows.scoringMask, [rows.batchSize, rows.length]);
    return { embeddings: encodeTokens(model, inputs), mask };
  });
}

/** Encode `texts` on `side` (tokenise + {@link embedRows}). */
export function embedTexts(
  model: Model,
  tokenizer: Tokenizer,
  { texts, side }: { texts: readonly string[]; side: Side },
): Encoded {
  return embedRows(model, tokenRows(model, tokenizer, { texts, side }));
}
