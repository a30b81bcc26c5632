/**
 * The paper's four findings judged on a {@link StudyRun}: each claimed difference becomes
 * a paired test over queries (seed-averaged per-query nDCG@10, per-dataset means averaged
 * as BEIR does), and the rules of results/claims.ts turn the tests into verdicts.
 */
import {
  type ClaimedOrdering,
  type ClaimVerdict,
  describeOrdering,
  type FindingsEvidence,
  judgeFindings,
  shownAbove,
} from "../results/claims.ts";
import { comparePaired } from "../results/stats.ts";
import { colbertStages, mainPipeline } from "./pipelines.ts";
import { averageSpread, queryScores, runsOf, seedAveraged, stageOf } from "./run_view.ts";
import type { StudyRun } from "./study.ts";

/** FLOPs spent in the multi-vector (ColBERT) phases of one run of pipeline `id`. */
export function colbertFlops(run: StudyRun, id: string): number {
  const [first] = runsOf(run, id);
  return colbertStages(mainPipeline(id)).reduce(
    (sum, stage) => sum + first.stages[stage].provenance.flops,
    0,
  );
}

/** The evidence for findings 1-4. */
export function findingsEvidence(run: StudyRun): FindingsEvidence {
  const final = (id: string) => seedAveraged(stageOf(run, id, 2));
  const zero = final("c");
  const grid = (kind: string, base: string, tune: string) => final(`grid-${kind}-${base}-${tune}`);
  const aligned = (kind: string) => [
    {
      better: `${kind} base with prompts, fine-tuned with prompts`,
      worse: `${kind} base with prompts, fine-tuned without`,
      result: comparePaired(grid(kind, "prompts", "prompts"), grid(kind, "prompts", "no-prompts")),
    },
    {
      better: `${kind} base without prompts, fine-tuned without prompts`,
      worse: `${kind} base without prompts, fine-tuned with`,
      result: comparePaired(
        grid(kind, "no-prompts", "no-prompts"),
        grid(kind, "no-prompts", "prompts"),
      ),
    },
  ];
  return {
    zeroAgainstBaselines: [
      { better: "(c) ColBERT-Zero", worse: "(a) KD only", result: comparePaired(zero, final("a")) },
      {
        better: "(c) ColBERT-Zero",
        worse: "(b) supervised + KD",
        result: comparePaired(zero, final("b")),
      },
    ],
    kdOnly: {
      system: "(a) KD only",
      full: "(c) ColBERT-Zero",
      result: comparePaired(final("a"), zero),
    },
    supervisedKd: {
      system: "(b) supervised + KD",
      full: "(c) ColBERT-Zero",
      result: comparePaired(final("b"), zero),
      computeRatio: colbertFlops(run, "b") / colbertFlops(run, "c"),
    },
    ...(run.settings.promptAblations
      ? { promptAlignment: [...aligned("dense"), ...aligned("colbert")] }
      : {}),
  };
}

/**
 * The bar a study from a pretrained encoder must clear to be worth reading: (c) ColBERT-Zero
 * above BM25 and above the pretrained dense model as it is, each by a paired test. Empty when
 * the backbone is not a pretrained model (it has no scores of its own).
 */
export function startingPointComparisons(run: StudyRun): ClaimedOrdering[] {
  if (!run.backbone.scores) return [];
  const zero = seedAveraged(stageOf(run, "c", 2));
  return [
    {
      better: "(c) ColBERT-Zero",
      worse: "BM25",
      result: comparePaired(zero, queryScores(run.bm25)),
    },
    {
      better: "(c) ColBERT-Zero",
      worse: "the pretrained dense model as it is",
      result: comparePaired(zero, queryScores(run.backbone.scores)),
    },
  ];
}

/**
 * The starting-point comparisons as Markdown, each with whether it clears p < `alpha`; when (c)
 * is not shown above the dense model it started from, {@link startingPointGap} follows.
 */
export function startingPointMarkdown(run: StudyRun, alpha = 0.05): string {
  const comparisons = startingPointComparisons(run);
  const lines = comparisons.map((ordering) => {
    const verdict = shownAbove(ordering.result, alpha) ? "above" : "not shown above";
    return `**${ordering.better} is ${verdict} ${ordering.worse}** (paired test, p < ${alpha}): ` +
      `${describeOrdering(ordering, {})}.\n`;
  });
  const asIs = comparisons.at(-1);
  if (asIs && !shownAbove(asIs.result, alpha)) lines.push(startingPointGap(run));
  return lines.join("\n");
}

const signed = (points: number) => `${points >= 0 ? "+" : "−"}${Math.abs(points).toFixed(2)}`;

/**
 * Why (c) stays level with the pretrained model it started from, in the run's own averages
 * (nDCG@10 x 100): how far the teacher, the ceiling of distillation, is above that start, and
 * where each of (c)'s phases took it.
 */
export function startingPointGap(run: StudyRun): string {
  const start = 100 * run.backbone.scores!.average;
  const teacher = 100 * run.teacher.scores.average;
  const [unsupervised, supervised, distilled] = [0, 1, 2].map((stage) =>
    averageSpread(stageOf(run, "c", stage)).mean
  );
  return [
    `Why, in this run's averages (nDCG@10 x 100):`,
    `- the teacher, the most distillation can pass on, scores ${teacher.toFixed(2)} against ` +
    `the starting model's ${start.toFixed(2)} (${signed(teacher - start)});`,
    `- (c)'s multi-vector pre-training on this study's unsupervised pairs moved the start to ` +
    `${unsupervised.toFixed(2)} (${signed(unsupervised - start)}), supervised fine-tuning to ` +
    `${supervised.toFixed(2)} (${signed(supervised - start)}) and distillation to ` +
    `${distilled.toFixed(2)} (${signed(distilled - start)}).`,
    "",
    `What was tried to close the gap (longer phases, other teachers, BM25 in the teacher) is in ` +
    '`docs/study_notes.md`, "The pretrained profile".\n',
  ].join("\n");
}

/** Verdicts on findings 1-4. */
export function studyFindings(run: StudyRun): ClaimVerdict[] {
  return judgeFindings(findingsEvidence(run));
}
