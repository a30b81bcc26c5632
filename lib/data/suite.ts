/**
 * The evaluation suite: every BEIR folder under `data/eval/` (built by `deno task data`),
 * plus any folder a user points at (a real BEIR download, a SMART collection). Each
 * dataset is scored alone and the suite reports the plain average, as BEIR does.
 *
 * ```ts
 * const rows = await evaluateSuite(await suiteFolders("data"), (corpus) => bm25Retriever(corpus));
 * rows.at(-1) // { dataset: "average", "ndcg@10": ..., queries: ... }
 * ```
 */
import { basename, join } from "node:path";
import type { Corpus } from "../datasets/beir.ts";
import { readDataset } from "../datasets/dataset.ts";
import { listFolders } from "../util/files.ts";
import { mean } from "../util/summary.ts";
import { evaluateRetriever, MEASURES, type Retriever } from "../retrieval/evaluate.ts";

/** One dataset of the suite. */
export type SuiteDataset = { name: string; folder: string };

/** One row of a suite evaluation: a dataset's mean metrics (or their average). */
export type SuiteRow =
  & { dataset: string; queries: number }
  & Record<typeof MEASURES[number], number>;

/** The built evaluation folders of `dataDir` (sorted), then `extra` folders as given. */
export async function suiteFolders(dataDir: string, extra: string[] = []): Promise<SuiteDataset[]> {
  const names = await listFolders(join(dataDir, "eval")).catch((error: Error) => {
    throw new Error(`${error.message}; run \`deno task data\``);
  });
  return [
    ...names.map((name) => ({ name, folder: join(dataDir, "eval", name) })),
    ...extra.map((folder) => ({ name: basename(folder), folder })),
  ];
}

/** Score `retrieverFor(corpus)` on each dataset alone, then add the "average" row. */
export async function evaluateSuite(
  suite: SuiteDataset[],
  retrieverFor: (corpus: Corpus) => Retriever | Promise<Retriever>,
): Promise<SuiteRow[]> {
  const rows: SuiteRow[] = [];
  for (const { name, folder } of suite) {
    const dataset = await readDataset(folder, { onWarning: () => {} });
    const evaluation = await evaluateRetriever(dataset, await retrieverFor(dataset.corpus));
    const row = { dataset: name, queries: evaluation.queries } as SuiteRow;
    for (const measure of MEASURES) row[measure] = evaluation[measure];
    rows.push(row);
  }
  const average = { dataset: "average", queries: 0 } as SuiteRow;
  for (const row of rows) average.queries += row.queries;
  for (const measure of MEASURES) {
    average[measure] = rows.length === 0 ? 0 : mean(rows.map((row) => row[measure]));
  }
  return [...rows, average];
}
