/**
 * A trained ColBERT or dense model as a {@link Retriever}: the corpus is encoded once into
 * a token-embedding index, queries are encoded per search, and an exhaustive search
 * (MaxSim, or the dot product for one vector per text) ranks the whole corpus.
 */
import * as tf from "@tensorflow/tfjs";
import type { Corpus, Queries } from "../datasets/beir.ts";
import { documentText } from "./bm25.ts";
import { embedTexts, type Side } from "../models/embed.ts";
import { disposeEncoded } from "../losses/contrastive.ts";
import type { Retriever } from "./evaluate.ts";
import type { Run } from "./metrics.ts";
import type { Model } from "../models/model.ts";
import {
  concatIndexes,
  indexFromBatch,
  indexFromVectors,
  type Searcher,
  type TokenEmbeddingIndex,
} from "./search.ts";
import type { Tokenizer } from "../models/tokenizer.ts";
import { fastestSearcher } from "./blas_searcher.ts";
import { encodingHeapBytes, refuseUnlessFits, rowsThatFit } from "../compute/heap_need.ts";
import { encoderShape } from "../models/encoder.ts";
import { colbertLengths } from "../models/colbert_inputs.ts";

/**
 * Texts encoded per call: `batchSize`, or fewer where a call of it would not fit the backend's
 * memory (the wasm heap, or the machine's on tensorflow) at the side's longest input (a call that fits is never split, so its
 * vectors stay bit for bit what they were). Throws when not even one text fits.
 */
export function encodeChunkSize(model: Model, side: Side, batchSize: number): number {
  const shape = encoderShape(model.config.transformer);
  const length = colbertLengths(model.config.inputs)[side];
  const architecture = model.config.transformer.modelType;
  const need = (rows: number) => encodingHeapBytes(shape, { rows, length }, architecture);
  const fitting = rowsThatFit(batchSize, need);
  if (fitting === 0) {
    refuseUnlessFits(need(1), { what: `encoding one ${side}`, setting: `the ${side} length` });
  }
  return fitting;
}

/** Options of {@link neuralRetriever}. */
export interface NeuralRetrieverOptions {
  /** The documents searched, encoded once on the first search. */
  corpus: Corpus;
  /** Texts encoded at once (bounds the encoder's activation memory). */
  batchSize?: number;
  /** The exhaustive search to use (OpenBLAS where it loads, else tfjs: {@link fastestSearcher}). */
  searcher?: Searcher;
  /** Name shown in reports. */
  name?: string;
}

/** Encode `texts` on `side` in batches into one index. */
export async function encodeIndex(
  model: Model,
  tokenizer: Tokenizer,
  options: { texts: readonly string[]; side: Side; batchSize?: number },
): Promise<TokenEmbeddingIndex> {
  const { texts, side } = options;
  const batchSize = encodeChunkSize(model, side, options.batchSize ?? 64);
  const parts: TokenEmbeddingIndex[] = [];
  for (let start = 0; start < texts.length; start += batchSize) {
    const encoded = embedTexts(model, tokenizer, {
      texts: texts.slice(start, start + batchSize),
      side,
    });
    parts.push(
      encoded instanceof tf.Tensor
        ? await indexFromVectors(encoded)
        : await indexFromBatch(encoded),
    );
    disposeEncoded(encoded);
  }
  return concatIndexes(parts);
}

/** A retriever over `corpus` with `model`; the corpus is encoded on first search. */
export function neuralRetriever(
  model: Model,
  tokenizer: Tokenizer,
  options: NeuralRetrieverOptions,
): Retriever {
  const { corpus, batchSize = 64 } = options;
  const ids = [...corpus.keys()];
  let index: Promise<TokenEmbeddingIndex> | undefined;
  return {
    name: options.name ?? `${model.config.kind} model`,
    async search(queries: Queries, k: number): Promise<Run> {
      index ??= encodeIndex(model, tokenizer, {
        texts: ids.map((id) => documentText(corpus.get(id)!)),
        side: "document",
        batchSize,
      });
      const queryIds = [...queries.keys()];
      const encoded = await encodeIndex(model, tokenizer, {
        texts: queryIds.map((id) => queries.get(id)!),
        side: "query",
        batchSize,
      });
      const searcher = options.searcher ?? await fastestSearcher();
      const rankings = await searcher(encoded, await index, { k });
      const run: Run = new Map();
      rankings.forEach((ranking, i) => {
        const scores = new Map<string, number>();
        ranking.indices.forEach((doc, rank) => scores.set(ids[doc], ranking.scores[rank]));
        run.set(queryIds[i], scores);
      });
      return run;
    },
  };
}
