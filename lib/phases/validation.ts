/**
 * Validation during training, as the paper uses NanoBEIR: nDCG@10 on a small, fixed
 * subset of each dev set (its first judged queries and a corpus of their relevant
 * documents plus a fixed sample of others), averaged over the dev sets.
 */
import type { BeirDataset, Corpus, Qrels } from "../beir.ts";
import { seededRandom, shuffled } from "../data/random.ts";
import { evaluateRetriever } from "../evaluate.ts";
import type { Model } from "../model.ts";
import { neuralRetriever } from "../neural_retriever.ts";
import type { StudyContext } from "./phase.ts";

/** Distractor documents per selected query in a nano subset (NanoBEIR keeps a few thousand). */
const DISTRACTORS_PER_QUERY = 20;

/** A NanoBEIR-style subset of `dataset`: `queries` judged queries and a reduced corpus. */
export function nanoSubset(dataset: BeirDataset, queries: number, seed = 0): BeirDataset {
  const chosen = [...dataset.qrels.keys()].sort().slice(0, queries);
  const qrels: Qrels = new Map(chosen.map((id) => [id, dataset.qrels.get(id)!]));
  const keep = new Set(chosen.flatMap((id) => [...dataset.qrels.get(id)!.keys()]));
  const others = shuffled(
    [...dataset.corpus.keys()].filter((id) => !keep.has(id)).sort(),
    seededRandom(seed),
  );
  for (const id of others.slice(0, DISTRACTORS_PER_QUERY * chosen.length)) keep.add(id);
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
      nano = context.data.dev.map((dataset) => nanoSubset(dataset, context.profile.devQueries));
      subsets.set(context, nano);
    }
    const metrics: Record<string, number> = {};
    for (const dataset of nano) {
      const retriever = neuralRetriever(model, context.tokenizer, dataset.corpus);
      metrics[`${dataset.name}/ndcg@10`] =
        (await evaluateRetriever(dataset, retriever, { k: 10 }))["ndcg@10"];
    }
    const values = Object.values(metrics);
    metrics["dev/ndcg@10"] = values.reduce((a, b) => a + b, 0) / values.length;
    return metrics;
  };
}
