/**
 * Writing the study's results: the four tables (Markdown, CSV, JSON), the verdicts on the
 * paper's findings, the figures (plotly JSON and static SVG rendered by plotly.js in
 * headless Chromium), and a summary of the run with its provenance.
 */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic_write.ts";
import { shownAbove, verdictsToMarkdown } from "../results/claims.ts";
import type { PlotlyFigure } from "../results/plots.ts";
import { exportFigures } from "../results/static_export.ts";
import { writeTable } from "../results/table.ts";
import type { ExpectedResults } from "../results/validate.ts";
import { promptFigures, studyCostFigure, studyCurvesFigure } from "./figures.ts";
import { startingPointComparisons, startingPointMarkdown, studyFindings } from "./findings.ts";
import type { StartingPoint } from "../results/readme_results.ts";
import type { SuiteScores } from "./evaluation.ts";
import type { StudyRun } from "./study.ts";
import { studyTables } from "./tables.ts";

/** The figures by file stem (the prompt figure when the profile ran the prompt ablations). */
export function studyFigures(run: StudyRun): Record<string, PlotlyFigure> {
  return {
    cost: studyCostFigure(run),
    ...Object.fromEntries(promptFigures(run).map((figure) => ["prompts", figure])),
    training_curves: studyCurvesFigure(run),
  };
}

/**
 * What a complete results folder holds (for CI's check), given the study's settings as
 * study.json records them; a study from before `promptAblations` existed ran them.
 */
export function expectedResults(settings: { promptAblations?: boolean }): ExpectedResults {
  const prompts = settings.promptAblations !== false;
  const figures = ["cost", ...(prompts ? ["prompts"] : []), "training_curves"];
  return {
    tables: ["setup_cost", "main", ...(prompts ? ["prompts", "prompt_vs_length"] : [])],
    figures: ["svg", "json"].flatMap((extension) =>
      figures.map((name) => `figures/${name}.${extension}`)
    ),
  };
}

/** A summary of the run without per-query scores (those stay in the evaluation cache). */
export function runSummary(run: StudyRun): unknown {
  const strip = (scores: SuiteScores) => ({
    ...scores,
    datasets: Object.fromEntries(
      Object.entries(scores.datasets).map(([name, { perQuery: _, ...rest }]) => [name, rest]),
    ),
  });
  return {
    ...run,
    bm25: strip(run.bm25),
    teacher: { ...run.teacher, log: undefined, scores: strip(run.teacher.scores) },
    backbone: {
      ...run.backbone,
      log: undefined,
      scores: run.backbone.scores && strip(run.backbone.scores),
    },
    pipelines: run.pipelines.map((p) => ({
      ...p,
      stages: p.stages.map((s) => ({
        key: s.key,
        phase: s.phase,
        label: s.label,
        provenance: s.provenance,
        scores: strip(s.scores),
      })),
    })),
  };
}

/** (c) against BM25 and the pretrained model as it is, as the README shows it ([] from scratch). */
export function startingPointSummary(run: StudyRun): StartingPoint[] {
  return startingPointComparisons(run).map(({ better, worse, result }) => ({
    better,
    worse,
    difference: result.difference,
    pValue: result.pValue,
    above: shownAbove(result),
  }));
}

/** The findings file's section on the starting points, when the backbone is a pretrained model. */
function startingPoints(run: StudyRun): string {
  const text = startingPointMarkdown(run);
  return text ? `\n## Against the starting points\n\n${text}\n` : "";
}

/** Write everything under `folder` (notebook 05 passes results/<profile>/, resultsFolder). */
export async function writeStudyResults(run: StudyRun, folder: string): Promise<void> {
  for (const table of studyTables(run)) await writeTable(folder, table);
  const verdicts = studyFindings(run);
  await writeFileAtomic(
    join(folder, "findings.md"),
    `# The paper's findings at profile ${run.profile}\n\n${verdictsToMarkdown(verdicts)}\n` +
      startingPoints(run),
  );
  await writeJsonAtomic(join(folder, "findings.json"), verdicts);
  await writeJsonAtomic(join(folder, "starting_points.json"), startingPointSummary(run));
  const figures = studyFigures(run);
  for (const [name, figure] of Object.entries(figures)) {
    await writeJsonAtomic(join(folder, "figures", `${name}.json`), figure);
  }
  await exportFigures(
    Object.entries(figures).map(([name, figure]) => ({
      figure,
      path: join(folder, "figures", `${name}.svg`),
    })),
  );
  await writeJsonAtomic(join(folder, "study.json"), runSummary(run));
}
