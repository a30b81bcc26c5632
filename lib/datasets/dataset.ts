/**
 * One entry point for evaluation data on disk: a BEIR folder or a SMART collection folder.
 */
import { join } from "node:path";
import { type BeirDataset, readBeir } from "./beir.ts";
import { findSmartFiles, readSmart } from "./smart.ts";

/** Options of {@link readDataset}. */
export type ReadDatasetOptions = {
  /** BEIR qrels split; SMART collections have a single set of judgments and must use "test". */
  split?: string;
  /** Receives counted warnings about dropped judgments. */
  onWarning?: (message: string) => void;
};

/** Read `folder` as BEIR (has corpus.jsonl) or SMART (has *.ALL, *.QRY, *.REL). */
export async function readDataset(
  folder: string,
  options: ReadDatasetOptions = {},
): Promise<BeirDataset> {
  const { split = "test" } = options;
  const info = await Deno.stat(folder).catch(() => null);
  if (info === null || !info.isDirectory) throw new Error(`${folder}: not a folder`);
  if (await Deno.stat(join(folder, "corpus.jsonl")).catch(() => null)) {
    return readBeir(folder, options);
  }
  if (await findSmartFiles(folder)) {
    if (split !== "test") throw new Error(`${folder}: a SMART collection has no "${split}" split`);
    return readSmart(folder, options);
  }
  throw new Error(
    `${folder}: neither a BEIR folder (corpus.jsonl) nor SMART (*.ALL, *.QRY, *.REL)`,
  );
}
