/**
 * Hard-negative mining for the supervised phase: for each query, the best-scored corpus
 * documents that are not its positive, as the paper mines about 10 per query.
 *
 * A miner is a {@link MiningScorer}: a {@link Retriever} (top candidates) that can also score
 * chosen documents, because the false-negative guard needs the positive's score even when
 * the positive is not among the candidates. The guard is NV-Retriever's "TopK-PercPos": a
 * candidate scoring above `margin` x the positive's score is too close to the positive to
 * be trusted as irrelevant (unlabelled positives, paraphrases of it) and is skipped.
 *
 * ```ts
 * const scorer = bm25Scorer(corpus); // or modelScorer(model, tokenizer, { corpus })
 * const mined = await mineHardNegatives(
 *   [{ id: "q1", text: "cats purr", positive: "d1" }],
 *   scorer,
 *   { count: 10, depth: 50, margin: 0.95 },
 * );
 * mined.negatives.get("q1"); // ["d7", "d3", ...] best first, never "d1"
 * ```
 */
import type { Corpus, Queries } from "../datasets/beir.ts";
import { Bm25Index, type Bm25Options, documentText } from "./bm25.ts";
import type { SupervisedExample } from "../datasets/records.ts";
import type { Retriever } from "./evaluate.ts";
import { rankDocuments, type Run } from "./metrics.ts";
import type { Model } from "../models/model.ts";
import { encodeIndex, neuralRetriever, type NeuralRetrieverOptions } from "./neural_retriever.ts";
import { concatIndexes, searchMaxSim, type TokenEmbeddingIndex } from "./search.ts";
import type { Tokenizer } from "../models/tokenizer.ts";

/** A training query and the id of its one labelled positive document. */
export interface LabelledQuery {
  id: string;
  text: string;
  positive: string;
}

/** A first-stage model over a fixed corpus that can also score documents it did not return. */
export interface MiningScorer extends Retriever {
  /** For each query id of `documentIds`, the scores of the listed corpus documents. */
  score(queries: Queries, documentIds: ReadonlyMap<string, readonly string[]>): Promise<Run>;
}

/** Options of {@link mineHardNegatives}. */
export interface MiningOptions {
  /** Negatives kept per query (the paper mines about 10). */
  count?: number;
  /** Candidates retrieved per query; negatives come only from these. */
  depth?: number;
  /** Candidates scoring above margin x the positive's score are skipped (NV-Retriever: 0.95). */
  margin?: number;
}

/** What mining found, with the counts a phase reports. */
export interface MinedNegatives {
  /** Negative document ids by query id, best-scored first (possibly fewer than `count`). */
  negatives: Map<string, string[]>;
  /** Queries whose positive was among their `depth` candidates. */
  positivesRetrieved: number;
  /** Candidates skipped by the false-negative guard, over all queries. */
  guardDropped: number;
  /** Queries whose positive scored 0 or less, mined without the guard. */
  unguarded: number;
  /** Queries left with fewer than `count` negatives. */
  short: number;
}

/**
 * Up to `count` negatives per query from its top `depth` candidates under `scorer`, best
 * first, never the positive, and none scoring above `margin` x the positive's score.
 * Deterministic: candidates are ranked by score, ties by id (trec_eval's order).
 *
 * The guard is skipped for a positive scoring 0 or less: the scorer cannot see it at all
 * (BM25: no term shared with the query), so the ratio says nothing about the candidates,
 * and applying it would drop every one. On WordNet this is most queries under BM25 (a
 * lemma seldom appears in its own gloss), which the `unguarded` count reports.
 */
export async function mineHardNegatives(
  queries: readonly LabelledQuery[],
  scorer: MiningScorer,
  options: MiningOptions = {},
): Promise<MinedNegatives> {
  const { count = 10, depth = 50, margin = 0.95 } = options;
  if (!(Number.isInteger(count) && count >= 1)) {
    throw new Error(`mining.ts: count must be an integer >= 1, got ${count}`);
  }
  if (!(Number.isInteger(depth) && depth >= 1)) {
    throw new Error(`mining.ts: depth must be an integer >= 1, got ${depth}`);
  }
  if (!(margin > 0)) throw new Error(`mining.ts: margin must be > 0, got ${margin}`);
  const texts: Queries = new Map();
  for (const query of queries) {
    if (texts.has(query.id)) throw new Error(`mining.ts: duplicate query id "${query.id}"`);
    texts.set(query.id, query.text);
  }
  const run = await scorer.search(texts, depth);
  const unscored = queries.filter((query) => !run.get(query.id)?.has(query.positive));
  const positiveScores = await scorer.score(
    new Map(unscored.map((query) => [query.id, query.text])),
    new Map(unscored.map((query) => [query.id, [query.positive]])),
  );
  const mined: MinedNegatives = {
    negatives: new Map(),
    positivesRetrieved: queries.length - unscored.length,
    guardDropped: 0,
    unguarded: 0,
    short: 0,
  };
  for (const query of queries) {
    const candidates = run.get(query.id) ?? new Map<string, number>();
    const positiveScore = candidates.get(query.positive) ??
      positiveScores.get(query.id)?.get(query.positive);
    if (positiveScore === undefined) {
      throw new Error(`mining.ts: ${scorer.name} gave no score to positive "${query.positive}"`);
    }
    const ceiling = positiveScore > 0 ? margin * positiveScore : Infinity;
    if (positiveScore <= 0) mined.unguarded++;
    const negatives: string[] = [];
    for (const id of rankDocuments(candidates)) {
      if (negatives.length === count) break;
      if (id === query.positive) continue;
      if (candidates.get(id)! > ceiling) mined.guardDropped++;
      else negatives.push(id);
    }
    if (negatives.length < count) mined.short++;
    mined.negatives.set(query.id, negatives);
  }
  return mined;
}

/** BM25 over `corpus` (title then text) as a {@link MiningScorer}. */
export function bm25Scorer(corpus: Corpus, options: Bm25Options = {}): MiningScorer {
  const index = Bm25Index.build(
    [...corpus].map(([id, document]): [string, string] => [id, documentText(document)]),
    options,
  );
  const everyDocument = index.ids.length;
  return {
    name: "bm25",
    search(queries, k) {
      const run: Run = new Map();
      for (const [queryId, text] of queries) {
        run.set(queryId, new Map(index.search(text, k).map(({ id, score }) => [id, score])));
      }
      return Promise.resolve(run);
    },
    score(queries, documentIds) {
      const run: Run = new Map();
      for (const [queryId, ids] of documentIds) {
        // A full search lists every document sharing a term; the others score 0.
        const all = new Map(
          index.search(textOf(queries, queryId), everyDocument).map(({ id, score }) => [id, score]),
        );
        run.set(queryId, new Map(ids.map((id) => [id, all.get(id) ?? 0])));
      }
      return Promise.resolve(run);
    },
  };
}

/**
 * A ColBERT or dense `model` as a {@link MiningScorer}: searching is {@link neuralRetriever}
 * (the corpus encoded once); scoring encodes only the queries and documents asked for and
 * applies the same exhaustive search to them, so both give the same score to a pair.
 */
export function modelScorer(
  model: Model,
  tokenizer: Tokenizer,
  options: NeuralRetrieverOptions,
): MiningScorer {
  const { corpus, batchSize = 64, searcher = searchMaxSim } = options;
  const retriever = neuralRetriever(model, tokenizer, options);
  return {
    name: retriever.name,
    search: (queries, k) => retriever.search(queries, k),
    async score(queries, documentIds) {
      const queryIds = [...documentIds.keys()];
      const wanted = [...new Set([...documentIds.values()].flat())];
      if (wanted.length === 0) return new Map(queryIds.map((id) => [id, new Map()]));
      const [queryIndex, documentIndex] = await Promise.all([
        encodeIndex(model, tokenizer, {
          texts: queryIds.map((id) => textOf(queries, id)),
          side: "query",
          batchSize,
        }),
        encodeIndex(model, tokenizer, {
          texts: wanted.map((id) => corpusText(corpus, id)),
          side: "document",
          batchSize,
        }),
      ]);
      const position = new Map(wanted.map((id, i) => [id, i]));
      const run: Run = new Map();
      for (const [row, queryId] of queryIds.entries()) {
        const ids = documentIds.get(queryId)!;
        if (ids.length === 0) {
          run.set(queryId, new Map());
          continue;
        }
        const documents = selectTexts(documentIndex, ids.map((id) => position.get(id)!));
        const [ranking] = await searcher(selectTexts(queryIndex, [row]), documents, {
          k: ids.length,
        });
        const scores = new Map<string, number>();
        ranking.indices.forEach((slot, rank) => scores.set(ids[slot], ranking.scores[rank]));
        run.set(queryId, scores);
      }
      return run;
    },
  };
}

/** The texts at `positions` of an index, in that order, as an index of their own. */
function selectTexts(
  index: TokenEmbeddingIndex,
  positions: readonly number[],
): TokenEmbeddingIndex {
  const { dim, offsets, vectors } = index;
  return concatIndexes(positions.map((i) => ({
    dim,
    vectors: vectors.subarray(offsets[i] * dim, offsets[i + 1] * dim),
    offsets: Int32Array.of(0, offsets[i + 1] - offsets[i]),
  })));
}

function textOf(queries: Queries, queryId: string): string {
  const text = queries.get(queryId);
  if (text === undefined) throw new Error(`mining.ts: no text for query "${queryId}"`);
  return text;
}

function corpusText(corpus: Corpus, documentId: string): string {
  const document = corpus.get(documentId);
  if (document === undefined) throw new Error(`mining.ts: unknown document id "${documentId}"`);
  return documentText(document);
}

/** Whitespace runs as one space, ends trimmed: how two negatives are found to be the same. */
function sameTextKey(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * `example` with `minedTexts` appended to its lexicographer negatives (which stay first:
 * they are the negatives the data was designed with), without repeating a text and
 * without the positive's text (a corpus may hold the same gloss under another id).
 */
export function withMinedNegatives(
  example: SupervisedExample,
  minedTexts: readonly string[],
): SupervisedExample {
  const seen = new Set([sameTextKey(example.positive)]);
  const negatives: string[] = [];
  for (const text of [...example.negatives, ...minedTexts]) {
    const key = sameTextKey(text);
    if (seen.has(key)) continue;
    seen.add(key);
    negatives.push(text);
  }
  return { ...example, negatives };
}
