/**
 * Writing the study's results: the four tables (Markdown, CSV, JSON), the verdicts on the
 * paper's findings, the figures (plotly JSON and static SVG rendered by plotly.js in
 * headless Chromium), and a summary of the run with its provenance.
 */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic_write.ts";
import { verdictsToMarkdown } from "../results/claims.ts";
import type { PlotlyFigure } from "../results/plots.ts";
import { exportFigures } from "../results/static_export.ts";
import { writeTable } from "../results/table.ts";
import type { ExpectedResults } from "../results/validate.ts";
import { studyCostFigure, studyCurvesFigure, studyPromptFigure } from "./figures.ts";
import { studyFindings } from "./findings.ts";
import type { SuiteScores } from "./evaluation.ts";
import type { StudyRun } from "./study.ts";
import { studyTables } from "./tables.ts";

/** The figures by file stem. */
export function studyFigures(run: StudyRun): Record<string, PlotlyFigure> {
  return {
    cost: studyCostFigure(run),
    prompts: studyPromptFigure(run),
    training_curves: studyCurvesFigure(run),
  };
}

/** What a complete results folder holds (for CI's check). */
export const EXPECTED_RESULTS: ExpectedResults = {
  tables: ["setup_cost", "main", "prompts", "prompt_vs_length"],
  figures: [
    "figures/cost.svg",
    "figures/prompts.svg",
    "figures/training_curves.svg",
    "figures/cost.json",
    "figures/prompts.json",
    "figures/training_curves.json",
  ],
};

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
    backbone: { ...run.backbone, log: undefined },
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

/** Write everything under `folder` (notebook 05 passes results/<profile>/, resultsFolder). */
export async function writeStudyResults(run: StudyRun, folder: string): Promise<void> {
  for (const table of studyTables(run)) await writeTable(folder, table);
  const verdicts = studyFindings(run);
  await writeFileAtomic(
    join(folder, "findings.md"),
    `# The paper's findings at profile ${run.profile}\n\n${verdictsToMarkdown(verdicts)}\n`,
  );
  await writeJsonAtomic(join(folder, "findings.json"), verdicts);
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
