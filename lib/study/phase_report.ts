/**
 * What a notebook shows about a finished phase: a summary in words and numbers, and its
 * training curve (loss by step, dev nDCG@10 where the phase validated).
 */
import { formatDuration } from "../train/progress.ts";
import type { Provenance } from "../phases/phase.ts";
import type { TrainLog } from "../train/train_log.ts";
import type { TrainingCurve } from "../results/plots.ts";
import type { KdData } from "../phases/distillation.ts";
import { mean } from "../util/summary.ts";

/** The part of a phase result these reports read. */
export interface Reportable {
  key: string;
  log: TrainLog;
  provenance: Provenance;
}

/** Mean of the first and of the last `window` losses (a smoothed start and end). */
export function lossEnds(log: TrainLog, window = 5): { first: number; last: number } {
  const losses = log.steps.map((s) => s.loss);
  if (losses.length === 0) return { first: 0, last: 0 };
  const size = Math.max(1, Math.min(window, Math.floor(losses.length / 2)));
  return { first: mean(losses.slice(0, size)), last: mean(losses.slice(-size)) };
}

/** A Markdown summary: steps, tokens, time, FLOPs, loss trend, last dev score, cache key. */
export function phaseSummary(result: Reportable): string {
  const { provenance: p, log } = result;
  const dev = log.validation.at(-1)?.metrics["dev/ndcg@10"];
  const lines = [
    `**${p.label}** (cache key \`${result.key}\`, profile ${p.profile}, backend ${p.backend}, seed ${p.seed})`,
    "",
    `- ${p.steps} steps, ${p.tokens.toLocaleString("en-US")} tokens, ${
      formatDuration(p.wallSeconds)
    } of training, about ${(p.flops / 1e12).toFixed(2)} TFLOP`,
    lossLine(log),
  ];
  if (dev !== undefined) {
    lines.push(`- dev nDCG@10 at the last validation: ${(dev * 100).toFixed(2)}`);
  }
  return lines.join("\n");
}

function lossLine(log: Reportable["log"]): string {
  if (log.steps.length === 0) return "- not trained: these are the initial weights";
  const { first, last } = lossEnds(log);
  return `- loss (mean of the first and last steps): ${first.toFixed(4)} -> ${last.toFixed(4)} (${
    last < first ? "down" : "not down"
  } ${(Math.abs(1 - last / first) * 100).toFixed(1)}%)`;
}

/** The training curve of a phase, for trainingCurvesFigure: runs of one phase share a panel. */
export function trainingCurve(result: Reportable): TrainingCurve {
  const dev = result.log.validation.filter((v) => "dev/ndcg@10" in v.metrics);
  return {
    phase: result.provenance.label,
    panel: result.provenance.phase,
    steps: result.log.steps.map((s) => s.step),
    loss: result.log.steps.map((s) => s.loss),
    dev: dev.length
      ? { steps: dev.map((v) => v.step), score: dev.map((v) => v.metrics["dev/ndcg@10"]) }
      : undefined,
  };
}

/** The KD dataset's paragraph: its size, the first stage's recall, the teacher's quality. */
export function kdDatasetSummary(
  kd: Pick<KdData, "key" | "records" | "quality">,
): string {
  const { quality } = kd;
  const candidates = kd.records[0]?.documentIds.length ?? 0;
  const percent = (fraction: number) => `${(fraction * 100).toFixed(1)}%`;
  return [
    `KD dataset \`${kd.key}\`: ${quality.queries} queries x ${candidates} candidates.`,
    `The first stage found the labelled positive for ${percent(quality.firstStageRecall)} of`,
    `queries (it is inserted otherwise). The teacher ranks the labelled positive first for`,
    `${percent(quality.positiveTop)} of queries (a random order: ${percent(1 / candidates)}),`,
    `MRR of the positive ${quality.mrr.toFixed(3)}.`,
  ].join("\n");
}
