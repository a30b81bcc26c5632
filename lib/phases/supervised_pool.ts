/**
 * The supervised examples a run trains on and the corpus they are mined against.
 *
 * The paper trains one epoch; a profile affords `steps x batchSize` examples, so a fixed
 * seeded sample of the WordNet training file (the same for every pipeline, as the paper
 * uses the same data everywhere) forms the pool. Its corpus is every gloss the pool
 * mentions (positives and the lexicographers' negatives), which is where hard negatives
 * are mined, with BM25 and with the model being fine-tuned.
 */
import type { Corpus } from "../datasets/beir.ts";
import { seededRandom, shuffled } from "../util/random.ts";
import type { Pair, SupervisedExample } from "../datasets/records.ts";
import {
  type LabelledQuery,
  mineHardNegatives,
  type MiningScorer,
  withMinedNegatives,
} from "../retrieval/mining.ts";
import { lexicalNegatives } from "./negatives.ts";

/**
 * The teacher's examples (its training pool and the KD queries): WordNet's supervised
 * examples and as many unsupervised pairs again, taken from each source in turn, each pair
 * a supervised example whose negatives BM25 mines. WordNet alone asks for word meanings
 * with few shared words, and a cross-encoder from scratch learns little there (top-1 of 6
 * 0.23-0.25 against chance 0.17 in diagnostics); the paper's teacher, too, was trained on
 * far more than its students' fine-tuning mix, and its KD queries (MS MARCO) are lexical.
 */
export function teacherExamples(
  supervised: readonly SupervisedExample[],
  sources: readonly { pairs: readonly Pair[] }[],
): SupervisedExample[] {
  const pairs: SupervisedExample[] = [];
  for (let i = 0; pairs.length < supervised.length; i++) {
    const row = sources.filter((source) => i < source.pairs.length);
    if (row.length === 0) break;
    for (const { pairs: list } of row.slice(0, supervised.length - pairs.length)) {
      const { query, document, group } = list[i];
      pairs.push({ query, positive: document, negatives: [], lemma: group });
    }
  }
  return [...supervised, ...pairs];
}

/** Examples, their labelled queries and the corpus of their glosses. */
export interface SupervisedPool {
  examples: SupervisedExample[];
  queries: LabelledQuery[];
  corpus: Corpus;
}

/** Seed of the sample: fixed, so every pipeline and seed trains on the same examples. */
const SAMPLE_SEED = 20260216;

/** `count` examples of `all` starting at `offset` of a fixed shuffle, with their gloss corpus. */
export function supervisedPool(
  all: readonly SupervisedExample[],
  count: number,
  offset = 0,
): SupervisedPool {
  if (offset + count > all.length) {
    throw new Error(
      `the pool needs ${offset + count} supervised examples, the data has ${all.length}`,
    );
  }
  const examples = shuffled([...all], seededRandom(SAMPLE_SEED)).slice(offset, offset + count);
  const ids = new Map<string, string>();
  const idOf = (text: string) => {
    if (!ids.has(text)) ids.set(text, `g${ids.size}`);
    return ids.get(text)!;
  };
  const queries = examples.map((e, i) => ({
    id: `q${offset + i}`,
    text: e.query,
    positive: idOf(e.positive),
  }));
  for (const example of examples) example.negatives.forEach(idOf);
  const corpus: Corpus = new Map([...ids].map(([text, id]) => [id, { title: "", text }]));
  return { examples, queries, corpus };
}

/**
 * Exactly `count` negatives per example: the lexicographers' own, then those mined by each
 * scorer in turn (each with the false-negative guard), then random other positives.
 */
export async function minedNegatives(
  pool: SupervisedPool,
  scorers: MiningScorer[],
  options: { count: number; seed: number },
): Promise<string[][]> {
  let examples = pool.examples;
  for (const scorer of scorers) {
    const mined = await mineHardNegatives(pool.queries, scorer, { count: options.count });
    examples = examples.map((example, i) => {
      const ids = mined.negatives.get(pool.queries[i].id) ?? [];
      return withMinedNegatives(example, ids.map((id) => pool.corpus.get(id)!.text));
    });
  }
  return lexicalNegatives(examples, { count: options.count, seed: options.seed });
}
