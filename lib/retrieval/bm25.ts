/**
 * BM25 over an in-memory inverted index: the lexical baseline and the hard-negative miner.
 *
 *   score(q, d) = sum over query tokens t of idf(t) * tf (k1 + 1) / (tf + k1 (1 - b + b |d| / avgdl))
 *   idf(t)      = ln(1 + (N - df + 0.5) / (df + 0.5))          (Lucene's, never negative)
 *
 * A token repeated in the query counts once per occurrence, as repeated clauses do in a
 * Lucene BooleanQuery. Lucene 8+ drops the constant (k1 + 1) factor and stores |d| in one
 * lossy byte; we keep Robertson's exact formula, which ranks identically up to that rounding.
 * A document is indexed as its title followed by its text (Pyserini's "flat" BEIR index).
 *
 * @example
 * const index = Bm25Index.build([["d1", "cats purr"], ["d2", "dogs bark at cats"]]);
 * index.search("purring cats", 10);
 * // [{ id: "d1", score: 0.1986 }, { id: "d2", score: 0.1685 }] ("purring" matches nothing)
 */
import type { Corpus, Queries } from "../datasets/beir.ts";
import type { Retriever } from "./evaluate.ts";
import type { Run } from "./metrics.ts";
import { TopK } from "./top_k.ts";
import { mean } from "../util/summary.ts";

/** BM25's two free parameters; defaults are Lucene's and Elasticsearch's (BEIR's BM25 rows). */
export type Bm25Options = { k1?: number; b?: number };

/**
 * Lucene's classic English stop set (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, also
 * Elasticsearch's `_english_`): 33 function words, short enough to keep every content word.
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  ("a an and are as at be but by for if in into is it no not of on or such that the their " +
    "then there these they this to was will with").split(" "),
);

/**
 * Lowercased runs of Unicode letters (with their combining marks) and digits, minus
 * stopwords. No stemming, deliberately: a stemmer is English-only rules whose errors need
 * their own reference data to test, and this baseline's jobs (a reference row, mining hard
 * negatives) need a fixed, plain lexical matcher more than the last point of nDCG; the
 * price is that "retrieval" does not match "retrieve".
 */
export function analyze(text: string): string[] {
  const tokens = text.normalize("NFC").toLowerCase().match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  return tokens.filter((token) => !STOPWORDS.has(token));
}

/** All postings in one flat layout: term t's documents are docs[starts[t]] to docs[starts[t+1] - 1]. */
type Postings = { starts: Int32Array; docs: Int32Array; counts: Int32Array };

/** An inverted index: for each term, the documents containing it and how often. */
export class Bm25Index {
  private readonly averageLength: number;

  private constructor(
    /** Document ids by position. */
    readonly ids: string[],
    private readonly termNumbers: Map<string, number>,
    private readonly postings: Postings,
    private readonly lengths: Int32Array,
    private readonly options: Required<Bm25Options>,
  ) {
    this.averageLength = lengths.length === 0 ? 0 : mean(lengths);
  }

  /** Index `documents` ([id, text] pairs) in one pass. */
  static build(documents: Iterable<[string, string]>, options: Bm25Options = {}): Bm25Index {
    const { k1 = 1.2, b = 0.75 } = options;
    const ids: string[] = [];
    const lengths: number[] = [];
    const termNumbers = new Map<string, number>();
    // One (term, doc, count) triple per distinct term of each document, grouped at the end:
    // flat arrays stay fast at millions of entries, unlike one growing array per term.
    const triples = { terms: [] as number[], docs: [] as number[], counts: [] as number[] };
    const countInDocument: number[] = [];
    const termsInDocument: number[] = [];
    for (const [id, text] of documents) {
      const tokens = analyze(text);
      termsInDocument.length = 0;
      for (const token of tokens) {
        let term = termNumbers.get(token);
        if (term === undefined) {
          term = countInDocument.length;
          termNumbers.set(token, term);
          countInDocument.push(0);
        }
        if (countInDocument[term]++ === 0) termsInDocument.push(term);
      }
      for (const term of termsInDocument) {
        triples.terms.push(term);
        triples.docs.push(ids.length);
        triples.counts.push(countInDocument[term]);
        countInDocument[term] = 0;
      }
      ids.push(id);
      lengths.push(tokens.length);
    }
    const postings = groupByTerm(triples, termNumbers.size);
    return new Bm25Index(ids, termNumbers, postings, Int32Array.from(lengths), { k1, b });
  }

  /** Number of documents containing `term` (an analyzed token). */
  documentFrequency(term: string): number {
    const number = this.termNumbers.get(term);
    if (number === undefined) return 0;
    return this.postings.starts[number + 1] - this.postings.starts[number];
  }

  /** Lucene's BM25 idf of `term`. */
  idf(term: string): number {
    const df = this.documentFrequency(term);
    return Math.log(1 + (this.ids.length - df + 0.5) / (df + 0.5));
  }

  /** The `k` best documents for `query`, best first; documents sharing no term are left out. */
  search(query: string, k: number): { id: string; score: number }[] {
    const { k1, b } = this.options;
    const { starts, docs, counts } = this.postings;
    const scores = new Float64Array(this.ids.length);
    const touched: number[] = [];
    for (const token of analyze(query)) {
      const term = this.termNumbers.get(token);
      if (term === undefined) continue;
      const idf = this.idf(token);
      for (let i = starts[term]; i < starts[term + 1]; i++) {
        const doc = docs[i];
        const tf = counts[i];
        const norm = k1 * (1 - b + (b * this.lengths[doc]) / this.averageLength);
        // Every term adds a positive amount, so a zero score marks a first visit.
        if (scores[doc] === 0) touched.push(doc);
        scores[doc] += (idf * tf * (k1 + 1)) / (tf + norm);
      }
    }
    const top = new TopK<string>(k);
    for (const doc of touched) top.push(scores[doc], this.ids[doc]);
    return top.best();
  }
}

/** Counting sort of the triples by term; documents stay in indexing order within a term. */
function groupByTerm(
  triples: { terms: number[]; docs: number[]; counts: number[] },
  termCount: number,
): Postings {
  const starts = new Int32Array(termCount + 1);
  for (const term of triples.terms) starts[term + 1]++;
  for (let term = 0; term < termCount; term++) starts[term + 1] += starts[term];
  const next = starts.slice(0, termCount);
  const docs = new Int32Array(triples.terms.length);
  const counts = new Int32Array(triples.terms.length);
  triples.terms.forEach((term, i) => {
    const at = next[term]++;
    docs[at] = triples.docs[i];
    counts[at] = triples.counts[i];
  });
  return { starts, docs, counts };
}

/** The title-then-text string BM25 indexes for a corpus document. */
export function documentText(document: { title: string; text: string }): string {
  return document.title === "" ? document.text : `${document.title} ${document.text}`;
}

/**
 * A Retriever that indexes `corpus` once and answers each query with BM25's top k; the
 * index is exposed for callers that also score chosen documents (hard-negative mining).
 */
export function bm25Retriever(
  corpus: Corpus,
  options: Bm25Options = {},
): Retriever & { index: Bm25Index } {
  const documents = [...corpus].map(([id, doc]): [string, string] => [id, documentText(doc)]);
  const index = Bm25Index.build(documents, options);
  return {
    name: "bm25",
    index,
    search(queries: Queries, k: number): Promise<Run> {
      const run: Run = new Map();
      for (const [queryId, text] of queries) {
        run.set(queryId, new Map(index.search(text, k).map(({ id, score }) => [id, score])));
      }
      return Promise.resolve(run);
    },
  };
}
