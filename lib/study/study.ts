/**
 * The whole study at one profile: every pipeline of the paper (the main three over
 * several seeds, the prompt variants and the prompt-alignment grid over the first seed),
 * the baselines (BM25, each dense model, the teacher), and every checkpoint scored on the
 * evaluation suite. Everything goes through the caches, so running it again is cheap; the
 * tables, claims and figures are computed from the {@link StudyRun} it returns.
 */
import type { BeirDataset } from "../datasets/beir.ts";
import type { PhaseResult, Provenance, StudyContext } from "../phases/phase.ts";
import type { Profile } from "../phases/profile_settings.ts";
import type { TrainLog } from "../train/train_log.ts";
import {
  evaluateBm25,
  evaluatePhase,
  evaluateTeacher,
  loadEvalSuite,
  type SuiteScores,
} from "./evaluation.ts";
import {
  MAIN_PIPELINES,
  type PipelineSpec,
  promptGrid,
  runPipeline,
  VARIANT_PIPELINES,
} from "./pipelines.ts";
import { backbone, teacherAndKd } from "./recipes.ts";

/** A scored checkpoint, as the tables need it. */
export interface ScoredCheckpoint {
  key: string;
  phase: string;
  label: string;
  provenance: Provenance;
  log: TrainLog;
  scores: SuiteScores;
}

/** One pipeline run with one seed. */
export interface PipelineRun {
  id: string;
  name: string;
  seed: number;
  stages: ScoredCheckpoint[];
}

/** Everything the study measured. */
export interface StudyRun {
  profile: string;
  /** The profile's settings (batch sizes and steps for the cost table). */
  settings: Profile;
  /** Cores of the machine (core-hours = wall hours x cores). */
  cores: number;
  backend: string;
  seeds: number[];
  datasets: { name: string; queries: number; documents: number }[];
  bm25: SuiteScores;
  /** The backbone; scored when it is a pretrained model (the "as it is" baseline row). */
  backbone: Omit<ScoredCheckpoint, "scores"> & { scores?: SuiteScores };
  teacher: ScoredCheckpoint & { kdQuality: Record<string, number> };
  pipelines: PipelineRun[];
  wallSeconds: number;
}

async function scored(
  context: StudyContext,
  suite: BeirDataset[],
  result: PhaseResult,
  evaluate = evaluatePhase,
): Promise<ScoredCheckpoint> {
  return {
    key: result.key,
    phase: result.phase,
    label: result.provenance.label,
    provenance: result.provenance,
    log: result.log,
    scores: await evaluate(context, suite, result),
  };
}

/** The specs run by the study and the seeds each one gets. */
export function studyPlan(context: StudyContext): { spec: PipelineSpec; seed: number }[] {
  const [first, ...others] = context.profile.seeds;
  const ablations = context.profile.promptAblations ? [...VARIANT_PIPELINES, ...promptGrid()] : [];
  const once = [...MAIN_PIPELINES, ...ablations];
  const plan = once.map((spec) => ({ spec, seed: first }));
  for (const seed of others) for (const spec of MAIN_PIPELINES) plan.push({ spec, seed });
  return plan;
}

/** Run (or fetch) and score everything; `onPipeline` hears about each pipeline as it starts. */
export async function runStudy(
  context: StudyContext,
  options: { onPipeline?: (index: number, total: number, name: string) => void } = {},
): Promise<StudyRun> {
  const started = performance.now();
  const suite = await loadEvalSuite(context);
  const base = await backbone(context);
  const { teacher, kd } = await teacherAndKd(context);
  const plan = studyPlan(context);
  const pipelines: PipelineRun[] = [];
  const seen = new Map<string, ScoredCheckpoint>();
  for (const [index, { spec, seed }] of plan.entries()) {
    options.onPipeline?.(index + 1, plan.length, `${spec.name}, seed ${seed}`);
    const stages: ScoredCheckpoint[] = [];
    for (const stage of await runPipeline(context, spec, seed)) {
      // Pipelines share phases (the grid re-uses the main runs): score each checkpoint once.
      const known = seen.get(stage.result.key) ?? await scored(context, suite, stage.result);
      seen.set(stage.result.key, known);
      stages.push(known);
    }
    pipelines.push({ id: spec.id, name: spec.name, seed, stages });
  }
  return {
    profile: context.profile.name,
    settings: context.profile,
    cores: navigator.hardwareConcurrency,
    backend: context.backend,
    seeds: context.profile.seeds,
    datasets: suite.map((d) => ({ name: d.name, queries: d.qrels.size, documents: d.corpus.size })),
    bm25: await evaluateBm25(suite),
    backbone: {
      key: base.key,
      phase: base.phase,
      label: base.provenance.label,
      provenance: base.provenance,
      log: base.log,
      ...(context.profile.pretrained ? { scores: await evaluatePhase(context, suite, base) } : {}),
    },
    teacher: {
      ...await scored(context, suite, teacher, evaluateTeacher),
      kdQuality: { ...kd.quality },
    },
    pipelines,
    wallSeconds: (performance.now() - started) / 1000,
  };
}
