/**
 * Validation during training, as the paper uses NanoBEIR: nDCG@10 on a small, fixed
 * subset of each dev set (a seeded sample of its judged queries and a corpus of their
 * relevant documents plus a fixed sample of others), averaged over the dev sets.
 */
import type { BeirDataset, Corpus, Qrels } from "../datasets/beir.ts";
import { seededRandom, shuffled } from "../util/random.ts";
import { mean } from "../util/summary.ts";
import { evaluateRetriever } from "../retrieval/evaluate.ts";
import type { Model } from "../models/model.ts";
import { neuralRetriever } from "../retrieval/neural_retriever.ts";
import type { StudyContext } from "./phase.ts";

/** Distractor documents per selected query in a dev subset (NanoBEIR keeps a few thousand). */
const DISTRACTORS_PER_QUERY = 20;

/**
 * A NanoBEIR-style subset of `dataset`: a seeded sample of `queries` judged queries, their
 * relevant documents, and a fixed seeded sample of other documents up to `corpus` in all
 * (20 per query by default). A dataset already that small is returned whole. Sampled, not
 * the first ids: ids often group queries by kind (WordNet's `example:` ids sort before its
 * lemma queries), and the first ones would all be of one kind.
 */
export function nanoSubset(
  dataset: BeirDataset,
  options: { queries: number; corpus?: number; seed?: number },
): BeirDataset {
  const { queries, corpus: corpusSize = (DISTRACTORS_PER_QUERY + 1) * queries, seed = 0 } = options;
  if (dataset.qrels.size <= queries && dataset.corpus.size <= corpusSize) return dataset;
  const chosen = shuffled([...dataset.qrels.keys()].sort(), seededRandom(seed))
    .slice(0, queries).sort();
  const qrels: Qrels = new Map(chosen.map((id) => [id, dataset.qrels.get(id)!]));
  const keep = new Set(chosen.flatMap((id) => [...dataset.qrels.get(id)!.keys()]));
  const others = shuffled(
    [...dataset.corpus.keys()].filter((id) => !keep.has(id)).sort(),
    seededRandom(seed),
  );
  for (const id of others.slice(0, Math.max(0, corpusSize - keep.size))) keep.add(id);
  const corpus: Corpus = new Map([...keep].sort().map((id) => [id, dataset.corpus.get(id)!]));
  return {
    name: `nano-${dataset.name}`,
    corpus,
    queries: new Map(chosen.map((id) => [id, dataset.queries.get(id)!])),
    qrels,
  };
}

const subsets = new WeakMap<StudyContext, BeirDataset[]>();

/** A validation function for `model`: dev nDCG@10 per dev set and their mean. */
export function devValidator(
  context: StudyContext,
  model: Model,
): () => Promise<Record<string, number>> {
  return async () => {
    let nano = subsets.get(context);
    if (!nano) {
      nano = context.data.dev.map((dataset) =>
        nanoSubset(dataset, { queries: context.profile.devQueries })
      );
      subsets.set(context, nano);
    }
    const metrics: Record<string, number> = {};
    for (const dataset of nano) {
      const retriever = neuralRetriever(model, context.tokenizer, { corpus: dataset.corpus });
      metrics[`${dataset.name}/ndcg@10`] =
        (await evaluateRetriever(dataset, retriever, { k: 10 }))["ndcg@10"];
    }
    metrics["dev/ndcg@10"] = mean(Object.values(metrics));
    return metrics;
  };
}
