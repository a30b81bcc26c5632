/**
 * Scoring checkpoints on the evaluation suite (our small "BEIR": every dataset under
 * data/eval, each scored alone, then averaged), with per-query nDCG@10 kept for the
 * paired significance tests. Results are cached by (checkpoint key, the suite's contents,
 * code, packages, backend), so a rerun of the study evaluates nothing twice.
 */
import { join } from "node:path";
import type { BeirDataset } from "../datasets/beir.ts";
import { readDataset } from "../datasets/dataset.ts";
import { suiteFolders } from "../data/suite.ts";
import { bm25Retriever } from "../retrieval/bm25.ts";
import { CheckpointCache } from "../cache/cache.ts";
import { cachedStep, cachedStepIdentity, type CachedStepSpec } from "../cache/cached_step.ts";
import { loadCheckpoint } from "../checkpoints/checkpoint.ts";
import { REPO_ROOT } from "../cache/code_version.ts";
import { suiteChecksums } from "../datasets/dataset_checksum.ts";
import { writeJsonAtomic } from "../util/atomic_write.ts";
import { mean } from "../util/summary.ts";
import { evaluateRetriever, type Retriever } from "../retrieval/evaluate.ts";
import type { Run } from "../retrieval/metrics.ts";
import { neuralRetriever } from "../retrieval/neural_retriever.ts";
import { disposeParams } from "../models/params.ts";
import type { PhaseResult, StudyContext } from "../phases/phase.ts";
import { nanoSubset } from "../phases/validation.ts";
import { teacherScorer } from "../phases/teacher_phase.ts";
import type { TeacherScorer } from "../datasets/kd_dataset.ts";
import { hybridRetriever } from "../retrieval/hybrid.ts";
import { documentText } from "../retrieval/bm25.ts";
import type { Model } from "../models/model.ts";

/** One dataset's scores. */
export interface DatasetMetrics {
  "ndcg@10": number;
  "recall@100": number;
  "mrr@10": number;
  map: number;
  queries: number;
  /** nDCG@10 of every judged query, for paired tests. */
  perQuery: Record<string, number>;
}

/** A model's scores on the whole suite. */
export interface SuiteScores {
  model: string;
  datasets: Record<string, DatasetMetrics>;
  /** Mean nDCG@10 over the datasets (BEIR's average). */
  average: number;
}

/** Folders (BEIR or SMART) added to the suite, ":"-separated: a user's real BEIR datasets. */
export const EXTRA_EVAL_ENV = "COLBERT_EVAL_EXTRA";

/**
 * The evaluation suite of `dataDir` plus the folders of `COLBERT_EVAL_EXTRA`, each cut to
 * the profile's size (NanoBEIR-style: its first judged queries, their relevant documents
 * and a fixed sample of the others).
 */
export async function loadEvalSuite(
  context: StudyContext,
  dataDir = join(REPO_ROOT, "data"),
): Promise<BeirDataset[]> {
  const extra = (Deno.env.get(EXTRA_EVAL_ENV) ?? "").split(":").filter(Boolean);
  const suite: BeirDataset[] = [];
  for (const { name, folder } of await suiteFolders(dataDir, extra)) {
    const full = await readDataset(folder, { onWarning: () => {} });
    const { evalQueries: queries, evalCorpus: corpus } = context.profile;
    suite.push({ ...nanoSubset(full, { queries, corpus }), name });
  }
  return suite;
}

/** Score `retriever` on every dataset of `suite`. */
export async function scoreSuite(
  suite: BeirDataset[],
  name: string,
  retrieverFor: (dataset: BeirDataset) => Retriever,
): Promise<SuiteScores> {
  const datasets: Record<string, DatasetMetrics> = {};
  for (const dataset of suite) {
    const result = await evaluateRetriever(dataset, retrieverFor(dataset));
    const perQuery = Object.fromEntries(
      [...result.perQuery].map(([id, values]) => [id, values["ndcg@10"]]),
    );
    const { perQuery: _, run: _run, ...means } = result;
    datasets[dataset.name] = { ...means, perQuery };
  }
  const average = mean(Object.values(datasets).map((d) => d["ndcg@10"]));
  return { model: name, datasets, average };
}

function evaluationCache(context: StudyContext): CheckpointCache {
  return new CheckpointCache(join(context.cache.root, "..", "evaluations"));
}

/**
 * What identifies the scores of checkpoint `parentKey` on `suite`: the suite's contents, the
 * profile, and (through {@link cachedStep}) the code, packages and backend that score.
 */
async function evaluationStep(
  context: StudyContext,
  suite: BeirDataset[],
  parentKey: string,
  retrieval: Record<string, unknown> = {},
): Promise<CachedStepSpec> {
  const suiteId = suite.map((d) => `${d.name}:${d.qrels.size}:${d.corpus.size}`);
  return {
    module: import.meta.url,
    backend: context.backend,
    phase: "evaluation",
    config: { suiteId, profile: context.profile.name, ...retrieval },
    parentKey,
    dataChecksums: await suiteChecksums(suite),
    profile: context.profile.name,
  };
}

/** The cache key of the scores of checkpoint `parentKey` on `suite`, with the code version. */
export async function evaluationKey(
  context: StudyContext,
  suite: BeirDataset[],
  parentKey: string,
): Promise<{ key: string; codeVersion: string }> {
  const { key, meta } = await cachedStepIdentity(await evaluationStep(context, suite, parentKey));
  return { key, codeVersion: meta.codeVersion };
}

/** Scores of a ColBERT/dense checkpoint (or a cross-encoder, reranking BM25), cached. */
export function evaluatePhase(
  context: StudyContext,
  suite: BeirDataset[],
  result: PhaseResult,
): Promise<SuiteScores> {
  return cachedScores(
    context,
    suite,
    result,
    {},
    (model) => (dataset) =>
      model.config.kind === "cross"
        ? teacherRetriever(context, model, dataset)
        : neuralRetriever(model, context.tokenizer, { corpus: dataset.corpus }),
  );
}

/** Scores of the KD teacher `result` as {@link teacherRetriever} retrieves, cached. */
export function evaluateTeacher(
  context: StudyContext,
  suite: BeirDataset[],
  result: PhaseResult,
): Promise<SuiteScores> {
  const { teacherKind, hybridBm25Weight } = context.profile;
  const retrieval = teacherKind === "hybrid" ? { hybrid: hybridBm25Weight } : {};
  return cachedScores(
    context,
    suite,
    result,
    retrieval,
    (model) => (dataset) => teacherRetriever(context, model, dataset),
  );
}

/**
 * The KD teacher `model` as a retriever over `dataset`: a cross-encoder reranks BM25's top
 * `rerankDepth`; the hybrid retrieves with its dense model and BM25 (each to the rerank depth
 * or k, whichever is more) and fuses the two.
 */
export function teacherRetriever(
  context: StudyContext,
  model: Model,
  dataset: BeirDataset,
): Retriever {
  const { teacherKind, hybridBm25Weight: weight, rerankDepth: depth } = context.profile;
  if (teacherKind === "hybrid") {
    return hybridRetriever(model, context.tokenizer, { corpus: dataset.corpus, weight, depth });
  }
  return rerankingRetriever(teacherScorer(context, model, dataset.corpus), { dataset, depth });
}

async function cachedScores(
  context: StudyContext,
  suite: BeirDataset[],
  result: PhaseResult,
  retrieval: Record<string, unknown>,
  retrieverOf: (model: Model) => (dataset: BeirDataset) => Retriever,
): Promise<SuiteScores> {
  const step = await evaluationStep(context, suite, result.key, retrieval);
  const { dir } = await cachedStep(evaluationCache(context), step, async (folder) => {
    const { model } = await loadCheckpoint(result.dir);
    const scores = await scoreSuite(suite, result.provenance.label, retrieverOf(model));
    disposeParams(model.params);
    await writeJsonAtomic(join(folder, "scores.json"), scores);
  });
  return JSON.parse(await Deno.readTextFile(join(dir, "scores.json")));
}

/** BM25's scores on the suite (fast, not cached). */
export function evaluateBm25(suite: BeirDataset[]): Promise<SuiteScores> {
  return scoreSuite(suite, "BM25", (dataset) => bm25Retriever(dataset.corpus));
}

/** A teacher as a retriever: BM25's top `depth`, reordered by the teacher's scores. */
export function rerankingRetriever(
  teacher: TeacherScorer,
  options: { dataset: BeirDataset; depth: number },
): Retriever {
  const { dataset } = options;
  const first = bm25Retriever(dataset.corpus);
  return {
    name: "cross-encoder reranking BM25",
    async search(queries, k) {
      const candidates = await first.search(queries, options.depth);
      const run: Run = new Map();
      for (const [queryId, scored] of candidates) {
        const ids = [...scored.keys()];
        const texts = ids.map((id) => documentText(dataset.corpus.get(id)!));
        const scores = await teacher(queries.get(queryId)!, texts);
        run.set(
          queryId,
          new Map(
            ids.map((id, i) => [id, scores[i]] as [string, number]).sort((a, b) => b[1] - a[1])
              .slice(0, k),
          ),
        );
      }
      return run;
    },
  };
}
