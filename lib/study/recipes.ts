/**
 * The study's checkpoints by name, each built from its parents through the cache: asking
 * for a late phase runs (or fetches) everything upstream of it. All pipelines start from
 * the same backbone, as in the paper; seeds vary the contrastive and KD phases.
 */
import { startingEncoderJob } from "../phases/backbone.ts";
import {
  distillationJob,
  type DistillationOptions,
  type KdData,
  kdDataset,
} from "../phases/distillation.ts";
import { teacher } from "../phases/teacher_phase.ts";
import {
  type ContrastiveOptions,
  supervisedJob,
  type SupervisedOptions,
  unsupervisedJob,
} from "../phases/contrastive.ts";
import { type InputVariant, variantName } from "../phases/input_variant.ts";
import { type PhaseResult, runPhase, type StudyContext } from "../phases/phase.ts";
import { bm25Scorer, modelScorer } from "../retrieval/mining.ts";
import { minedNegatives } from "../phases/supervised_pool.ts";

/** The seed of the shared backbone (fixed: every pipeline starts from the same one). */
export const BACKBONE_SEED = 0;

/** A dense or ColBERT model and the input variant it is trained with. */
export interface Student {
  kind: "dense" | "colbert";
  variant: InputVariant;
}

/** Short label: "colbert (prompts)". */
export function studentLabel(student: Student): string {
  return `${student.kind} (${variantName(student.variant)})`;
}

/** The student backbone: pretrained, MLM-pretrained, or a random initialisation at 0 steps. */
export async function backbone(context: StudyContext): Promise<PhaseResult> {
  return runPhase(context, await startingEncoderJob(context, "student", BACKBONE_SEED));
}

/** The options of phase 1 for `student`, its parent (the backbone, or `parent`) trained. */
export async function unsupervisedOptions(
  context: StudyContext,
  student: Student,
  options: { seed: number; parent?: PhaseResult },
): Promise<ContrastiveOptions> {
  const parent = options.parent ?? await backbone(context);
  const label = `${studentLabel(student)} unsupervised`;
  return { ...student, parent, seed: options.seed, label };
}

/**
 * Whether `student`'s phases are already done by the pretrained backbone: a dense student
 * from a dense retriever (all-MiniLM-L6-v2 was trained contrastively on a billion pairs).
 */
function pretrainedAlready(context: StudyContext, student: Student): boolean {
  return student.kind === "dense" && context.profile.pretrained?.denseTrained === true;
}

/**
 * Phase 1 for `student` from the backbone (or from `parent`); the backbone itself for a
 * dense student when the backbone is a trained dense retriever.
 */
export async function unsupervised(
  context: StudyContext,
  student: Student,
  options: { seed: number; parent?: PhaseResult },
): Promise<PhaseResult> {
  if (pretrainedAlready(context, student)) return options.parent ?? await backbone(context);
  return runPhase(
    context,
    unsupervisedJob(context, await unsupervisedOptions(context, student, options)),
  );
}

/** The options of phase 2 for `student`, its parent (`base`'s phase 1, or `parent`) trained. */
export async function supervisedOptions(
  context: StudyContext,
  student: Student,
  options: { seed: number; base: Student; parent?: PhaseResult },
): Promise<SupervisedOptions> {
  const parent = options.parent ??
    await unsupervised(context, options.base, { seed: options.seed });
  const label = `${studentLabel(student)} supervised from ${studentLabel(options.base)}`;
  return {
    ...student,
    parent,
    seed: options.seed,
    label,
    // The lexicographers' negatives, then those mined with the model being tuned and BM25.
    negatives: (pool, model) =>
      minedNegatives(pool, [
        modelScorer(model, context.tokenizer, { corpus: pool.corpus }),
        bm25Scorer(pool.corpus),
      ], {
        count: context.profile.supervised.negatives,
        seed: options.seed,
      }),
    mining: "lexical+model+bm25",
  };
}

/**
 * Phase 2 for `student` from `base`'s unsupervised checkpoint (or from `parent`); that
 * checkpoint itself for a dense student when the backbone is a trained dense retriever.
 */
export async function supervised(
  context: StudyContext,
  student: Student,
  options: { seed: number; base: Student; parent?: PhaseResult },
): Promise<PhaseResult> {
  if (pretrainedAlready(context, student)) {
    return options.parent ?? await unsupervised(context, options.base, options);
  }
  return runPhase(
    context,
    supervisedJob(context, await supervisedOptions(context, student, options)),
  );
}

/** The cross-encoder teacher and the KD dataset it labels (shared by every pipeline). */
export async function teacherAndKd(
  context: StudyContext,
): Promise<{ teacher: PhaseResult; kd: KdData }> {
  const trained = await teacher(context);
  return { teacher: trained, kd: await kdDataset(context, trained) };
}

/** The options of phase 3 for a ColBERT student with `variant` from `parent` (KD data built). */
export async function distilledOptions(
  context: StudyContext,
  variant: InputVariant,
  options: { seed: number; parent: PhaseResult },
): Promise<DistillationOptions> {
  const { kd } = await teacherAndKd(context);
  const label = `${
    studentLabel({ kind: "colbert", variant })
  } KD from ${options.parent.provenance.label}`;
  return { variant, parent: options.parent, kd, seed: options.seed, label };
}

/** Phase 3 for a ColBERT student with `variant` from `parent`. */
export async function distilled(
  context: StudyContext,
  variant: InputVariant,
  options: { seed: number; parent: PhaseResult },
): Promise<PhaseResult> {
  return runPhase(
    context,
    distillationJob(context, await distilledOptions(context, variant, options)),
  );
}
