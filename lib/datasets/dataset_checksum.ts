/**
 * The checksum of a dataset as it is scored: every document, query and judgment, in
 * canonical order. A builder fix that changes texts but not counts changes it, and so the
 * keys of the evaluations that read it.
 */
import type { BeirDataset } from "./beir.ts";
import { canonicalJson } from "../cache/cache.ts";
import { sha256Hex } from "../util/checksum.ts";

// A suite is loaded once and scored for every checkpoint: hash each dataset once.
const known = new WeakMap<BeirDataset, Promise<string>>();

/** SHA-256 of `dataset`'s name, corpus, queries and judgments. */
export function datasetChecksum(dataset: BeirDataset): Promise<string> {
  let checksum = known.get(dataset);
  if (!checksum) {
    const sorted = <V>(map: Map<string, V>) =>
      [...map].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    checksum = sha256Hex(canonicalJson({
      name: dataset.name,
      corpus: sorted(dataset.corpus),
      queries: sorted(dataset.queries),
      qrels: sorted(dataset.qrels).map(([id, judged]) => [id, sorted(judged)]),
    }));
    known.set(dataset, checksum);
  }
  return checksum;
}

/** {@link datasetChecksum} of every dataset of `suite`, by name. */
export async function suiteChecksums(suite: BeirDataset[]): Promise<Record<string, string>> {
  const entries = await Promise.all(
    suite.map(async (dataset) => [dataset.name, await datasetChecksum(dataset)] as const),
  );
  return Object.fromEntries(entries);
}
