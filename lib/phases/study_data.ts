/**
 * The training side of `data/` as the phases consume it: unsupervised pairs per source,
 * supervised examples with hard negatives, the dev sets used for validation, and the
 * checksums that go into every phase's cache key.
 */
import { join } from "node:path";
import { type BeirDataset, readBeir } from "../datasets/beir.ts";
import { readCard } from "../data/data_layout.ts";
import { listFiles, listFolders } from "../util/files.ts";
import { readJsonl } from "../util/jsonl.ts";
import {
  asPair,
  asSupervisedExample,
  type Pair,
  type SupervisedExample,
} from "../datasets/records.ts";

/** One unsupervised source (the paper's 29 web sources; ours come from packages). */
export interface PairSource {
  name: string;
  pairs: Pair[];
}

/** Everything the training phases read. */
export interface StudyData {
  sources: PairSource[];
  supervised: { train: SupervisedExample[]; dev: SupervisedExample[] };
  /** Dev sets (BEIR format) for validation during training, never the evaluation suite. */
  dev: BeirDataset[];
  /** Dataset name -> checksum of its files, for cache keys. */
  checksums: Record<string, string>;
}

/** Read the built training data under `dataDir`; run `deno task data` first. */
export async function loadStudyData(dataDir = "data"): Promise<StudyData> {
  const checksums: Record<string, string> = {};
  const fingerprint = async (name: string) => {
    const card = await readCard(dataDir, name);
    if (!card) {
      throw new Error(`${join(dataDir, "cards", `${name}.json`)}: missing; run \`deno task data\``);
    }
    checksums[name] = card.files.map((file) => file.sha256).join(":");
  };
  const sources: PairSource[] = [];
  for (const file of await built(listFiles(join(dataDir, "train", "pairs"), /\.jsonl$/))) {
    const name = file.slice(0, -".jsonl".length);
    await fingerprint(name);
    sources.push({ name, pairs: await readJsonl(join(dataDir, "train", "pairs", file), asPair) });
  }
  const supervisedDir = join(dataDir, "train", "supervised");
  const supervisedName = (await built(listFiles(supervisedDir, /\.train\.jsonl$/)))[0]?.split(
    ".",
  )[0];
  if (!supervisedName) {
    throw new Error(`${supervisedDir}: no supervised training file; run \`deno task data\``);
  }
  await fingerprint(supervisedName);
  const read = (split: string) =>
    readJsonl(join(supervisedDir, `${supervisedName}.${split}.jsonl`), asSupervisedExample);
  const dev: BeirDataset[] = [];
  for (const name of await built(listFolders(join(dataDir, "dev")))) {
    await fingerprint(name);
    dev.push(await readBeir(join(dataDir, "dev", name)));
  }
  return {
    sources,
    supervised: { train: await read("train"), dev: await read("dev") },
    dev,
    checksums,
  };
}

/** A listing of the built data; a missing folder means `deno task data` has not run. */
function built(listing: Promise<string[]>): Promise<string[]> {
  return listing.catch((error: Error) => {
    throw new Error(`${error.message}; run \`deno task data\``);
  });
}
