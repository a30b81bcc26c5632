/**
 * The paper's settings per phase (paper.md, "The three phases"), next to what a profile
 * uses: the notebooks render this side by side so every deviation is visible.
 */
import { encoderFlopsPerToken } from "../models/encoder.ts";
import { encoderOfShape } from "../models/encoder_of_shape.ts";
import { markdownTable } from "../util/markdown_table.ts";
import type { Profile } from "../phases/profile_settings.ts";

/** One row of the comparison: a setting, the paper's value, the profile's value. */
export interface SettingRow {
  setting: string;
  paper: string;
  ours: string;
  why?: string;
}

/** The paper's per-phase cost in GH200-hours (its setup table). */
export const PAPER_GH200_HOURS = { unsupervised: 368, supervised: 32, distillation: 8 } as const;

/** The paper's global batch sizes. */
export const PAPER_BATCH = { unsupervised: 16384, supervised: 64, distillation: 128 } as const;

function params(profile: Profile): string {
  const { hidden, layers, intermediate, vocabSize } = profile.student;
  if (profile.pretrained) {
    return `${profile.pretrained.student} (${layers} layers x ${hidden} wide)`;
  }
  // ModernBERT: a token table, no position table (rotary), Wqkv + Wo and a GeGLU per layer.
  const count = vocabSize * hidden + layers * (4 * hidden * hidden + 3 * hidden * intermediate);
  return `${(count / 1e6).toFixed(1)}M (${layers} layers x ${hidden} wide)`;
}

/** Forward FLOPs per token of the student at the backbone phase's length. */
function flopsPerToken(profile: Profile): number {
  const architecture = profile.pretrained?.architecture ?? "modernbert";
  const student = encoderOfShape(profile.student, architecture);
  return encoderFlopsPerToken(student, profile.backbone.maxLength);
}

/** How the profile's backbone was pre-trained, in words. */
function pretraining(profile: Profile): string {
  if (profile.pretrained?.denseTrained) {
    return "by its authors: contrastive training on over a billion pairs (a dense retriever)";
  }
  if (profile.pretrained) return "by its authors (MLM)";
  return profile.backbone.steps > 0
    ? `MLM, ${profile.backbone.steps} steps x ${profile.backbone.batchSize} texts`
    : "none: a random initialisation (see the profile's note)";
}

/** The hybrid teacher in words: its dense model, fine-tuned here, and BM25's share. */
function hybridTeacher(profile: Profile): string {
  const t = profile.teacherTraining;
  const dense =
    `the pretrained dense model fine-tuned here (${t.steps} steps x ${t.batchSize} queries, BM25-mined negatives: ${t.negatives} a query)`;
  return profile.hybridBm25Weight > 0
    ? `${dense}, fused with BM25 (BM25's share ${profile.hybridBm25Weight})`
    : dense;
}

/** The settings table of `phase` for `profile`. */
export function settingsTable(
  profile: Profile,
  phase: "backbone" | "unsupervised" | "supervised" | "distillation",
): SettingRow[] {
  const scratch = profile.pretrained
    ? "a pretrained encoder: the rate sentence-transformers fine-tunes at, for a short run"
    : "no pretrained encoder is used in this profile; trained from scratch, so larger rates";
  switch (phase) {
    case "backbone":
      return [
        {
          setting: "backbone",
          paper: "ModernBERT-base, 149M parameters",
          ours: params(profile),
          why: "2 CPU cores",
        },
        {
          setting: "pre-training",
          paper: "MLM (by its authors, not counted in the paper's cost)",
          ours: pretraining(profile),
        },
        {
          setting: "texts",
          paper: "trillions of web tokens",
          ours: "every unsupervised text of data/",
        },
        {
          setting: "forward FLOPs / token",
          paper: "about 0.3 GFLOP",
          ours: `${(flopsPerToken(profile) / 1e6).toFixed(2)} MFLOP`,
        },
      ];
    case "unsupervised":
      return [
        {
          setting: "data",
          paper: "~239M pairs from 29 web sources",
          ours: "pairs from the package sources of data/train/pairs",
        },
        {
          setting: "batch",
          paper: "16,384, one source per batch",
          ours: `${profile.unsupervised.batchSize}, one source per batch`,
          why: "memory and time; GradCache keeps the batch independent of memory",
        },
        { setting: "negatives", paper: "in-batch only", ours: "in-batch only" },
        { setting: "GradCache chunk", paper: "512", ours: String(profile.unsupervised.chunkSize) },
        { setting: "temperature", paper: "0.02", ours: String(profile.unsupervised.temperature) },
        {
          setting: "learning rate",
          paper: "3e-4",
          ours: String(profile.unsupervised.learningRate),
          why: scratch,
        },
        {
          setting: "steps",
          paper: "1 epoch (~14.6k steps)",
          ours: String(profile.unsupervised.steps),
        },
        {
          setting: "lengths (query / document)",
          paper: "32 / 180 (+7 with prompts)",
          ours: `${profile.queryLength} / ${profile.unsupervisedDocumentLength} (+7 with prompts)`,
        },
      ];
    case "supervised":
      return [
        {
          setting: "data",
          paper: "~1.7M queries, 10 sources",
          ours: "WordNet examples and lemmas -> glosses",
        },
        { setting: "batch", paper: "64", ours: String(profile.supervised.batchSize) },
        {
          setting: "hard negatives / query",
          paper: "about 10, mined",
          ours: `${profile.supervised.negatives} (other senses, then mined)`,
        },
        { setting: "temperature", paper: "0.2", ours: String(profile.supervised.temperature) },
        {
          setting: "learning rate",
          paper: "8e-6",
          ours: String(profile.supervised.learningRate),
          why: scratch,
        },
        { setting: "steps", paper: "1 epoch", ours: String(profile.supervised.steps) },
        {
          setting: "document length",
          paper: "512 (+7)",
          ours: `${profile.documentLength} (+7)`,
          why: "our documents are glosses and short descriptions",
        },
      ];
    case "distillation":
      return [
        {
          setting: "data",
          paper: "640k MS MARCO queries x 32 teacher-scored documents",
          ours:
            `${profile.kdQueries} queries (WordNet and unsupervised pairs, unseen by the teacher) x ${profile.distillation.documentsPerQuery} documents`,
        },
        {
          setting: "teacher",
          paper: "a strong cross-encoder",
          ours: profile.teacherKind === "hybrid"
            ? hybridTeacher(profile)
            : `a cross-encoder trained here (${profile.teacher.layers} layers x ${profile.teacher.hidden} wide, exact-match input) on WordNet and as many unsupervised pairs`,
          why: profile.teacherKind === "hybrid"
            ? "no cross-encoder worth distilling can be downloaded or trained here (notebook 04)"
            : undefined,
        },
        {
          setting: "batch",
          paper: "128 (64 x 2 accumulation)",
          ours: `${profile.distillation.batchSize} (${
            profile.distillation.batchSize / profile.distillation.accumulation
          } x ${profile.distillation.accumulation})`,
        },
        {
          setting: "loss",
          paper: "KL(teacher || student), student scores min-max normalised",
          ours: "the same",
        },
        {
          setting: "learning rate",
          paper: "4e-6",
          ours: String(profile.distillation.learningRate),
          why: scratch,
        },
        { setting: "steps", paper: "1 epoch (5k steps)", ours: String(profile.distillation.steps) },
      ];
  }
}

/** A settings table as Markdown. */
export function settingsMarkdown(rows: SettingRow[]): string {
  return markdownTable(
    ["setting", "paper", "this profile", "why it differs"],
    rows.map((row) => [row.setting, row.paper, row.ours, row.why ?? ""]),
  );
}
