/**
 * Data cards: per dataset, where the text comes from (package, version, checksum,
 * licence), how much there is, how long it is in tokens, what was left out and why, and
 * the checksum of every file written. Written as JSON beside the data; small enough to
 * commit.
 */
import { basename } from "node:path";
import type { BeirDataset } from "../datasets/beir.ts";
import { sha256File } from "../util/checksum.ts";
import { markdownTable } from "../util/markdown_table.ts";
import { mean, quantile } from "../util/summary.ts";
import type { Origin } from "./inputs.ts";
import { seededRandom, shuffled } from "../util/random.ts";
import type { Skipped } from "./spec.ts";

/** Summary of a list of lengths. */
export type LengthStats = { mean: number; median: number; p95: number; max: number };

/** One written file with its size and checksum. */
export type FileEntry = { path: string; bytes: number; sha256: string };

/** The data card of one dataset. */
export type DataCard = {
  name: string;
  kind: string;
  description: string;
  licence: string;
  origins: Origin[];
  /** Record counts: `records` (+ `groups`) for training files, corpus/queries/judgments for BEIR. */
  counts: Record<string, number>;
  /** Token lengths by field, measured on a seeded sample of at most `sample` texts per field. */
  lengths: { tokenizer: string; sample: number; fields: Record<string, LengthStats> };
  skipped: Skipped;
  /** Training records removed because they contain evaluation text, by evaluation dataset. */
  decontaminated: Record<string, number>;
  files: FileEntry[];
  /** Hash of code version, origins and (for training data) the evaluation data: the rebuild key. */
  fingerprint: string;
};

/** Texts per field sampled for length statistics: enough for stable means, fast to tokenize. */
export const LENGTH_SAMPLE = 2000;

/**
 * Mean, median, 95th percentile (numpy's linear quantiles) and maximum of `lengths`, to
 * one decimal; zeros when empty.
 */
export function lengthStats(lengths: readonly number[]): LengthStats {
  if (lengths.length === 0) return { mean: 0, median: 0, p95: 0, max: 0 };
  const sorted = [...lengths].sort((a, b) => a - b);
  const tenths = (x: number) => Math.round(x * 10) / 10;
  return {
    mean: tenths(mean(sorted)),
    median: tenths(quantile(sorted, 0.5)),
    p95: tenths(quantile(sorted, 0.95)),
    max: sorted.at(-1)!,
  };
}

/** Length statistics of each field's texts, on a seeded sample of at most `sample` per field. */
export function fieldLengths(
  fields: Record<string, readonly string[]>,
  countTokens: (text: string) => number,
  options: { sample?: number; seed?: number } = {},
): Record<string, LengthStats> {
  const { sample = LENGTH_SAMPLE, seed = 0 } = options;
  const result: Record<string, LengthStats> = {};
  for (const [field, texts] of Object.entries(fields)) {
    const chosen = texts.length <= sample
      ? texts
      : shuffled(texts, seededRandom(seed)).slice(0, sample);
    result[field] = lengthStats(chosen.map(countTokens));
  }
  return result;
}

/** The texts of a BEIR dataset by field, for {@link fieldLengths}. */
export function beirFields(dataset: BeirDataset): Record<string, string[]> {
  return {
    query: [...dataset.queries.values()],
    document: [...dataset.corpus.values()].map((
      doc,
    ) => (doc.title ? `${doc.title} ${doc.text}` : doc.text)),
  };
}

/** Size and checksum of each file, paths as given (relative to the data folder by the caller). */
export async function fileEntries(paths: string[], relativeTo: string): Promise<FileEntry[]> {
  const entries: FileEntry[] = [];
  for (const path of paths) {
    const { size } = await Deno.stat(path);
    entries.push({
      path: path.slice(relativeTo.length + 1),
      bytes: size,
      sha256: await sha256File(path),
    });
  }
  return entries;
}

/** Markdown table of cards (name, kind, records, lengths, licence, origin) for the notebook. */
export function cardsTable(cards: readonly DataCard[]): string {
  const rows = cards.map((card) => {
    const count = card.counts.records ?? card.counts.queries;
    const lengths = Object.entries(card.lengths.fields)
      .map(([field, stats]) => `${field} ${stats.mean}`).join(", ");
    const origin = card.origins.map((o) => `${basename(o.name)} ${o.version}`.trim()).join(", ");
    return [card.name, card.kind, `${count}`, lengths, card.licence, origin];
  });
  return markdownTable(
    ["dataset", "kind", "records / queries", "mean tokens", "licence", "origin"],
    rows,
  );
}
