/**
 * Glue between retrievers and metrics: run a retriever over a dataset's judged queries and
 * score its run. A Retriever is anything that maps queries to scored documents, so BM25
 * now and neural models later (ColBERT, dense) are evaluated by the same code.
 */
import type { BeirDataset, Queries } from "../datasets/beir.ts";
import { evaluateRun, type Measure, type MetricValues, type Run } from "./metrics.ts";

/** A retrieval model: its name and a batch search returning each query's top k documents. */
export interface Retriever {
  /** Shown in reports and tables. */
  name: string;
  /** Scores of (at most) the `k` best documents for every query, by query id. */
  search(queries: Queries, k: number): Promise<Run>;
}

/** The measures every evaluation reports, in the order they are printed. */
export const MEASURES = [
  "ndcg@10",
  "recall@100",
  "mrr@10",
  "map",
] as const satisfies readonly Measure[];

/** Mean metrics over the judged queries, their count, and each query's values. */
export type Evaluation = {
  "ndcg@10": number;
  "recall@100": number;
  "mrr@10": number;
  map: number;
  queries: number;
  perQuery: Map<string, MetricValues>;
  /** The ranking that was scored (for a TREC run file). */
  run: Run;
};

/**
 * Evaluate `retriever` on `dataset`: only queries with judgments are searched (BEIR's rule),
 * each for its top `k` documents (MAP is over that depth: MAP@k).
 */
export async function evaluateRetriever(
  dataset: BeirDataset,
  retriever: Retriever,
  options: { k?: number } = {},
): Promise<Evaluation> {
  const { k = 100 } = options;
  if (dataset.qrels.size === 0) throw new Error(`${dataset.name}: no judged query to evaluate`);
  const judgedQueries: Queries = new Map();
  for (const queryId of dataset.qrels.keys()) {
    const text = dataset.queries.get(queryId);
    if (text === undefined) {
      throw new Error(`${dataset.name}: judged query "${queryId}" has no text`);
    }
    judgedQueries.set(queryId, text);
  }
  const run = await retriever.search(judgedQueries, k);
  const { mean, perQuery, queries } = evaluateRun(run, dataset.qrels, MEASURES);
  return {
    "ndcg@10": mean["ndcg@10"],
    "recall@100": mean["recall@100"],
    "mrr@10": mean["mrr@10"],
    map: mean.map,
    queries,
    perQuery,
    run,
  };
}
