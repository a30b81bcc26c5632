/**
 * What the data notebook shows, computed here so that tests reach it: the training mixture
 * as a table in the spirit of the paper's, the evaluation suite, a few examples per
 * dataset, and token-length histograms as a plotly figure.
 */
import { join } from "node:path";
import { readDataset } from "../datasets/dataset.ts";
import type { DataCard } from "./data_card.ts";
import { readJsonl } from "../util/jsonl.ts";
import { seededRandom, shuffled } from "../util/random.ts";
import { asPair } from "../datasets/records.ts";
import { batchShares } from "../train/sampler.ts";
import type { SuiteRow } from "./suite.ts";
import { type Align, markdownTable } from "../util/markdown_table.ts";

/** A query with its (first relevant) document, for display. */
export type Example = { query: string; document: string };

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const mean = (card: DataCard, field: string) => card.lengths.fields[field]?.mean ?? 0;

/** The unsupervised mixture: pairs, share of batches (proportional sampling), mean lengths. */
export function mixtureTable(cards: readonly DataCard[]): string {
  const pairs = cards.filter((card) => card.kind === "pairs");
  const shares = batchShares(
    Object.fromEntries(pairs.map((card) => [card.name, card.counts.records])),
  );
  const rows = pairs.map((card) => [
    card.name,
    card.counts.records.toLocaleString("en"),
    percent(shares[card.name]),
    `${mean(card, "query")}`,
    `${mean(card, "document")}`,
    card.licence,
  ]);
  const total = pairs.reduce((sum, card) => sum + card.counts.records, 0);
  return markdownTable(
    ["source", "pairs", "share of batches", "mean query tokens", "mean document tokens", "licence"],
    [...rows, ["**total**", total.toLocaleString("en"), "100%", "", "", ""]],
    { align: ["left", "right", "right", "right", "right", "left"] },
  );
}

/** The evaluation suite and dev sets: sizes and mean lengths per dataset. */
export function suiteTable(cards: readonly DataCard[]): string {
  const rows = cards.filter((card) => card.kind === "eval" || card.kind === "dev").map((card) => {
    const { corpus, queries, judgments } = card.counts;
    const origin = card.origins.map((o) => `${o.name.split("/").pop()} ${o.version}`.trim());
    const counts = [corpus, queries, judgments, mean(card, "query"), mean(card, "document")];
    return [card.name, card.kind, ...counts.map((count) => `${count}`), origin.join(", ")];
  });
  return markdownTable(
    [
      "dataset",
      "role",
      "documents",
      "queries",
      "judgments",
      "mean query tokens",
      "mean document tokens",
      "origin",
    ],
    rows,
    { align: ["left", "left", "right", "right", "right", "right", "right", "left"] },
  );
}

/** The suite's scores as a table (nDCG@10 and recall@100 in percent, as the paper prints). */
export function suiteResultsTable(model: string, rows: readonly SuiteRow[]): string {
  const percentage = (x: number) => (100 * x).toFixed(2);
  return markdownTable(
    [model, "queries", "nDCG@10", "recall@100", "MRR@10"],
    rows.map((row) => [
      row.dataset,
      `${row.queries}`,
      percentage(row["ndcg@10"]),
      percentage(row["recall@100"]),
      percentage(row["mrr@10"]),
    ]),
    { align: ["left", "right", "right", "right", "right"] },
  );
}

/** `count` seeded examples of a dataset (training pairs, or eval query + first relevant document). */
export async function examples(
  dataDir: string,
  card: DataCard,
  options: { count?: number; seed?: number } = {},
): Promise<Example[]> {
  const { count = 3, seed = 0 } = options;
  const pick = <T>(items: T[]) => shuffled(items, seededRandom(seed)).slice(0, count);
  if (card.kind === "pairs") {
    return pick(await readJsonl(join(dataDir, card.files[0].path), asPair));
  }
  if (card.kind === "supervised") {
    const train = card.files.find((file) => file.path.endsWith(".train.jsonl"))!;
    const records = await readJsonl(join(dataDir, train.path), (r, where) => {
      const { query, positive } = r as { query: string; positive: string };
      if (typeof query !== "string" || typeof positive !== "string") {
        throw new Error(`${where}: not a record`);
      }
      return { query, document: positive };
    });
    return pick(records);
  }
  const dataset = await readDataset(join(dataDir, card.kind, card.name), { onWarning: () => {} });
  return pick([...dataset.qrels.keys()]).map((queryId) => {
    const docId = [...dataset.qrels.get(queryId)!.keys()][0];
    const doc = dataset.corpus.get(docId)!;
    return {
      query: dataset.queries.get(queryId)!,
      document: doc.title ? `${doc.title}: ${doc.text}` : doc.text,
    };
  });
}

/** Examples as a markdown table, texts cut to `maxChars` so that the notebook stays small. */
export function examplesTable(name: string, rows: readonly Example[], maxChars = 160): string {
  const cell = (text: string) => {
    const cut = text.length > maxChars ? text.slice(0, maxChars) + "…" : text;
    return cut.replace(/\s+/g, " ");
  };
  return markdownTable(
    [`${name}: query`, "document"],
    rows.map((row) => [cell(row.query), cell(row.document)]),
  );
}

/** Counts of `lengths` in bins of `width` (the last bin collects everything from `max` up). */
export function histogram(
  lengths: readonly number[],
  { width, max }: { width: number; max: number },
): number[] {
  const counts = new Array(Math.ceil(max / width) + 1).fill(0);
  for (const length of lengths) counts[Math.min(counts.length - 1, Math.floor(length / width))]++;
  return counts;
}

/** A plotly figure: per training source, the share of sampled documents per token-length bin. */
export async function lengthHistogramFigure(
  dataDir: string,
  cards: readonly DataCard[],
  countTokens: (text: string) => number,
  options: { sample?: number; width?: number; max?: number; seed?: number } = {},
): Promise<{ data: unknown[]; layout: Record<string, unknown> }> {
  const { sample = 500, width = 16, max = 512, seed = 0 } = options;
  const data: unknown[] = [];
  for (const card of cards.filter((c) => c.kind === "pairs" || c.kind === "supervised")) {
    const rows = await examples(dataDir, card, { count: sample, seed });
    const counts = histogram(rows.map((row) => countTokens(row.document)), { width, max });
    data.push({
      type: "scatter",
      mode: "lines",
      name: card.name,
      x: counts.map((_, i) => i * width),
      y: counts.map((n) => Math.round((1000 * n) / rows.length) / 1000),
    });
  }
  const layout = {
    title: { text: `Document length in tokens (${sample} sampled per source, bins of ${width})` },
    xaxis: { title: { text: `tokens (last bin: ${max}+)` } },
    yaxis: { title: { text: "share of documents" } },
    width: 760,
    height: 400,
  };
  return { data, layout };
}

/** Training records removed as leaks, per training source and evaluation dataset. */
export function decontaminationTable(cards: readonly DataCard[]): string {
  const training = cards.filter((card) => card.kind === "pairs" || card.kind === "supervised");
  const evaluation = [...new Set(training.flatMap((card) => Object.keys(card.decontaminated)))]
    .sort();
  return markdownTable(
    ["training source", ...evaluation, "kept"],
    training.map((card) => [
      card.name,
      ...evaluation.map((name) => `${card.decontaminated[name] ?? 0}`),
      `${card.counts.records}`,
    ]),
    { align: ["left", ...evaluation.map((): Align => "right"), "right"] },
  );
}
