/**
 * Reading a {@link StudyRun}: a pipeline's checkpoints across seeds, their per-query
 * scores in the shape the statistics take, and the seed-averaged suite average.
 */
import type { DatasetScores } from "../results/stats.ts";
import { averageOverSeeds, meanAndSpread, type MeanSpread } from "../results/stats.ts";
import { mean } from "../util/summary.ts";
import type { SuiteScores } from "./evaluation.ts";
import type { PipelineRun, ScoredCheckpoint, StudyRun } from "./study.ts";

/** Every seed's run of pipeline `id`, seeds ascending; throws naming the id if absent. */
export function runsOf(run: StudyRun, id: string): PipelineRun[] {
  const runs = run.pipelines.filter((p) => p.id === id).sort((a, b) => a.seed - b.seed);
  if (runs.length === 0) throw new Error(`the study has no pipeline '${id}'`);
  return runs;
}

/** Stage `stage` (0 unsupervised, 1 supervised, 2 KD) of pipeline `id`, every seed. */
export function stageOf(run: StudyRun, id: string, stage: number): ScoredCheckpoint[] {
  return runsOf(run, id).map((p) => p.stages[stage]);
}

/** Per-query nDCG@10 by dataset, as comparePaired takes it. */
export function queryScores(scores: SuiteScores): DatasetScores {
  return new Map(
    Object.entries(scores.datasets).map(([name, d]) => [name, new Map(Object.entries(d.perQuery))]),
  );
}

/** Per-query scores averaged over the seeds of `checkpoints` (one per seed). */
export function seedAveraged(checkpoints: ScoredCheckpoint[]): DatasetScores {
  return averageOverSeeds(checkpoints.map((c) => queryScores(c.scores)));
}

/** Mean and spread over seeds of the suite average (x100, as the paper reports). */
export function averageSpread(checkpoints: ScoredCheckpoint[]): MeanSpread {
  return meanAndSpread(checkpoints.map((c) => 100 * c.scores.average));
}

/** Mean over seeds of each dataset's nDCG@10 (x100). */
export function datasetMeans(checkpoints: ScoredCheckpoint[]): Record<string, number> {
  const names = Object.keys(checkpoints[0].scores.datasets);
  return Object.fromEntries(names.map((name) => [
    name,
    100 * mean(checkpoints.map((c) => c.scores.datasets[name]["ndcg@10"])),
  ]));
}
