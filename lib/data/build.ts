/**
 * `deno task data`: build every dataset into `data/`, skipping those already up to date.
 *
 *   data/eval/<name>/                    the evaluation suite (BEIR folders)
 *   data/dev/<name>/                     dev sets for model selection (BEIR folders)
 *   data/train/pairs/<name>.jsonl        unsupervised pairs, one file per source
 *   data/train/supervised/<name>.<split>.jsonl
 *   data/cards/<name>.json               data cards (origin, licence, counts, lengths, checksums)
 *   data/manifest.json                   every file's checksum and the leakage check's result
 *
 * Order: evaluation data first, then training data, each training record checked against
 * every evaluation text (records that contain one are removed and counted), then a final
 * leakage check over the written training files that throws on any leak.
 *
 * A dataset is rebuilt only when its fingerprint (code version, origins' checksums, and
 * for training data the evaluation data's checksums) differs from its card's, or one of
 * its files no longer matches the recorded checksum. Every file is written atomically and
 * a dataset's card last, so a failed build leaves the previous files and cards intact.
 */
import { join } from "node:path";
import { type BeirDataset, writeBeir } from "../datasets/beir.ts";
import { sha256Hex } from "../util/checksum.ts";
import { readDataset } from "../datasets/dataset.ts";
import { writeJsonAtomic } from "../util/atomic_write.ts";
import {
  beirFields,
  type DataCard,
  fieldLengths,
  fileEntries,
  LENGTH_SAMPLE,
} from "./data_card.ts";
import { cardPath, datasetPaths, readCard, staleFiles, trainingFiles } from "./data_layout.ts";

import { assertNoLeaks, evaluationTexts, removeLeaks, type TrainingFile } from "./decontaminate.ts";
import { Inputs, type Origin } from "./inputs.ts";
import { writeJsonl } from "../util/jsonl.ts";
import { LeakageIndex, type LeakageOptions } from "./leakage.ts";
import { type DatasetSpec, isTraining, type PairsSpec, type SupervisedSpec } from "./spec.ts";

// Kept importable from here: lib/phases/study_data.ts reads cards through this module.
export { readCard } from "./data_layout.ts";

/** Options of {@link buildData}. */
export type BuildOptions = {
  /** Output folder. */
  dataDir?: string;
  /** The datasets to build (the real ones: registry.ts). */
  specs: DatasetSpec[];
  /** Raw material (default: Debian cache in `.cache/apt`, npm packages in `.`). */
  inputs?: Inputs;
  /** Build only these datasets; the others are left as they are. */
  only?: string[];
  /** More BEIR/SMART folders whose text must stay out of training data (a user's BEIR). */
  extraEval?: string[];
  /** Token count of a text, for the cards' length statistics. */
  countTokens: (text: string) => number;
  /** Name of that tokenizer, recorded in the cards. */
  tokenizer: string;
  /** Version of the builders' code, part of every fingerprint (see registry.ts). */
  code: string;
  leakage?: LeakageOptions;
  /** Receives one event per dataset (progress output). */
  onEvent?: (event: BuildEvent) => void;
};

/** What happened to one dataset. */
export type BuildEvent = {
  name: string;
  kind: string;
  status: "built" | "up to date";
  records: number;
  seconds: number;
};

type Built = {
  skipped: Record<string, number>;
  files: string[];
  counts: Record<string, number>;
  fields: Record<string, string[]>;
  removed: Record<string, number>;
};

async function writeTraining(
  spec: PairsSpec | SupervisedSpec,
  dataDir: string,
  index: LeakageIndex,
  inputs: Inputs,
): Promise<Built> {
  if (spec.kind === "pairs") {
    const { records, skipped } = await spec.build(inputs);
    const { kept, removed } = removeLeaks(records, index);
    const [path] = datasetPaths(spec).map((p) => join(dataDir, p));
    await writeJsonl(path, kept);
    const counts = { records: kept.length, groups: new Set(kept.map((r) => r.group)).size };
    const fields = { query: kept.map((r) => r.query), document: kept.map((r) => r.document) };
    return { files: [path], counts, fields, removed, skipped };
  }
  const { splits, skipped } = await spec.build(inputs);
  if (!splits.train) throw new Error(`${spec.name}: a supervised dataset needs a "train" split`);
  const names = Object.keys(splits).sort();
  const files = datasetPaths(spec, names).map((p) => join(dataDir, p));
  const { kept: train, removed } = removeLeaks(splits.train, index);
  const counts: Record<string, number> = {};
  for (const [i, split] of names.entries()) {
    // Only `train` is training data; the other splits are held out already.
    const records = split === "train" ? train : splits[split];
    await writeJsonl(files[i], records);
    counts[split === "train" ? "records" : `records.${split}`] = records.length;
    counts[`withNegatives.${split}`] = records.filter((r) => r.negatives.length > 0).length;
  }
  const fields = { query: train.map((r) => r.query), positive: train.map((r) => r.positive) };
  return { files, counts, fields, removed, skipped };
}

function beirCounts(dataset: BeirDataset): Record<string, number> {
  let judgments = 0;
  for (const judged of dataset.qrels.values()) judgments += judged.size;
  return { corpus: dataset.corpus.size, queries: dataset.queries.size, judgments };
}

/** The build's shared state: options, the cards so far, the leakage index once needed. */
type Context = BuildOptions & {
  dataDir: string;
  inputs: Inputs;
  cards: DataCard[];
  evalFolders: string[];
  evalFingerprint: string;
  index?: LeakageIndex;
};

async function leakageIndex(context: Context): Promise<LeakageIndex> {
  if (context.index) return context.index;
  const datasets: BeirDataset[] = [];
  for (const folder of context.evalFolders) {
    datasets.push(await readDataset(folder, { onWarning: () => {} }));
  }
  context.index = new LeakageIndex(evaluationTexts(datasets), context.leakage);
  return context.index;
}

/** What decides a rebuild: code, origins, tokenizer and, for training data, the evaluation data. */
function fingerprintOf(spec: DatasetSpec, origins: Origin[], context: Context): Promise<string> {
  const { code, tokenizer, leakage = {} } = context;
  const evaluation = isTraining(spec) ? context.evalFingerprint : "";
  return sha256Hex(
    JSON.stringify({
      code,
      name: spec.name,
      kind: spec.kind,
      origins,
      tokenizer,
      evaluation,
      leakage,
    }),
  );
}

async function buildSpec(
  spec: DatasetSpec,
  origins: Origin[],
  context: Context,
): Promise<DataCard> {
  const { dataDir, inputs } = context;
  let built: Built;
  if (isTraining(spec)) {
    built = await writeTraining(spec, dataDir, await leakageIndex(context), inputs);
  } else {
    const { dataset, skipped } = await spec.build(inputs);
    await writeBeir(join(dataDir, spec.kind, spec.name), { ...dataset, name: spec.name });
    const files = datasetPaths(spec).map((p) => join(dataDir, p));
    built = {
      files,
      counts: beirCounts(dataset),
      fields: beirFields(dataset),
      removed: {},
      skipped,
    };
  }
  const { name, kind, description, licence } = spec;
  const fields = fieldLengths(built.fields, context.countTokens);
  return {
    name,
    kind,
    description,
    licence,
    origins,
    counts: built.counts,
    lengths: { tokenizer: context.tokenizer, sample: LENGTH_SAMPLE, fields },
    skipped: built.skipped,
    decontaminated: built.removed,
    files: await fileEntries(built.files, dataDir),
    fingerprint: await fingerprintOf(spec, origins, context),
  };
}

/** Build one dataset unless its card says it is up to date (or `only` leaves it alone). */
async function processSpec(spec: DatasetSpec, context: Context): Promise<void> {
  const started = performance.now();
  const origins = await Promise.all(spec.origins.map((ref) => context.inputs.resolve(ref)));
  const fingerprint = await fingerprintOf(spec, origins, context);
  const previous = await readCard(context.dataDir, spec.name);
  const leftAlone = context.only !== undefined && !context.only.includes(spec.name);
  if (leftAlone && previous === null) {
    throw new Error(`${spec.name}: not built yet; build it (drop --only) first`);
  }
  const current = previous !== null &&
    (leftAlone || (previous.fingerprint === fingerprint &&
      (await staleFiles(context.dataDir, previous)).length === 0));
  const card = current ? previous : await buildSpec(spec, origins, context);
  if (!current) await writeJsonAtomic(cardPath(context.dataDir, spec.name), card);
  context.cards.push(card);
  context.onEvent?.({
    name: spec.name,
    kind: spec.kind,
    status: current ? "up to date" : "built",
    records: card.counts.records ?? card.counts.queries,
    seconds: (performance.now() - started) / 1000,
  });
}

/** Check the written training files against all evaluation text, unless already done for these checksums. */
async function finalLeakageCheck(context: Context): Promise<void> {
  const trainCards = context.cards.filter((card) => trainingFiles(card).length > 0);
  const checksums = trainCards.flatMap((card) => card.files.map((file) => file.sha256));
  const key = await sha256Hex(`${context.evalFingerprint}\n${checksums.join("\n")}`);
  const manifestPath = join(context.dataDir, "manifest.json");
  const manifest = await Deno.readTextFile(manifestPath).then(JSON.parse).catch(() => ({}));
  if (manifest.leakageCheck?.key !== key) {
    const files: TrainingFile[] = trainCards.flatMap((card) =>
      trainingFiles(card).map((path) => ({
        path: join(context.dataDir, path),
        supervised: card.kind === "supervised",
      }))
    );
    const index = await leakageIndex(context);
    const trainingTexts = await assertNoLeaks(files, index);
    manifest.leakageCheck = { key, evaluationTexts: index.size, trainingTexts, leaks: 0 };
  }
  manifest.datasets = Object.fromEntries(context.cards.map((card) => {
    return [card.name, { kind: card.kind, fingerprint: card.fingerprint, files: card.files }];
  }));
  await writeJsonAtomic(manifestPath, manifest);
}

/** Build (or confirm up to date) every dataset of `options.specs`; returns their cards. */
export async function buildData(options: BuildOptions): Promise<DataCard[]> {
  const names = options.specs.map((spec) => spec.name);
  const unknown = (options.only ?? []).filter((name) => !names.includes(name));
  if (unknown.length > 0) {
    throw new Error(`--only: no dataset named ${unknown.join(", ")}; known: ${names.join(", ")}`);
  }
  const dataDir = options.dataDir ?? "data";
  const evalSpecs = options.specs.filter((spec) => !isTraining(spec));
  const context: Context = {
    ...options,
    dataDir,
    inputs: options.inputs ?? new Inputs(".cache/apt"),
    cards: [],
    evalFolders: [
      ...evalSpecs.map((spec) => join(dataDir, spec.kind, spec.name)),
      ...(options.extraEval ?? []),
    ],
    evalFingerprint: "",
  };
  for (const spec of evalSpecs) await processSpec(spec, context);
  const evalChecksums = context.cards.flatMap((card) => card.files.map((file) => file.sha256));
  for (const folder of options.extraEval ?? []) {
    evalChecksums.push((await context.inputs.resolve({ folder })).checksum);
  }
  context.evalFingerprint = await sha256Hex(evalChecksums.join("\n"));
  for (const spec of options.specs.filter(isTraining)) await processSpec(spec, context);
  await finalLeakageCheck(context);
  return context.cards;
}
