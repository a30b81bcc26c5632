/**
 * WordNet as supervised data with hard negatives, split by lemma into train / dev / test.
 *
 * Two kinds of examples, both pointing at a synset's definition:
 *   lemma -> definition     "car" -> "a motor vehicle with four wheels; ..."
 *   example -> definition   "he needs a car to get to work" -> the same definition
 * The hard negatives are the definitions of the lemma's other senses ("a wheeled vehicle
 * adapted to the rails of railroad", ...), most frequent first.
 *
 * A lemma's split comes from a seeded hash of the lemma. Synonyms share a synset, so a
 * definition could belong to a test lemma and a train lemma at once: every synset of a
 * test lemma is a test synset, every other synset of a dev lemma a dev synset, and no
 * record of a split ever shows (as positive or negative) a definition held out for another.
 * Train and dev become supervised records (dev: a validation loss); dev (model selection)
 * and test (the evaluation suite) also become BEIR datasets: corpus = the split's
 * definitions, queries = its lemmas (relevant: each of their senses in the split) and its
 * examples (relevant: their synset).
 */
import type { BeirDataset } from "../../datasets/beir.ts";
import type { SupervisedExample } from "../../datasets/records.ts";
import { hashString } from "../../util/random.ts";
import type { WordNet } from "./wordnet.ts";

/** The three splits. */
export type Split = "train" | "dev" | "test";

/** Options of {@link splitWordNet}. */
export type WordNetSplitOptions = {
  /** Share of lemmas held out for test, and again for dev (small: evaluation is costly). */
  heldOutShare?: number;
  /** Hard negatives kept per example (the paper mines about 10). */
  maxNegatives?: number;
  /** Seed of the lemma hash. */
  seed?: number;
};

/** Supervised train/dev records and BEIR dev/test datasets. */
export type WordNetSplits = {
  train: SupervisedExample[];
  dev: SupervisedExample[];
  devBeir: BeirDataset;
  testBeir: BeirDataset;
};

/** The split of a lemma: a seeded hash, so adding lemmas never moves the others. */
export function lemmaSplit(
  lemma: string,
  { heldOutShare, seed }: { heldOutShare: number; seed: number },
): Split {
  const unit = hashString(lemma, seed) / 4294967296;
  return unit < heldOutShare ? "test" : unit < 2 * heldOutShare ? "dev" : "train";
}

/** Assign every synset a split: test wins over dev, dev over train. */
function synsetSplits(wordnet: WordNet, lemmaSplits: Map<string, Split>): Map<string, Split> {
  const splits = new Map<string, Split>();
  const rank = { train: 0, dev: 1, test: 2 };
  for (const [lemma, ids] of wordnet.senses) {
    const split = lemmaSplits.get(lemma)!;
    for (const id of ids) {
      const current = splits.get(id) ?? "train";
      if (rank[split] >= rank[current]) splits.set(id, split);
    }
  }
  return splits;
}

/** Split WordNet into supervised records and BEIR dev/test sets (deterministic for a seed). */
export function splitWordNet(wordnet: WordNet, options: WordNetSplitOptions = {}): WordNetSplits {
  const { heldOutShare = 0.03, maxNegatives = 8, seed = 13 } = options;
  const lemmaSplits = new Map<string, Split>();
  for (const lemma of wordnet.senses.keys()) {
    lemmaSplits.set(lemma, lemmaSplit(lemma, { heldOutShare, seed }));
  }
  const splits = synsetSplits(wordnet, lemmaSplits);
  const definition = (id: string) => wordnet.synsets.get(id)!.definition;
  const sensesIn = (lemma: string, split: Split) =>
    (wordnet.senses.get(lemma) ?? []).filter((id) => splits.get(id) === split);
  const records: Record<Split, SupervisedExample[]> = { train: [], dev: [], test: [] };
  const addRecord = (split: Split, query: string, lemma: string, positiveId: string) => {
    const negatives = sensesIn(lemma, split).filter((id) => id !== positiveId)
      .map(definition).filter((text) => text !== definition(positiveId)).slice(0, maxNegatives);
    records[split].push({ query, positive: definition(positiveId), negatives, lemma });
  };
  for (const lemma of [...wordnet.senses.keys()].sort()) {
    const split = lemmaSplits.get(lemma)!;
    for (const id of sensesIn(lemma, split)) addRecord(split, lemma, lemma, id);
  }
  for (const id of [...wordnet.synsets.keys()].sort()) {
    const synset = wordnet.synsets.get(id)!;
    const lemma = synset.words[0].toLowerCase();
    for (const example of synset.examples) addRecord(splits.get(id)!, example, lemma, id);
  }
  return {
    train: records.train,
    dev: records.dev,
    devBeir: beirSplit(wordnet, { splits, lemmaSplits, split: "dev" }),
    testBeir: beirSplit(wordnet, { splits, lemmaSplits, split: "test" }),
  };
}

function beirSplit(
  wordnet: WordNet,
  context: { splits: Map<string, Split>; lemmaSplits: Map<string, Split>; split: Split },
): BeirDataset {
  const { splits, lemmaSplits, split } = context;
  const dataset: BeirDataset = {
    name: `wordnet-${split}`,
    corpus: new Map(),
    queries: new Map(),
    qrels: new Map(),
  };
  for (const id of [...wordnet.synsets.keys()].sort()) {
    if (splits.get(id) !== split) continue;
    const synset = wordnet.synsets.get(id)!;
    dataset.corpus.set(id, { title: "", text: synset.definition });
    synset.examples.forEach((example, index) => {
      const queryId = `example:${id}:${index}`;
      dataset.queries.set(queryId, example);
      dataset.qrels.set(queryId, new Map([[id, 1]]));
    });
  }
  for (const lemma of [...wordnet.senses.keys()].sort()) {
    if (lemmaSplits.get(lemma) !== split) continue;
    const relevant = wordnet.senses.get(lemma)!.filter((id) => splits.get(id) === split);
    if (relevant.length === 0) continue;
    const queryId = `lemma:${lemma.replaceAll(" ", "_")}`;
    dataset.queries.set(queryId, lemma);
    dataset.qrels.set(queryId, new Map(relevant.map((id) => [id, 1])));
  }
  return dataset;
}
