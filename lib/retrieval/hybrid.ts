/**
 * A hybrid of a dense model and BM25: each one's scores standardised over the documents
 * being compared (z-scores, so that a cosine and a BM25 sum become comparable), then mixed
 * with BM25's weight (0: the dense model alone). The `pretrained` profile's teacher, with a
 * dense model fine-tuned here: no cross-encoder can be downloaded here, and one fine-tuned on
 * this CPU from all-MiniLM-L6-v2 for minutes stays below BM25 (docs/study_notes.md).
 */
import * as tf from "@tensorflow/tfjs";
import type { Corpus } from "../datasets/beir.ts";
import { encoderInputs, tokenRows } from "../models/embed.ts";
import { encodePooled, type Model } from "../models/model.ts";
import type { Tokenizer } from "../models/tokenizer.ts";
import type { Retriever } from "./evaluate.ts";
import type { Run } from "./metrics.ts";
import { bm25Retriever, documentText } from "./bm25.ts";
import { neuralRetriever } from "./neural_retriever.ts";
import { mean } from "../util/summary.ts";

/** `values` standardised: mean 0, standard deviation 1 (all 0 when they are all equal). */
export function standardised(values: readonly number[]): number[] {
  const centre = mean(values);
  const spread = Math.sqrt(mean(values.map((x) => (x - centre) ** 2)));
  return values.map((x) => spread > 0 ? (x - centre) / spread : 0);
}

/** `(1 - weight) x z(dense) + weight x z(lexical)`, element by element. */
export function fuseScores(
  dense: readonly number[],
  lexical: readonly number[],
  weight: number,
): number[] {
  if (dense.length !== lexical.length) {
    throw new Error(`hybrid.ts: ${dense.length} dense scores but ${lexical.length} BM25 scores`);
  }
  const [a, b] = [standardised(dense), standardised(lexical)];
  return a.map((x, i) => (1 - weight) * x + weight * b[i]);
}

/**
 * Fuse two runs query by query over the union of their documents; a document one run did
 * not return gets that run's lowest score for the query (it ranked no higher than the last
 * document that run returned, and ties with it).
 */
export function fuseRuns(dense: Run, lexical: Run, weight: number): Run {
  const fused: Run = new Map();
  for (const queryId of new Set([...dense.keys(), ...lexical.keys()])) {
    const [a, b] = [dense.get(queryId) ?? new Map(), lexical.get(queryId) ?? new Map()];
    const ids = [...new Set([...a.keys(), ...b.keys()])];
    const [lowestA, lowestB] = [lowest(a), lowest(b)];
    const scores = fuseScores(
      ids.map((id) => a.get(id) ?? lowestA),
      ids.map((id) => b.get(id) ?? lowestB),
      weight,
    );
    fused.set(queryId, new Map(ids.map((id, i) => [id, scores[i]])));
  }
  return fused;
}

function lowest(scores: Map<string, number>): number {
  return scores.size ? Math.min(...scores.values()) : 0;
}

/** Options of the hybrid's retriever and scorer. */
export interface HybridOptions {
  corpus: Corpus;
  /** BM25's share of the mix, 0 (dense only) to 1 (BM25 only). */
  weight: number;
}

/** Retrieve with `dense` and BM25 (`depth` each), fused; the best `k` of the union kept. */
export function hybridRetriever(
  dense: Model,
  tokenizer: Tokenizer,
  options: HybridOptions & { depth: number },
): Retriever {
  const lexical = bm25Retriever(options.corpus);
  const neural = neuralRetriever(dense, tokenizer, { corpus: options.corpus });
  return {
    name: `dense + BM25 (weight ${options.weight})`,
    async search(queries, k) {
      const depth = Math.max(k, options.depth);
      const fused = fuseRuns(
        await neural.search(queries, depth),
        await lexical.search(queries, depth),
        options.weight,
      );
      return new Map(
        [...fused].map(([id, scores]) => [
          id,
          new Map([...scores].sort((x, y) => y[1] - x[1]).slice(0, k)),
        ]),
      );
    },
  };
}

/**
 * The hybrid as a teacher of chosen documents (the KD file's candidates): the dense model's
 * scores (cosines, for a model that normalises) and BM25 over `corpus` (its statistics),
 * fused over the candidates of the query.
 */
export function hybridScorer(
  dense: Model,
  tokenizer: Tokenizer,
  options: HybridOptions,
): (query: string, documents: readonly string[]) => Promise<number[]> {
  // At weight 0 BM25 adds 0 x z(BM25) to each score and the candidates are given, so the
  // fused scores are z(dense) whatever BM25 says: neither index nor search is needed.
  if (options.weight === 0) {
    return async (query, documents) =>
      standardised(await denseScores(dense, tokenizer, query, documents));
  }
  const { index } = bm25Retriever(options.corpus);
  // The candidates come as texts (the KD file's teacher sees what the students see).
  const textIds = new Map(
    [...options.corpus].map(([id, document]) => [documentText(document), id]),
  );
  return async (query, documents) => {
    const scores = await denseScores(dense, tokenizer, query, documents);
    const matched = new Map(
      index.search(query, options.corpus.size).map(({ id, score }) => [id, score]),
    );
    // A document sharing no term with the query scores 0, as BM25 gives it.
    const lexical = documents.map((text) => matched.get(textIds.get(text) ?? "") ?? 0);
    return fuseScores(scores, lexical, options.weight);
  };
}

async function denseScores(
  model: Model,
  tokenizer: Tokenizer,
  query: string,
  documents: readonly string[],
): Promise<number[]> {
  const encode = (texts: readonly string[], side: "query" | "document") =>
    encodePooled(model, encoderInputs(tokenRows(model, tokenizer, { texts, side })));
  const scores = tf.tidy(() => {
    const q = encode([query], "query");
    const d = encode(documents, "document");
    return tf.matMul(d, q, false, true).reshape([documents.length]);
  });
  const values = Array.from(await scores.data());
  scores.dispose();
  return values;
}
