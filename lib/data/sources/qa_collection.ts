/**
 * A question-answer collection (a FAQ, man pages) laid out as a BEIR dataset: each
 * question is a query whose one relevant document is its own answer, and the corpus is
 * every answer, the pairing chosen by the documents' authors.
 */
import type { BeirDataset } from "../../datasets/beir.ts";
import { collapseWhitespace, wordCount } from "../../util/text.ts";

/** One question with its answer; `id` is unique within the collection, `title` optional. */
export type QaPair = { id: string; question: string; answer: string; title?: string };

/** Answers shorter than this many words say nothing retrievable ("See perlfunc."). */
export const MIN_ANSWER_WORDS = 5;

/** Build the BEIR dataset of `pairs` (query `q:<id>` -> document `d:<id>`, grade 1). */
export function qaDataset(name: string, pairs: QaPair[]): BeirDataset {
  const dataset: BeirDataset = { name, corpus: new Map(), queries: new Map(), qrels: new Map() };
  for (const pair of pairs) {
    const question = collapseWhitespace(pair.question);
    const answer = collapseWhitespace(pair.answer);
    if (question === "" || wordCount(answer) < MIN_ANSWER_WORDS) continue;
    if (dataset.corpus.has(`d:${pair.id}`)) throw new Error(`${name}: duplicate id "${pair.id}"`);
    dataset.corpus.set(`d:${pair.id}`, { title: pair.title ?? "", text: answer });
    dataset.queries.set(`q:${pair.id}`, question);
    dataset.qrels.set(`q:${pair.id}`, new Map([[`d:${pair.id}`, 1]]));
  }
  return dataset;
}
