/**
 * Where each dataset's files and data card live under the data folder, and the check that
 * the files are still the ones the cards describe (`deno task data --check`).
 *
 *   eval/<name>/ and dev/<name>/          BEIR folders
 *   train/pairs/<name>.jsonl              unsupervised pairs
 *   train/supervised/<name>.<split>.jsonl supervised examples
 *   cards/<name>.json                     data cards
 */
import { join } from "node:path";
import { sha256File } from "../util/checksum.ts";
import { listFiles } from "../util/files.ts";
import type { DataCard } from "./data_card.ts";
import type { DatasetSpec } from "./spec.ts";

/** Where a dataset's files go, relative to the data folder. */
export function datasetPaths(
  spec: Pick<DatasetSpec, "name" | "kind">,
  splits: string[] = [],
): string[] {
  if (spec.kind === "pairs") return [`train/pairs/${spec.name}.jsonl`];
  if (spec.kind === "supervised") {
    return splits.map((split) => `train/supervised/${spec.name}.${split}.jsonl`);
  }
  const folder = `${spec.kind}/${spec.name}`;
  return [`${folder}/corpus.jsonl`, `${folder}/queries.jsonl`, `${folder}/qrels/test.tsv`];
}

/** The files of `card` that are training data: pairs, and the `train` split of supervised data. */
export function trainingFiles(card: DataCard): string[] {
  if (card.kind === "pairs") return card.files.map((file) => file.path);
  if (card.kind !== "supervised") return [];
  return card.files.map((file) => file.path).filter((path) => path.endsWith(".train.jsonl"));
}

/** Path of a dataset's data card. */
export function cardPath(dataDir: string, name: string): string {
  return join(dataDir, "cards", `${name}.json`);
}

/** Read a data card, or null when there is none. */
export async function readCard(dataDir: string, name: string): Promise<DataCard | null> {
  try {
    return JSON.parse(await Deno.readTextFile(cardPath(dataDir, name)));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new Error(
      `${cardPath(dataDir, name)}: unreadable data card (${(error as Error).message})`,
    );
  }
}

/** Names of the files of `card` whose checksum no longer matches (missing files included). */
export async function staleFiles(dataDir: string, card: DataCard): Promise<string[]> {
  const stale: string[] = [];
  for (const file of card.files) {
    const actual = await sha256File(join(dataDir, file.path)).catch(() => null);
    if (actual !== file.sha256) stale.push(file.path);
  }
  return stale;
}

/** Every data card under `dataDir/cards`, sorted by name (none when the folder is missing). */
export async function readCards(dataDir: string): Promise<DataCard[]> {
  const folder = join(dataDir, "cards");
  const exists = await Deno.stat(folder).then(() => true, () => false);
  const files = exists ? await listFiles(folder, /\.json$/) : [];
  const cards: DataCard[] = [];
  for (const file of files) cards.push((await readCard(dataDir, file.slice(0, -5)))!);
  return cards;
}

/**
 * The cards of the datasets built here: a committed card whose files are absent (CISI on
 * a machine without `../shared/data/cisi`) is left out.
 */
export async function readBuiltCards(dataDir: string): Promise<DataCard[]> {
  const exists = (path: string) => Deno.stat(join(dataDir, path)).then(() => true, () => false);
  const built: DataCard[] = [];
  for (const card of await readCards(dataDir)) {
    if ((await Promise.all(card.files.map((file) => exists(file.path)))).every(Boolean)) {
      built.push(card);
    }
  }
  return built;
}

/** `--check`: every card's files against their recorded checksums; the stale ones by dataset. */
export async function checkData(
  dataDir = "data",
): Promise<{ cards: DataCard[]; stale: Record<string, string[]> }> {
  const cards = await readCards(dataDir);
  const stale: Record<string, string[]> = {};
  for (const card of cards) {
    const files = await staleFiles(dataDir, card);
    if (files.length > 0) stale[card.name] = files;
  }
  return { cards, stale };
}
