/**
 * Phase 3, knowledge distillation: the ColBERT student learns the teacher's distribution
 * over each training query's candidates. The KD dataset (query, 32 candidate ids, 32
 * teacher scores: the shape of the paper's MS MARCO file) is built once per teacher and
 * cached, so every pipeline distils from the same file, as in the paper.
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { writeJsonAtomic } from "../util/atomic_write.ts";
import { cachedStep } from "../cache/cached_step.ts";
import { loadCheckpoint } from "../checkpoints/checkpoint.ts";
import { embedRows, tokenRows } from "../models/embed.ts";
import { bm25Retriever } from "../retrieval/bm25.ts";
import {
  buildKdDataset,
  KD_CANDIDATES,
  type KdRecord,
  readKdDataset,
  type TeacherQuality,
  teacherQuality,
  writeKdDataset,
} from "../datasets/kd_dataset.ts";
import { distillationLoss } from "../losses/distillation.ts";
import type { TokenEmbeddings } from "../scores/maxsim.ts";
import { maxsimGrouped } from "../scores/maxsim.ts";
import { disposeParams } from "../models/params.ts";
import { gradientsOf } from "../train/loop.ts";
import { type InputVariant, phaseInputs } from "./input_variant.ts";
import { type PhaseJob, type PhaseResult, phaseTrainConfig, type StudyContext } from "./phase.ts";
import { stepIndices } from "./sampling.ts";
import { studentFrom } from "./student.ts";
import { supervisedPool } from "./supervised_pool.ts";
import { teacherPoolExamples, teacherScorer } from "./teacher_phase.ts";
import { devValidator } from "./validation.ts";
import { checkDistillationMicroBatch } from "./heap_plan.ts";

/** The cached KD dataset: its records, the corpus texts they point to, and the teacher's quality. */
export interface KdData {
  key: string;
  records: KdRecord[];
  texts: Map<string, string>;
  quality: TeacherQuality & { firstStageRecall: number };
}

/** Build (or fetch) the KD dataset labelled by `teacherResult`. */
export async function kdDataset(
  context: StudyContext,
  teacherResult: PhaseResult,
): Promise<KdData> {
  const { profile, cache } = context;
  // KD queries are drawn after the teacher's training pool: the teacher labels, and its
  // quality is measured on, queries it has not seen.
  const offset = profile.teacherTraining.steps * profile.teacherTraining.batchSize;
  const pool = supervisedPool(teacherPoolExamples(context), profile.kdQueries, offset);
  // The paper's file has 32 candidates per query; a tiny corpus (tests) caps it.
  const candidates = Math.min(KD_CANDIDATES, pool.corpus.size);
  const settings = {
    kdQueries: profile.kdQueries,
    offset,
    firstStage: "bm25",
    candidates,
    teacher: profile.teacherKind === "hybrid" ? { hybrid: profile.hybridBm25Weight } : "cross",
  };
  const { key, dir } = await cachedStep(cache, {
    module: import.meta.url,
    backend: context.backend,
    phase: "kd_dataset",
    config: settings,
    parentKey: teacherResult.key,
    dataChecksums: context.data.checksums,
    profile: profile.name,
  }, async (folder) => {
    const { model } = await loadCheckpoint(teacherResult.dir);
    const built = await buildKdDataset(pool.queries, pool.corpus, {
      teacher: teacherScorer(context, model, pool.corpus),
      firstStage: bm25Retriever(pool.corpus),
      candidates,
      onProgress: context.print,
    });
    await writeKdDataset(join(folder, "kd.jsonl"), built.records, {
      corpus: pool.corpus,
      candidates,
    });
    await writeJsonAtomic(join(folder, "quality.json"), {
      ...teacherQuality(built.records),
      firstStageRecall: built.firstStageRecall,
    });
    disposeParams(model.params);
  });
  return {
    key,
    records: await readKdDataset(join(dir, "kd.jsonl"), { corpus: pool.corpus, candidates }),
    texts: new Map([...pool.corpus].map(([id, document]) => [id, document.text])),
    quality: JSON.parse(await Deno.readTextFile(join(dir, "quality.json"))),
  };
}

/** Options of {@link distillationJob}. */
export interface DistillationOptions {
  variant: InputVariant;
  parent: PhaseResult;
  kd: KdData;
  seed: number;
  label: string;
}

/** Phase 3: KL distillation of a ColBERT student from `options.parent`. */
export function distillationJob(context: StudyContext, options: DistillationOptions): PhaseJob {
  const { profile, tokenizer } = context;
  const settings = profile.distillation;
  const inputs = phaseInputs(profile, {
    variant: options.variant,
    documentLength: profile.documentLength,
  });
  const records = options.kd.records;
  const perQuery = settings.documentsPerQuery;
  const microSize = settings.batchSize / settings.accumulation;
  return {
    phase: "distillation",
    label: options.label,
    module: import.meta.url,
    settings: { inputs, ...settings, kd: options.kd.key },
    seed: options.seed,
    parent: options.parent,
    data: Object.keys(context.data.checksums),
    train: phaseTrainConfig(settings, profile.validateEvery, profile.headRateScale),
    typicalLength: inputs.documentLength,
    task: (parent) => {
      const model = studentFrom(parent!, "colbert", { inputs, seed: options.seed });
      checkDistillationMicroBatch(model, { microSize, perQuery });
      return Promise.resolve({
        phase: options.label,
        model,
        validate: devValidator(context, model),
        gradients: async (step, micro) => {
          const picked = stepIndices(records.length, {
            batchSize: settings.batchSize,
            seed: options.seed,
            step,
          })
            .slice(micro * microSize, (micro + 1) * microSize).map((i) => records[i]);
          const queries = tokenRows(model, tokenizer, {
            texts: picked.map((r) => r.query),
            side: "query",
          });
          const documents = tokenRows(model, tokenizer, {
            texts: picked.flatMap((r) =>
              r.documentIds.slice(0, perQuery).map((id) => options.kd.texts.get(id)!)
            ),
            side: "document",
          });
          const teacherScores = tf.tensor2d(picked.map((r) => r.scores.slice(0, perQuery)));
          const result = await gradientsOf(model, () => {
            const q = embedRows(model, queries) as TokenEmbeddings;
            const d = embedRows(model, documents) as TokenEmbeddings;
            const grouped = {
              embeddings: d.embeddings.reshape([
                picked.length,
                perQuery,
                documents.length,
                -1,
              ]) as tf.Tensor4D,
              mask: d.mask.reshape([picked.length, perQuery, documents.length]) as tf.Tensor3D,
            };
            return distillationLoss(maxsimGrouped(q, grouped), teacherScores);
          });
          teacherScores.dispose();
          return {
            ...result,
            tokens: queries.batchSize * queries.length + documents.batchSize * documents.length,
          };
        },
      });
    },
  };
}
