import assert from "node:assert/strict";
import { PRETRAINED, SMALL } from "../lib/phases/profiles.ts";
import type { Profile } from "../lib/phases/profile_settings.ts";
import { profileNote } from "../lib/study/profile_notes.ts";
import { unsupervisedBases } from "../lib/study/pipelines.ts";
import { expectedResults } from "../lib/study/write_results.ts";
import { ablationsNote, promptTables } from "../lib/study/tables.ts";
import { startingPointComparisons, startingPointMarkdown } from "../lib/study/findings.ts";
import { teacherCheckTable } from "../lib/study/teacher_check.ts";
import { settingsTable } from "../lib/study/paper_settings.ts";
import type { SuiteScores } from "../lib/study/evaluation.ts";
import type { StudyRun } from "../lib/study/study.ts";

/** The pretrained profile as the study context leaves it once it has read the student. */
const RESOLVED: Profile = {
  ...PRETRAINED,
  pretrained: { ...PRETRAINED.pretrained!, denseTrained: true, architecture: "bert" },
};
const MLM: Profile = {
  ...PRETRAINED,
  pretrained: { student: "hf:answerdotai/ModernBERT-base", teacher: "x", denseTrained: false },
};

Deno.test("profile notes follow the starting point: scratch, MLM checkpoint, dense retriever", () => {
  assert.match(profileNote(SMALL, "backbone"), /random initialisation/);
  assert.match(profileNote(MLM, "backbone"), /ModernBERT-base.*MLM checkpoint/s);
  assert.match(profileNote(RESOLVED, "backbone"), /all-MiniLM-L6-v2.*GTE-ModernColBERT/s);
  assert.equal(profileNote(MLM, "unsupervised"), "", "an MLM start trains the dense phases");
  assert.match(profileNote(RESOLVED, "unsupervised"), /dense bases are not trained/);
  assert.match(profileNote(RESOLVED, "distillation"), /fine-tuned here as a dense retriever/);
  const fused = { ...RESOLVED, hybridBm25Weight: 0.5 };
  assert.doesNotMatch(profileNote({ ...RESOLVED, hybridBm25Weight: 0 }, "distillation"), /fused/);
  assert.match(profileNote(fused, "distillation"), /fused with BM25's .*share 0.5/);
  assert.match(profileNote(RESOLVED, "main"), /finding 4 \(prompts\) is not tested/);
});

Deno.test("settings: FLOPs per token follow the student's architecture", () => {
  const flops = (profile: Profile) =>
    settingsTable(profile, "backbone").find((row) => row.setting === "forward FLOPs / token")!
      .ours;
  // all-MiniLM-L6-v2 at 128 tokens: 6 x 2 x (4 x 384^2 + 2 x 384 x 1,536 + 2 x 128 x 384).
  assert.equal(flops(RESOLVED), "22.41 MFLOP");
  // The same shape as a GeGLU ModernBERT counts 3 x 384 x 1,536 for its feed-forward.
  assert.equal(
    flops({ ...RESOLVED, pretrained: { ...RESOLVED.pretrained!, architecture: "modernbert" } }),
    "29.49 MFLOP",
  );
});

Deno.test("the unsupervised bases: without prompts only where the prompt ablations run", () => {
  const names = (profile: Profile) =>
    unsupervisedBases(profile).map((s) => `${s.kind}/${s.variant.prompts}`);
  assert.deepEqual(names(SMALL), ["dense/true", "dense/false", "colbert/true", "colbert/false"]);
  assert.deepEqual(names(PRETRAINED), ["dense/true", "colbert/true"]);
});

Deno.test("a results folder without prompt ablations expects no prompt tables or figure", () => {
  const without = expectedResults({ promptAblations: false });
  assert.deepEqual(without.tables, ["setup_cost", "main"]);
  assert.ok(!without.figures.some((f) => f.includes("prompts")));
  const older = expectedResults({});
  assert.deepEqual(older.tables, ["setup_cost", "main", "prompts", "prompt_vs_length"]);
  assert.ok(older.figures.includes("figures/prompts.svg"));
  const run = { profile: "pretrained", settings: PRETRAINED } as unknown as StudyRun;
  assert.deepEqual(promptTables(run), []);
  assert.match(ablationsNote(run), /does not run the prompt ablations/);
  assert.equal(ablationsNote({ ...run, settings: SMALL }), "");
});

/** Suite scores of one dataset from per-query nDCG@10 values. */
function scores(perQuery: number[]): SuiteScores {
  const entries = perQuery.map((v, i) => [`q${i}`, v] as [string, number]);
  const mean = perQuery.reduce((a, b) => a + b, 0) / perQuery.length;
  return {
    model: "m",
    average: mean,
    datasets: {
      d: {
        "ndcg@10": mean,
        "recall@100": 0,
        "mrr@10": 0,
        map: 0,
        queries: perQuery.length,
        perQuery: Object.fromEntries(entries),
      },
    },
  };
}

Deno.test("(c) against the starting points: paired differences from the per-query scores", () => {
  const zero = scores(Array.from({ length: 12 }, (_, i) => 0.5 + 0.02 * i));
  const run = {
    bm25: scores(Array.from({ length: 12 }, () => 0.3)),
    backbone: { scores: scores(Array.from({ length: 12 }, (_, i) => 0.5 + 0.02 * i - 0.01)) },
    pipelines: [{ id: "c", seed: 1, stages: [{}, {}, { scores: zero }] }],
  } as unknown as StudyRun;
  const [bm25, asIs] = startingPointComparisons(run);
  assert.ok(Math.abs(bm25.result.difference - (0.61 - 0.3)) < 1e-9);
  assert.ok(Math.abs(asIs.result.difference - 0.01) < 1e-9);
  assert.ok(bm25.result.pValue < 0.05);
  assert.match(startingPointMarkdown(run), /is above BM25/);
  assert.deepEqual(startingPointComparisons({ ...run, backbone: {} } as StudyRun), []);
});

Deno.test("(c) level with its start: the run's own teacher margin and (c)'s phases say why", () => {
  const flat = (value: number) => scores(Array.from({ length: 12 }, () => value));
  const run = {
    bm25: flat(0.3),
    backbone: { scores: flat(0.6) },
    teacher: { scores: flat(0.61) },
    pipelines: [{
      id: "c",
      seed: 1,
      stages: [{ scores: flat(0.55) }, { scores: flat(0.58) }, { scores: flat(0.6) }],
    }],
  } as unknown as StudyRun;
  const text = startingPointMarkdown(run);
  assert.match(text, /is not shown above the pretrained dense model/);
  assert.match(text, /teacher, .* scores 61\.00 against the starting model's 60\.00 \(\+1\.00\)/);
  assert.match(text, /moved the start to 55\.00 \(−5\.00\), supervised fine-tuning to 58\.00/);
  assert.match(text, /distillation to 60\.00 \(\+0\.00\)/);
  // (c) above its start: nothing to explain.
  const ahead = { ...run, backbone: { scores: flat(0.5) } } as unknown as StudyRun;
  assert.doesNotMatch(startingPointMarkdown(ahead), /Why, in this run's averages/);
});

Deno.test("the teacher check table: scores x100, and a note that says when it falls short", () => {
  const check = {
    datasets: ["dev"],
    scores: { bm25: [0.2, 0.2], start: [0.4, 0.4], teacher: [0.3, 0.3] },
    worthDistilling: false,
  };
  const table = teacherCheckTable(check);
  assert.deepEqual(table.rows.map((r) => r.cells.mean), [20, 40, 30]);
  assert.match(table.notes![0], /NOT above both/);
  assert.match(teacherCheckTable({ ...check, worthDistilling: true }).notes![0], /is above BM25/);
});

Deno.test("the settings tables name a pretrained backbone and the hybrid teacher, fused or alone", () => {
  const [backbone, pretraining] = settingsTable(RESOLVED, "backbone");
  assert.match(backbone.ours, /all-MiniLM-L6-v2 \(6 layers x 384 wide\)/);
  assert.match(pretraining.ours, /contrastive training/);
  const teacher = (profile: typeof RESOLVED) =>
    settingsTable(profile, "distillation").find((r) => r.setting === "teacher")!.ours;
  const { steps, batchSize } = RESOLVED.teacherTraining;
  const alone = teacher({ ...RESOLVED, hybridBm25Weight: 0 });
  assert.match(alone, new RegExp(`fine-tuned here \\(${steps} steps x ${batchSize} queries`));
  assert.doesNotMatch(alone, /BM25's share/);
  const fused = teacher({ ...RESOLVED, hybridBm25Weight: 0.5 });
  assert.match(fused, /fine-tuned here .*, fused with BM25 \(BM25's share 0.5\)/);
});
