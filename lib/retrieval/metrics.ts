/**
 * Ranking metrics with trec_eval's conventions (usnistgov/trec_eval 9.x), the ones
 * pytrec_eval, and through it BEIR, report.
 *
 * - Ranking: documents sorted by score descending, ties broken by document id descending
 *   (`comp_sim_docno` in form_res_rels.c: `strcmp(p2->docno, p1->docno)`). JS compares
 *   UTF-16 code units where strcmp compares bytes; the two orders agree on ASCII ids.
 * - Relevant: grade >= 1 (trec_eval's default `relevance_level`). Grade 0, negative grades
 *   and unjudged documents are non-relevant.
 * - nDCG@k (m_ndcg_cut.c): gain = grade (linear), discount 1/log2(rank + 1); the ideal
 *   ranking sorts the query's judged grades, so relevant documents the run never
 *   retrieved still count against it.
 * - Recall@k = relevant in top k / all relevant. MRR@k = 1 / rank of the first relevant
 *   document within the top k (0 if none). AP = mean over all relevant documents of the
 *   precision at their rank (0 for those not retrieved); MAP is over the whole run, so a
 *   run cut at 100 gives trec_eval's map on that run, i.e. BEIR's MAP@100.
 *
 * Which queries count: those in the qrels (as BEIR, which keeps only judged queries).
 * A judged query missing from the run scores 0 on every metric (trec_eval -c), so a model
 * that returns nothing is not rewarded by a smaller denominator. A query whose judgments
 * are all grade 0 has no relevant document: every metric is 0 for it (idcg = 0 gives 0,
 * as in trec_eval). Run entries for queries absent from the qrels are ignored.
 *
 * @example
 * const judged = new Map([["d1", 1]]);
 * ndcgAt(["d2", "d1"], judged, 10); // 1 / log2(3) = 0.6309...
 */
import type { Qrels } from "../datasets/beir.ts";
import { rankOrder } from "./top_k.ts";
import { mean } from "../util/summary.ts";

/** Retrieval scores by document id, by query id (pytrec_eval's run layout). */
export type Run = Map<string, Map<string, number>>;
/** A metric name: "ndcg@k", "recall@k", "mrr@k" or "map". */
export type Measure = `ndcg@${number}` | `recall@${number}` | `mrr@${number}` | "map";
/** Metric values keyed by measure name. */
export type MetricValues = Record<string, number>;
/** Per-query values (for paired significance tests) and their means over judged queries. */
export type RunEvaluation = {
  mean: MetricValues;
  perQuery: Map<string, MetricValues>;
  queries: number;
};

/** Document ids of `scores` in trec_eval's rank order: score descending, then id descending. */
export function rankDocuments(scores: Map<string, number>): string[] {
  const entries = [...scores];
  for (const [docId, score] of entries) {
    if (Number.isNaN(score)) throw new Error(`rankDocuments: score of "${docId}" is NaN`);
  }
  return entries.map(([id, score]) => ({ id, score })).sort(rankOrder).map(({ id }) => id);
}

/** nDCG of the top `k` of `ranking` against graded judgments (linear gain, log2 discount). */
export function ndcgAt(ranking: string[], judged: Map<string, number>, k: number): number {
  const dcg = (grades: number[]) =>
    grades.slice(0, k).reduce((sum, grade, i) => sum + Math.max(grade, 0) / Math.log2(i + 2), 0);
  const ideal = dcg([...judged.values()].sort((a, b) => b - a));
  return ideal > 0 ? dcg(ranking.map((docId) => judged.get(docId) ?? 0)) / ideal : 0;
}

/** Fraction of the relevant documents (grade >= 1) found in the top `k` of `ranking`. */
export function recallAt(ranking: string[], judged: Map<string, number>, k: number): number {
  const relevant = countRelevant(judged);
  if (relevant === 0) return 0;
  return ranking.slice(0, k).filter((docId) => isRelevant(judged, docId)).length / relevant;
}

/** 1 / rank of the first relevant document within the top `k`; 0 when there is none. */
export function reciprocalRankAt(
  ranking: string[],
  judged: Map<string, number>,
  k: number,
): number {
  const index = ranking.slice(0, k).findIndex((docId) => isRelevant(judged, docId));
  return index === -1 ? 0 : 1 / (index + 1);
}

/** Average precision of the whole `ranking` (unretrieved relevant documents add 0). */
export function averagePrecision(ranking: string[], judged: Map<string, number>): number {
  const relevant = countRelevant(judged);
  if (relevant === 0) return 0;
  let found = 0;
  let sum = 0;
  ranking.forEach((docId, i) => {
    if (isRelevant(judged, docId)) sum += ++found / (i + 1);
  });
  return sum / relevant;
}

/** Value of one `measure` for one query's ranking. */
export function scoreRanking(
  ranking: string[],
  judged: Map<string, number>,
  measure: Measure,
): number {
  if (measure === "map") return averagePrecision(ranking, judged);
  const [name, cutoff] = measure.split("@");
  const k = Number(cutoff);
  if (!Number.isInteger(k) || k < 1) throw new Error(`unknown measure "${measure}": bad cut-off`);
  if (name === "ndcg") return ndcgAt(ranking, judged, k);
  if (name === "recall") return recallAt(ranking, judged, k);
  if (name === "mrr") return reciprocalRankAt(ranking, judged, k);
  throw new Error(`unknown measure "${measure}" (expected ndcg@k, recall@k, mrr@k or map)`);
}

/** Score `run` against `qrels` on each measure, per judged query and as means over them. */
export function evaluateRun(run: Run, qrels: Qrels, measures: readonly Measure[]): RunEvaluation {
  if (qrels.size === 0) {
    throw new Error("evaluateRun: the qrels judge no query, nothing to average");
  }
  const perQuery = new Map<string, MetricValues>();
  for (const [queryId, judged] of qrels) {
    const ranking = rankDocuments(run.get(queryId) ?? new Map());
    const values: MetricValues = {};
    for (const measure of measures) values[measure] = scoreRanking(ranking, judged, measure);
    perQuery.set(queryId, values);
  }
  const means: MetricValues = {};
  for (const measure of measures) {
    means[measure] = mean([...perQuery.values()].map((values) => values[measure]));
  }
  return { mean: means, perQuery, queries: perQuery.size };
}

function isRelevant(judged: Map<string, number>, docId: string): boolean {
  return (judged.get(docId) ?? 0) >= 1;
}

function countRelevant(judged: Map<string, number>): number {
  let count = 0;
  for (const grade of judged.values()) if (grade >= 1) count++;
  return count;
}
