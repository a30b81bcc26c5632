/**
 * The paper's pipelines as chains of cached phases. Every pipeline starts from the same
 * backbone and trains on the same data; they differ in which phases are dense
 * (single-vector) and which are ColBERT (multi-vector), and in their input variant.
 *
 * | pipeline | dense phases | ColBERT phases |
 * |---|---|---|
 * | (a) KD only | unsupervised, supervised | KD |
 * | (b) supervised + KD | unsupervised | supervised, KD |
 * | (c) ColBERT-Zero | none | unsupervised, supervised, KD |
 */
import {
  type InputVariant,
  LENGTH_ONLY,
  NO_PROMPTS,
  variantName,
  WITH_PROMPTS,
} from "../phases/input_variant.ts";
import type { PhaseResult, StudyContext } from "../phases/phase.ts";
import type { Profile } from "../phases/profile_settings.ts";
import { distilled, type Student, supervised, unsupervised } from "./recipes.ts";

/** One checkpoint of a pipeline: after which phase, and its cache entry. */
export interface Stage {
  phase: "unsupervised" | "supervised" | "distillation";
  result: PhaseResult;
}

/** A pipeline: which kind each phase trains, and the input variant of pre-training and fine-tuning. */
export interface PipelineSpec {
  id: string;
  name: string;
  unsupervised: Student;
  supervisedKind: "dense" | "colbert";
  /** Prompts (or not) at fine-tuning: supervised and KD. */
  fineTune: InputVariant;
}

/** The main comparison of the paper (its Table 2 rows a, b, c). */
export const MAIN_PIPELINES: PipelineSpec[] = [
  {
    id: "a",
    name: "(a) KD only",
    unsupervised: { kind: "dense", variant: WITH_PROMPTS },
    supervisedKind: "dense",
    fineTune: WITH_PROMPTS,
  },
  {
    id: "b",
    name: "(b) supervised + KD",
    unsupervised: { kind: "dense", variant: WITH_PROMPTS },
    supervisedKind: "colbert",
    fineTune: WITH_PROMPTS,
  },
  {
    id: "c",
    name: "(c) ColBERT-Zero",
    unsupervised: { kind: "colbert", variant: WITH_PROMPTS },
    supervisedKind: "colbert",
    fineTune: WITH_PROMPTS,
  },
];

/** ColBERT-Zero without prompts anywhere, and with the prompts' extra length but no prompt text. */
export const VARIANT_PIPELINES: PipelineSpec[] = [
  {
    id: "c-no-prompts",
    name: "(c) without prompts",
    unsupervised: { kind: "colbert", variant: NO_PROMPTS },
    supervisedKind: "colbert",
    fineTune: NO_PROMPTS,
  },
  {
    id: "c-length",
    name: "(c) length control (+7 tokens, no prompt text)",
    unsupervised: { kind: "colbert", variant: LENGTH_ONLY },
    supervisedKind: "colbert",
    fineTune: LENGTH_ONLY,
  },
];

/** The prompt-alignment grid: base (dense/ColBERT x prompts or not) x fine-tuning prompts or not. */
export function promptGrid(): PipelineSpec[] {
  const specs: PipelineSpec[] = [];
  for (const kind of ["dense", "colbert"] as const) {
    for (const base of [WITH_PROMPTS, NO_PROMPTS]) {
      for (const fineTune of [WITH_PROMPTS, NO_PROMPTS]) {
        specs.push({
          id: `grid-${kind}-${variantName(base)}-${variantName(fineTune)}`.replaceAll(" ", "-"),
          name: `${kind} base (${variantName(base)}) -> fine-tuned (${variantName(fineTune)})`,
          unsupervised: { kind, variant: base },
          supervisedKind: "colbert",
          fineTune,
        });
      }
    }
  }
  return specs;
}

/**
 * The unsupervised bases a profile trains for its pipelines: dense and ColBERT with prompts,
 * and without prompts too when it runs the prompt ablations (the grid starts from them).
 */
export function unsupervisedBases(profile: Profile): Student[] {
  const variants = profile.promptAblations ? [WITH_PROMPTS, NO_PROMPTS] : [WITH_PROMPTS];
  return (["dense", "colbert"] as const).flatMap((kind) =>
    variants.map((variant) => ({ kind, variant }))
  );
}

/** The stages (0 unsupervised, 1 supervised, 2 KD) of `spec` that train a ColBERT model. */
export function colbertStages(spec: PipelineSpec): number[] {
  const kinds = [spec.unsupervised.kind, spec.supervisedKind, "colbert"];
  return kinds.flatMap((kind, stage) => kind === "colbert" ? [stage] : []);
}

/** The main pipeline called `id` ("a", "b" or "c"). */
export function mainPipeline(id: string): PipelineSpec {
  const spec = MAIN_PIPELINES.find((p) => p.id === id);
  if (!spec) throw new Error(`no main pipeline '${id}'`);
  return spec;
}

/** The supervised phase of `spec`, from its unsupervised checkpoint (or from `parent`). */
export function supervisedStage(
  context: StudyContext,
  spec: PipelineSpec,
  options: { seed: number; parent?: PhaseResult },
): Promise<PhaseResult> {
  const tuned: Student = { kind: spec.supervisedKind, variant: spec.fineTune };
  return supervised(context, tuned, { ...options, base: spec.unsupervised });
}

/** Train (or fetch) every phase of `spec` with `seed`; stages in order. */
export async function runPipeline(
  context: StudyContext,
  spec: PipelineSpec,
  seed: number,
): Promise<Stage[]> {
  const first = await unsupervised(context, spec.unsupervised, { seed });
  const second = await supervisedStage(context, spec, { seed, parent: first });
  const third = await distilled(context, spec.fineTune, { seed, parent: second });
  return [
    { phase: "unsupervised", result: first },
    { phase: "supervised", result: second },
    { phase: "distillation", result: third },
  ];
}
