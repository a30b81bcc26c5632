/**
 * The paper's figures from a {@link StudyRun}: average nDCG@10 against the compute of the
 * multi-vector phases (with the paper's GH200-hours as a reference panel), the effect of
 * prompts at fine-tuning, and the training curves of every phase.
 */
import {
  COLOURS,
  costFigure,
  type PipelineCheckpoints,
  type PlotlyFigure,
  promptEffectFigure,
  type TrainingCurve,
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
    scoreTitle: "average nDCG@10 x 100",
    computeTitle: "FLOPs in ColBERT phases (estimated)",
    panelTitle: `this study: profile ${run.profile}, ${run.seeds.length} seeds (bars: std)`,
    reference: PAPER_COST_POINTS,
    referenceScoreTitle: "BEIR average nDCG@10 x 100",
    referenceComputeTitle: "GH200-hours in multi-vector phases",
    referencePanelTitle: "the paper: ModernBERT-base, BEIR",
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

/** The prompt figure when the profile ran the prompt ablations, else none. */
export function promptFigures(run: StudyRun): PlotlyFigure[] {
  return run.settings.promptAblations ? [studyPromptFigure(run)] : [];
}

/** Panel of each pipeline stage in the curves figure (stage 0 unsupervised, 1 supervised, 2 KD). */
const STAGE_PANELS = ["unsupervised contrastive", "supervised contrastive", "distillation (KD)"];

/**
 * Figure: loss (and dev nDCG@10) of the backbone, the teacher and every phase of the main
 * pipelines (first seed): one column per phase, one colour per pipeline, as in the cost figure.
 */
export function studyCurvesFigure(run: StudyRun): PlotlyFigure {
  const curves: TrainingCurve[] = [
    { ...trainingCurve(run.backbone), panel: "backbone (MLM)", series: "backbone", colour: "#555" },
    {
      ...trainingCurve(run.teacher),
      panel: "teacher (cross-encoder)",
      series: "teacher",
      colour: COLOURS[4],
    },
  ];
  // (a) and (b) share their dense unsupervised phase: that checkpoint is drawn once, as both's.
  const byKey = new Map<string, TrainingCurve>();
  MAIN_PIPELINES.forEach((spec, i) => {
    runsOf(run, spec.id)[0].stages.forEach((stage, s) => {
      const shared = byKey.get(stage.key);
      if (shared) {
        shared.series = `${shared.series} and ${spec.name}`;
        shared.colour = COLOURS[5];
        return;
      }
      const curve = {
        ...trainingCurve(stage),
        panel: STAGE_PANELS[s],
        series: spec.name,
        colour: COLOURS[i],
      };
      byKey.set(stage.key, curve);
      curves.push(curve);
    });
  });
  return trainingCurvesFigure(curves, {
    title: `Training curves (profile ${run.profile}, seed ${run.seeds[0]})`,
  });
}
