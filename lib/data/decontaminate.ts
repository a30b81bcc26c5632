/**
 * Keeping evaluation text out of training data, on top of {@link LeakageIndex}:
 * - {@link evaluationTexts}: every query and document of the evaluation datasets, with ids
 *   `dataset/query/<id>` and `dataset/doc/<id>`;
 * - {@link removeLeaks}: drop training records with any text that leaks, counted per
 *   evaluation dataset for the data card (GCIDE quoting a WordNet test definition, ...);
 * - {@link assertNoLeaks}: the final check over the written training files, which throws
 *   naming a file:line and the evaluation text it contains.
 */
import type { BeirDataset } from "../datasets/beir.ts";
import { readJsonl } from "../util/jsonl.ts";
import { findLeaks, type IdentifiedText, type LeakageIndex } from "./leakage.ts";
import {
  asPair,
  asSupervisedExample,
  type Pair,
  recordTexts,
  type SupervisedExample,
} from "../datasets/records.ts";

/** Every text of `datasets`, named `dataset/query/<id>` or `dataset/doc/<id>`. */
export function* evaluationTexts(datasets: Iterable<BeirDataset>): Generator<IdentifiedText> {
  for (const dataset of datasets) {
    for (const [id, text] of dataset.queries) yield { id: `${dataset.name}/query/${id}`, text };
    for (const [id, doc] of dataset.corpus) {
      yield { id: `${dataset.name}/doc/${id}`, text: doc.text };
    }
  }
}

/** The records of `records` with no leaking text, and the removals per evaluation dataset. */
export function removeLeaks<T extends Pair | SupervisedExample>(
  records: readonly T[],
  index: LeakageIndex,
): { kept: T[]; removed: Record<string, number> } {
  const verdicts = new Map<string, string | null>(); // text -> leaked dataset, or null
  const leakedDataset = (text: string) => {
    if (!verdicts.has(text)) verdicts.set(text, index.matches(text)[0]?.id.split("/")[0] ?? null);
    return verdicts.get(text)!;
  };
  const kept: T[] = [];
  const removed: Record<string, number> = {};
  for (const record of records) {
    const dataset = recordTexts(record).map(leakedDataset).find((name) => name !== null);
    if (dataset === undefined) kept.push(record);
    else removed[dataset] = (removed[dataset] ?? 0) + 1;
  }
  return { kept, removed };
}

/** A training file to check: `supervised` selects the record shape. */
export type TrainingFile = { path: string; supervised: boolean };

/** Throw if any text of `files` contains evaluation text; returns the number of texts checked. */
export async function assertNoLeaks(
  files: readonly TrainingFile[],
  index: LeakageIndex,
): Promise<number> {
  let checked = 0;
  for (const { path, supervised } of files) {
    const texts: IdentifiedText[] = [];
    const records = await readJsonl(path, (record, where) => {
      const parsed = supervised ? asSupervisedExample(record, where) : asPair(record, where);
      for (const text of recordTexts(parsed)) texts.push({ id: where, text });
      return null;
    });
    checked += texts.length;
    const leaks = findLeaks(index, texts);
    if (leaks.length > 0) {
      const { trainId, evalId, overlap } = leaks[0];
      throw new Error(
        `leakage: ${leaks.length} text(s) of ${path} contain evaluation text, e.g. ${trainId} ` +
          `shares ${
            Math.round(overlap * 100)
          }% of its shingles with ${evalId} (${records.length} records checked)`,
      );
    }
  }
  return checked;
}
