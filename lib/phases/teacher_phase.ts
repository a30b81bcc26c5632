/**
 * The teacher of the distillation phase: a cross-encoder, larger than the students, from
 * its own MLM backbone, trained listwise on the supervised examples (each query's positive
 * against its lexicographer and BM25-mined negatives). The paper distils from an existing
 * strong cross-encoder; none can be downloaded here, so the suite trains one and reports
 * its quality (kd_phase.ts).
 */
import type { SupervisedExample } from "../datasets/records.ts";
import type { Corpus } from "../datasets/beir.ts";
import type { TeacherScorer } from "../datasets/kd_dataset.ts";
import type { Model } from "../models/model.ts";
import { hybridScorer } from "../retrieval/hybrid.ts";
import { scoreCandidates } from "../train/teacher.ts";
import { bm25Scorer } from "../retrieval/mining.ts";
import { teacherBatch, teacherLoss } from "../train/teacher.ts";
import { gradientsOf } from "../train/loop.ts";
import { startingEncoderJob } from "./backbone.ts";
import {
  type PhaseJob,
  type PhaseResult,
  phaseTrainConfig,
  runPhase,
  type StudyContext,
} from "./phase.ts";
import { stepIndices } from "./sampling.ts";
import { studentFrom } from "./student.ts";
import { minedNegatives, supervisedPool, teacherExamples } from "./supervised_pool.ts";
import { phaseInputs, WITH_PROMPTS } from "./input_variant.ts";
import { checkTeacherBatch } from "./heap_plan.ts";

const TEACHER_SEED = 0;

/** Tokens of a query-document pair row: the students' two lengths together. */
export function pairLength(context: StudyContext): number {
  const { profile } = context;
  return Math.min(profile.teacher.maxLength, profile.queryLength + profile.documentLength);
}

/**
 * How the teacher `model` scores a query's candidate documents of `corpus`: the cross-encoder's
 * logits, or the hybrid's fused z-scores (BM25's statistics are `corpus`'s).
 */
export function teacherScorer(context: StudyContext, model: Model, corpus: Corpus): TeacherScorer {
  const { profile, tokenizer } = context;
  if (profile.teacherKind === "hybrid") {
    return hybridScorer(model, tokenizer, { corpus, weight: profile.hybridBm25Weight });
  }
  return (query, documents) =>
    scoreCandidates(model, tokenizer, { query, documents, maxLength: pairLength(context) });
}

/** The teacher's examples: WordNet's and the unsupervised sources' (teacherExamples). */
export function teacherPoolExamples(context: StudyContext): SupervisedExample[] {
  return teacherExamples(context.data.supervised.train, context.data.sources);
}

/**
 * The trained teacher (and its backbone), through the cache; for a hybrid teacher, the
 * dense model it fuses with BM25 (its backbone, not trained further).
 */
export async function teacher(context: StudyContext): Promise<PhaseResult> {
  const { profile, tokenizer } = context;
  const backbone = await runPhase(
    context,
    await startingEncoderJob(context, "teacher", TEACHER_SEED),
  );
  if (profile.teacherKind === "hybrid") return backbone;
  const settings = profile.teacherTraining;
  const job: PhaseJob = {
    phase: "teacher",
    label: "teacher (cross-encoder)",
    module: import.meta.url,
    settings: {
      ...settings,
      pairLength: pairLength(context),
      mining: "lexical+bm25",
      examples: "wordnet+pairs",
    },
    seed: TEACHER_SEED,
    parent: backbone,
    data: Object.keys(context.data.checksums),
    train: phaseTrainConfig(settings, 0, profile.headRateScale),
    typicalLength: pairLength(context),
    task: async (parent) => {
      const model = studentFrom(parent!, "cross", {
        inputs: phaseInputs(profile, {
          variant: WITH_PROMPTS,
          documentLength: profile.documentLength,
        }),
        seed: TEACHER_SEED,
      });
      checkTeacherBatch(model, { ...settings, pairLength: pairLength(context) });
      // Built here, on a cache miss only: a shuffle of every WordNet example and as many pairs.
      const pool = supervisedPool(
        teacherPoolExamples(context),
        settings.steps * settings.batchSize,
      );
      const negatives = await minedNegatives(pool, [bm25Scorer(pool.corpus)], {
        count: settings.negatives,
        seed: TEACHER_SEED,
      });
      const examples = pool.examples.map((example, i) => ({ ...example, negatives: negatives[i] }));
      return {
        phase: "teacher (cross-encoder)",
        model,
        gradients: async (step) => {
          const picked = stepIndices(examples.length, {
            batchSize: settings.batchSize,
            seed: TEACHER_SEED,
            step,
          }).map((
            i,
          ) => examples[i]);
          const batch = teacherBatch(tokenizer, picked, { maxLength: pairLength(context) });
          const result = await gradientsOf(model, () => teacherLoss(model, batch));
          return { ...result, tokens: batch.rows.batchSize * batch.rows.length };
        },
      };
    },
  };
  return runPhase(context, job);
}
