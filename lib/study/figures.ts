/**
 * The paper's figures from a {@link StudyRun}: average nDCG@10 against the compute of the
 * multi-vector phases (with the paper's GH200-hours as a reference panel), the effect of
 * prompts at fine-tuning, and the training curves of every phase.
 */
import {
  costFigure,
  type PipelineCheckpoints,
  type PlotlyFigure,
  promptEffectFigure,
  trainingCurvesFigure,
} from "../results/plots.ts";
import { trainingCurve } from "./phase_report.ts";
import { colbertStages, MAIN_PIPELINES } from "./pipelines.ts";
import { averageSpread, runsOf, stageOf } from "./run_view.ts";
import type { StudyRun } from "./study.ts";
import { PAPER_AVERAGES } from "./tables.ts";

const STAGE_NAMES = ["unsupervised", "supervised", "KD"];

/** The paper's points: multi-vector GH200-hours spent so far and the BEIR average. */
export const PAPER_COST_POINTS: PipelineCheckpoints[] = [
  {
    name: "(a) KD only",
    checkpoints: [{ label: "KD", compute: 8, score: PAPER_AVERAGES["(a) KD only"] }],
  },
  {
    name: "(b) supervised + KD",
    checkpoints: [
      { label: "supervised", compute: 32, score: PAPER_AVERAGES["(b) supervised"] },
      { label: "KD", compute: 40, score: PAPER_AVERAGES["(b) supervised + KD"] },
    ],
  },
  {
    name: "(c) ColBERT-Zero",
    checkpoints: [
      { label: "unsupervised", compute: 368, score: PAPER_AVERAGES["(c) unsupervised"] },
      { label: "supervised", compute: 400, score: PAPER_AVERAGES["(c) supervised"] },
      { label: "KD", compute: 408, score: PAPER_AVERAGES["(c) ColBERT-Zero"] },
    ],
  },
];

/** Our points: cumulative FLOPs of each pipeline's multi-vector phases, seed-averaged score. */
export function costPoints(run: StudyRun): PipelineCheckpoints[] {
  return MAIN_PIPELINES.map((spec) => {
    let compute = 0;
    return {
      name: spec.name,
      checkpoints: colbertStages(spec).map((stage) => {
        const checkpoints = stageOf(run, spec.id, stage);
        compute += checkpoints[0].provenance.flops;
        const { mean, std } = averageSpread(checkpoints);
        return { label: STAGE_NAMES[stage], compute, score: mean, spread: std ?? undefined };
      }),
    };
  });
}

/** Figure: average nDCG@10 against multi-vector training compute, ours and the paper's. */
export function studyCostFigure(run: StudyRun): PlotlyFigure {
  return costFigure(costPoints(run), {
    title: "Average nDCG@10 against multi-vector training compute",
    scoreTitle: `average nDCG@10 x 100 (profile ${run.profile})`,
    computeTitle: "FLOPs in ColBERT phases (estimated)",
    reference: PAPER_COST_POINTS,
  });
}

/** Figure: after-KD average of each base, fine-tuned with and without prompts. */
export function studyPromptFigure(run: StudyRun): PlotlyFigure {
  const bars = (["dense", "colbert"] as const).flatMap((kind) =>
    (["prompts", "no-prompts"] as const).flatMap((base) =>
      (["prompts", "no-prompts"] as const).map((tune) => {
        const { mean, std } = averageSpread(stageOf(run, `grid-${kind}-${base}-${tune}`, 2));
        return {
          base: `${kind} base, pre-trained ${base === "prompts" ? "with" : "without"} prompts`,
          fineTuning: `fine-tuned ${tune === "prompts" ? "with" : "without"} prompts`,
          score: mean,
          spread: std ?? undefined,
        };
      })
    )
  );
  return promptEffectFigure(bars, { scoreTitle: "average nDCG@10 x 100 after KD" });
}

/** Figure: loss (and dev nDCG@10) of every phase of the backbone, teacher and main pipelines. */
export function studyCurvesFigure(run: StudyRun): PlotlyFigure {
  // (a) and (b) share their dense unsupervised phase: each checkpoint is drawn once.
  const stages = ["a", "b", "c"].flatMap((id) => runsOf(run, id)[0].stages);
  const unique = [
    ...new Map([run.backbone, run.teacher, ...stages].map((c) => [c.key, c])).values(),
  ];
  return trainingCurvesFigure(unique.map(trainingCurve), {
    title: `Training curves (profile ${run.profile}, seed ${run.seeds[0]})`,
  });
}
