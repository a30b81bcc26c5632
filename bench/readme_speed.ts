/**
 * The README's speed section, written by `deno task bench --only 6x384 --readme` from the run's
 * own figures: training and encoding all-MiniLM-L6-v2 (a BERT, 6 x 384) on the suite's
 * fastest path beside PyTorch on the same step, with their ratio.
 */
import { join } from "node:path";
import { REPO_ROOT } from "../lib/cache/code_version.ts";
import { writeReadmeSection } from "../lib/results/readme_section.ts";
import { number, ratio } from "./report.ts";

/** The figures the section shows (bench's `--json` keys). */
export interface SpeedFigures {
  train_tokens_per_s_6x384?: number;
  train_tokens_per_s_6x384_torch?: number;
  encode_tokens_per_s_6x384?: number;
  encode_tokens_per_s_6x384_torch?: number;
  train_path_6x384?: string;
  encode_path_6x384?: string;
}

/** The section's Markdown: a table and the line saying how and when it was measured. */
export function speedSection(figures: SpeedFigures, measured: { date: string; load: string }) {
  const row = (what: string, ours?: number, path?: string, torch?: number) =>
    `| ${what} | ${ours === undefined ? "—" : `${number(ours)} (${path})`} | ` +
    `${torch === undefined ? "not installed" : number(torch)} | ${ratio(ours, torch)} |`;
  return [
    "| tokens/s, all-MiniLM-L6-v2 (BERT 6 x 384, the pretrained profile's backbone) | the suite (path) | PyTorch | suite / PyTorch |",
    "| --- | --- | --- | --- |",
    row(
      "training step, batch 16 x (32 + 128)",
      figures.train_tokens_per_s_6x384,
      figures.train_path_6x384,
      figures.train_tokens_per_s_6x384_torch,
    ),
    row(
      "encoding 64 documents of 180 tokens",
      figures.encode_tokens_per_s_6x384,
      figures.encode_path_6x384,
      figures.encode_tokens_per_s_6x384_torch,
    ),
    "",
    `Written by \`COLBERT_TORCH_PYTHON=<python with torch> deno task bench --only 6x384 --readme\` ` +
    `on ${measured.date} (load average ${measured.load} when it started; 2 cores, PyTorch with 2 ` +
    "threads; each figure the best of three rounds, the suite and PyTorch alternating). Every " +
    "path, the 2 x 64 student and peak memory: [docs/speed.md](docs/speed.md).",
  ].join("\n");
}

/** Rewrite the README's speed section with `figures`. */
export async function writeSpeedSection(figures: SpeedFigures, load: string): Promise<void> {
  const date = new Date().toISOString().slice(0, 10);
  await writeReadmeSection(
    join(REPO_ROOT, "README.md"),
    "speed",
    speedSection(figures, { date, load }),
  );
}
