/**
 * The paper's tables, regenerated from a {@link StudyRun}: setup and cost, the main
 * table, the prompt-alignment grid and the prompt-versus-length control. Scores are
 * nDCG@10 x 100; "±" is the sample standard deviation over seeds where a row has several.
 */
import type { Column, Row, Table } from "../results/table.ts";
import { meanAndSpread } from "../results/stats.ts";
import { PAPER_BATCH, PAPER_GH200_HOURS } from "./paper_settings.ts";
import { averageSpread, datasetMeans, runsOf, stageOf } from "./run_view.ts";
import type { ScoredCheckpoint, StudyRun } from "./study.ts";

/** The paper's BEIR averages of the rows this study reproduces (paper.md). */
export const PAPER_AVERAGES: Record<string, number> = {
  "dense unsupervised": 47.05,
  "dense supervised": 52.89,
  "(a) KD only": 54.09,
  "(b) supervised": 50.72,
  "(b) supervised + KD": 55.12,
  "(c) unsupervised": 51.44,
  "(c) supervised": 51.81,
  "(c) ColBERT-Zero": 55.43,
  "(c) without prompts": 54.61,
};

/**
 * The teacher's row names: in the main table, what produced its scores; in the cost table,
 * what was trained here.
 */
function teacherRows(s: StudyRun["settings"]): { scores: string; cost: string } {
  if (s.teacherKind === "cross-encoder") {
    return { scores: "teacher (cross-encoder reranking BM25)", cost: "teacher (cross-encoder)" };
  }
  const dense = "dense model fine-tuned here";
  return {
    scores: s.hybridBm25Weight > 0 ? `teacher (${dense} + BM25 fusion)` : `teacher (${dense})`,
    cost: "teacher (dense)",
  };
}

/** Table 1: per phase, batch, steps, queries and tokens seen, time, core-hours, FLOPs; the paper's beside. */
export function setupCostTable(run: StudyRun): Table {
  const s = run.settings;
  const [unsupervised, supervised, distillation] = runsOf(run, "c")[0].stages;
  const phases: [
    string,
    { provenance: ScoredCheckpoint["provenance"] },
    number,
    number | null,
    number | null,
  ][] = [
    [run.backbone.label, run.backbone, s.backbone.batchSize, null, null],
    [
      "unsupervised contrastive",
      unsupervised,
      s.unsupervised.batchSize,
      PAPER_BATCH.unsupervised,
      PAPER_GH200_HOURS.unsupervised,
    ],
    [
      "supervised contrastive",
      supervised,
      s.supervised.batchSize,
      PAPER_BATCH.supervised,
      PAPER_GH200_HOURS.supervised,
    ],
    [teacherRows(s).cost, run.teacher, s.teacherTraining.batchSize, null, null],
    [
      "knowledge distillation",
      distillation,
      s.distillation.batchSize,
      PAPER_BATCH.distillation,
      PAPER_GH200_HOURS.distillation,
    ],
  ];
  return {
    name: "setup_cost",
    title:
      `Training setup and cost per phase (pipeline (c), profile ${run.profile}, ${run.backend} backend)`,
    columns: [
      { key: "phase", header: "phase", kind: "text" },
      { key: "batch", header: "batch", kind: "integer" },
      { key: "paperBatch", header: "paper batch", kind: "integer", optional: true },
      { key: "steps", header: "steps", kind: "integer" },
      { key: "queries", header: "queries seen", kind: "integer" },
      { key: "tokens", header: "tokens", kind: "integer" },
      { key: "seconds", header: "wall time (s)", kind: "number", digits: 1 },
      { key: "rate", header: "tokens/s", kind: "integer", optional: true },
      { key: "coreHours", header: `core-hours (x${run.cores})`, kind: "number", digits: 4 },
      { key: "flops", header: "training FLOPs (est.)", kind: "scientific" },
      { key: "paperHours", header: "paper GH200-hours", kind: "number", digits: 0, optional: true },
    ],
    rows: phases.map(([phase, { provenance: p }, batch, paperBatch, paperHours]) => ({
      cells: {
        phase,
        batch,
        paperBatch,
        steps: p.steps,
        queries: p.steps * batch,
        tokens: p.tokens,
        seconds: p.wallSeconds,
        // A 0-step phase (the small profile's random initialisation) has no rate.
        rate: p.wallSeconds > 0 ? Math.round(p.tokens / p.wallSeconds) : null,
        coreHours: (p.wallSeconds / 3600) * run.cores,
        flops: p.flops,
        paperHours,
      },
    })),
    notes: [
      "FLOPs: 3 x forward FLOPs per token x tokens (forward + backward), from the encoder's shape.",
      "The paper's costs are for ModernBERT-base on GH200 GPUs; ours are for this profile's small encoder on this machine.",
    ],
  };
}

function datasetColumns(run: StudyRun): Column[] {
  return run.datasets.map((d) => ({
    key: d.name,
    header: d.name,
    kind: "number" as const,
    digits: 2,
  }));
}

function scoreRow(label: string, group: string, checkpoints: ScoredCheckpoint[]): Row {
  return {
    group,
    cells: {
      model: label,
      average: averageSpread(checkpoints),
      paper: PAPER_AVERAGES[label] ?? null,
      ...datasetMeans(checkpoints),
    },
  };
}

/** The main table's row of the pretrained backbone as it is, as sentence-transformers uses it. */
export const AS_IS_ROW = "pretrained dense model as is";

/**
 * The dense rows of the main table: the backbone as it is when it is a pretrained model, and
 * the dense phases' checkpoints unless the backbone's own training stands for them.
 */
function denseRows(run: StudyRun): Row[] {
  const start = run.backbone.scores
    ? [scoreRow(AS_IS_ROW, "baselines", [{ ...run.backbone, scores: run.backbone.scores }])]
    : [];
  if (run.settings.pretrained?.denseTrained) return start;
  return [
    ...start,
    scoreRow("dense unsupervised", "baselines", stageOf(run, "a", 0)),
    scoreRow("dense supervised", "baselines", stageOf(run, "a", 1)),
  ];
}

/** Table 2: nDCG@10 per evaluation dataset and the average, rows grouped as in the paper. */
export function mainTable(run: StudyRun): Table {
  // Where the pretrained model's own training stands for the dense phases, it is what (a) and (b) start from.
  const pretrainedDense = run.settings.pretrained?.denseTrained === true;
  const dense = pretrainedDense
    ? { unsupervised: "the pretrained dense model", supervised: "the pretrained dense model" }
    : { unsupervised: "dense unsupervised", supervised: "dense supervised" };
  const bm25: Row = {
    group: "baselines",
    cells: {
      model: "BM25",
      average: meanAndSpread([100 * run.bm25.average]),
      paper: null,
      ...Object.fromEntries(
        Object.entries(run.bm25.datasets).map(([name, d]) => [name, 100 * d["ndcg@10"]]),
      ),
    },
  };
  return {
    name: "main",
    title: `nDCG@10 x 100 on the evaluation suite (profile ${run.profile}, seeds ${
      run.seeds.join(", ")
    })`,
    columns: [
      { key: "model", header: "model", kind: "text" },
      { key: "average", header: "Avg", kind: "meanSpread", digits: 2 },
      { key: "paper", header: "paper Avg", kind: "number", digits: 2, optional: true },
      ...datasetColumns(run),
    ],
    rows: [
      bm25,
      scoreRow(teacherRows(run.settings).scores, "baselines", [run.teacher]),
      ...denseRows(run),
      scoreRow("(a) KD only", `KD from ${dense.supervised}`, stageOf(run, "a", 2)),
      scoreRow(
        "(b) supervised",
        `supervised + KD from ${dense.unsupervised}`,
        stageOf(run, "b", 1),
      ),
      scoreRow(
        "(b) supervised + KD",
        `supervised + KD from ${dense.unsupervised}`,
        stageOf(run, "b", 2),
      ),
      scoreRow("(c) unsupervised", "ColBERT-Zero", stageOf(run, "c", 0)),
      scoreRow("(c) supervised", "ColBERT-Zero", stageOf(run, "c", 1)),
      scoreRow("(c) ColBERT-Zero", "ColBERT-Zero", stageOf(run, "c", 2)),
    ],
    notes: [
      "Each dataset is scored alone and the average is their plain mean, as BEIR does.",
      "Avg is mean ± sample standard deviation over seeds; dataset columns are means over seeds.",
      "paper Avg: the paper's BEIR average of the same row (15 BEIR datasets, ModernBERT-base scale).",
    ],
  };
}

/** Table 3: the prompt-alignment grid, final (after KD) average of every base x fine-tuning setting. */
export function promptsTable(run: StudyRun): Table {
  const cell = (kind: string, base: string, tune: string) =>
    averageSpread(stageOf(run, `grid-${kind}-${base}-${tune}`, 2));
  return {
    name: "prompts",
    title:
      "Prompt alignment: unsupervised base x fine-tuning (supervised + KD), average nDCG@10 x 100 after KD",
    columns: [
      { key: "base", header: "unsupervised base", kind: "text" },
      { key: "withPrompts", header: "fine-tuned with prompts", kind: "meanSpread", digits: 2 },
      {
        key: "withoutPrompts",
        header: "fine-tuned without prompts",
        kind: "meanSpread",
        digits: 2,
      },
    ],
    rows: (["dense", "colbert"] as const).flatMap((kind) =>
      (["prompts", "no-prompts"] as const).map((base) => ({
        group: kind === "dense" ? "dense (single-vector) base" : "ColBERT (multi-vector) base",
        cells: {
          base: `${kind}, pre-trained ${base === "prompts" ? "with" : "without"} prompts`,
          withPrompts: cell(kind, base, "prompts"),
          withoutPrompts: cell(kind, base, "no-prompts"),
        },
      }))
    ),
    notes: ["The paper finds aligned settings (diagonal) above misaligned ones."],
  };
}

/** Table 4: prompts against the same +7 tokens of length without prompt text, after each phase. */
export function promptVsLengthTable(run: StudyRun): Table {
  const rows: [string, string][] = [
    ["(c) with prompts", "c"],
    ["(c) without prompts", "c-no-prompts"],
    ["(c) +7 tokens, no prompt text", "c-length"],
  ];
  return {
    name: "prompt_vs_length",
    title: "Prompt text or just length? ColBERT-Zero, average nDCG@10 x 100 after each phase",
    columns: [
      { key: "variant", header: "variant", kind: "text" },
      { key: "unsupervised", header: "unsupervised", kind: "meanSpread", digits: 2 },
      { key: "supervised", header: "supervised", kind: "meanSpread", digits: 2 },
      { key: "kd", header: "KD", kind: "meanSpread", digits: 2 },
      { key: "paper", header: "paper (KD)", kind: "number", digits: 2, optional: true },
    ],
    rows: rows.map(([variant, id]) => ({
      cells: {
        variant,
        unsupervised: averageSpread(stageOf(run, id, 0)),
        supervised: averageSpread(stageOf(run, id, 1)),
        kd: averageSpread(stageOf(run, id, 2)),
        paper: id === "c"
          ? PAPER_AVERAGES["(c) ColBERT-Zero"]
          : id === "c-no-prompts"
          ? PAPER_AVERAGES["(c) without prompts"]
          : null,
      },
    })),
    notes: [
      "The length control has the prompts' +7 tokens of room (more [MASK] expansion tokens for queries) but no prompt words.",
    ],
  };
}

/** Tables 3 and 4 when the profile ran the prompt ablations, else none. */
export function promptTables(run: StudyRun): Table[] {
  return run.settings.promptAblations ? [promptsTable(run), promptVsLengthTable(run)] : [];
}

/** A line saying that the profile left the prompt ablations out, or "" when it ran them. */
export function ablationsNote(run: StudyRun): string {
  return run.settings.promptAblations
    ? ""
    : `The profile **${run.profile}** does not run the prompt ablations (its promptAblations ` +
      "setting): Tables 3 and 4, the prompt figure and finding 4 are the other profiles' to show.";
}

/** The study's tables: setup and cost, the main table, and the prompt tables when they were run. */
export function studyTables(run: StudyRun): Table[] {
  return [setupCostTable(run), mainTable(run), ...promptTables(run)];
}
