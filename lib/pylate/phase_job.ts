/**
 * The phase a `deno task export` or `deno task import` names, as the suite would run it:
 * its job (settings, training config, cache key ingredients) and the options that built
 * it, with its parent trained (or fetched) through the cache. The same request gives the
 * same job in both commands, which is how an imported model lands on the key the suite's
 * own run of that phase would have had.
 */
import { type ContrastiveOptions, supervisedJob, unsupervisedJob } from "../phases/contrastive.ts";
import type { SupervisedOptions } from "../phases/contrastive.ts";
import { distillationJob, type DistillationOptions } from "../phases/distillation.ts";
import { type PhaseJob, readPhaseResult, type StudyContext } from "../phases/phase.ts";
import {
  distilledOptions,
  type Student,
  supervised,
  supervisedOptions,
  unsupervisedOptions,
} from "../study/recipes.ts";

/** Phases PyLate can train: the three ColBERT phases of the study. */
export const EXPORTABLE_PHASES = ["unsupervised", "supervised", "distillation"] as const;

/** One of {@link EXPORTABLE_PHASES}. */
export type ExportablePhase = typeof EXPORTABLE_PHASES[number];

/** What names a phase run: the train command's options. */
export interface PhaseRequest {
  phase: string;
  seed: number;
  /** The model the phase trains. */
  trained: Student;
  /** The unsupervised model a supervised phase starts from (train's `--base-*`). */
  base: Student;
  /** A cache key to start from instead of the default parent (train's `--from`). */
  from?: string;
}

/** A phase's job with the options that built it, by phase. */
export type PhaseJobOf =
  | { phase: "unsupervised"; job: PhaseJob; options: ContrastiveOptions }
  | { phase: "supervised"; job: PhaseJob; options: SupervisedOptions }
  | { phase: "distillation"; job: PhaseJob; options: DistillationOptions };

/** The job of `request` in `context`; its parent is trained through the cache if missing. */
export async function phaseJobOf(
  context: StudyContext,
  request: PhaseRequest,
): Promise<PhaseJobOf> {
  const { phase, seed, trained, base } = request;
  if (!(EXPORTABLE_PHASES as readonly string[]).includes(phase)) {
    throw new Error(
      `phase '${phase}' does not go to PyLate: only ${EXPORTABLE_PHASES.join(", ")} ` +
        `(PyLate trains ColBERT models; the backbone and the teacher train with \`deno task train\`)`,
    );
  }
  // PyLate trains multi-vector models; the dense students of pipelines (a) and (b) stay here.
  if (phase !== "distillation" && trained.kind !== "colbert") {
    throw new Error(
      `--head ${trained.kind}: PyLate trains ColBERT models; train a dense phase with ` +
        "`deno task train`",
    );
  }
  const parent = request.from ? await readPhaseResult(context.cache, request.from) : undefined;
  if (phase === "unsupervised") {
    const options = await unsupervisedOptions(context, trained, { seed, parent });
    return { phase, job: unsupervisedJob(context, options), options };
  }
  if (phase === "supervised") {
    const options = await supervisedOptions(context, trained, { seed, base, parent });
    return { phase, job: supervisedJob(context, options), options };
  }
  // Default parent: the supervised ColBERT phase of the same variant (train's default too).
  const start = parent ??
    await supervised(context, { ...trained, kind: "colbert" }, { seed, base });
  const options = await distilledOptions(context, trained.variant, { seed, parent: start });
  return { phase: "distillation", job: distillationJob(context, options), options };
}
