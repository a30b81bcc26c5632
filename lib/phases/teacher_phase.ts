/**
 * The teacher of the distillation phase, trained here on the supervised examples (WordNet's
 * and as many unsupervised pairs, each against BM25-mined negatives). The paper distils from an
 * existing strong cross-encoder; none can be downloaded here, so the suite trains one: a
 * cross-encoder, larger than the students, from its own MLM backbone (trained listwise), or for
 * a hybrid teacher a dense retriever fine-tuned from the teacher's backbone, whose scores are
 * fused with BM25's (retrieval/hybrid.ts). Its quality is reported (study/teacher_check.ts).
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
import { negativesByRank } from "./negatives.ts";
import { stepIndices } from "./sampling.ts";
import { studentFrom } from "./student.ts";
import { minedNegatives, supervisedPool, teacherExamples } from "./supervised_pool.ts";
import { NO_PROMPTS, phaseInputs, WITH_PROMPTS } from "./input_variant.ts";
import { hardNegativeStep } from "./contrastive.ts";
import { checkSupervisedBatch, checkTeacherBatch } from "./heap_plan.ts";

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
 * sentence-transformers' MultipleNegativesRankingLoss scale of 20 as a temperature: the loss
 * all-MiniLM-L6-v2 was trained with, kept when a dense teacher is fine-tuned from it.
 */
const DENSE_TEACHER_TEMPERATURE = 0.05;

/**
 * The trained teacher (and its backbone), through the cache: a cross-encoder, or the hybrid's
 * dense model, its backbone fine-tuned as a dense retriever.
 */
export async function teacher(context: StudyContext): Promise<PhaseResult> {
  const backbone = await runPhase(
    context,
    await startingEncoderJob(context, "teacher", TEACHER_SEED),
  );
  return runPhase(context, teacherJob(context, backbone));
}

function teacherJob(context: StudyContext, backbone: PhaseResult): PhaseJob {
  const { profile, tokenizer } = context;
  const settings = profile.teacherTraining;
  const cross = profile.teacherKind === "cross-encoder";
  const label = cross ? "teacher (cross-encoder)" : "teacher (dense)";
  return {
    phase: "teacher",
    label,
    module: import.meta.url,
    settings: {
      ...settings,
      model: cross ? "cross" : "dense",
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
      const inputs = phaseInputs(profile, {
        variant: cross ? WITH_PROMPTS : NO_PROMPTS,
        documentLength: profile.documentLength,
      });
      const model = studentFrom(parent!, cross ? "cross" : "dense", {
        inputs,
        seed: TEACHER_SEED,
      });
      if (cross) checkTeacherBatch(model, { ...settings, pairLength: pairLength(context) });
      else checkSupervisedBatch(model, { ...settings, group: "teacherTraining" });
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
        phase: label,
        model,
        gradients: async (step) => {
          const picked = stepIndices(examples.length, {
            batchSize: settings.batchSize,
            seed: TEACHER_SEED,
            step,
          }).map((i) => examples[i]);
          if (!cross) {
            return hardNegativeStep(model, tokenizer, {
              queries: picked.map((example) => example.query),
              positives: picked.map((example) => example.positive),
              negatives: negativesByRank(
                picked.map((example) => example.negatives),
                settings.negatives,
              ),
            }, DENSE_TEACHER_TEMPERATURE);
          }
          const batch = teacherBatch(tokenizer, picked, { maxLength: pairLength(context) });
          const result = await gradientsOf(model, () => teacherLoss(model, batch));
          return { ...result, tokens: batch.rows.batchSize * batch.rows.length };
        },
      };
    },
  };
}
