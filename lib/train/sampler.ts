/**
 * Batches for unsupervised contrastive training, drawn as the paper does: every batch
 * comes from ONE source, and a source's share of batches is proportional to its size.
 *
 * The plan for one epoch: shuffle each source (seeded), cut it into batches in which no
 * two records share a group (siblings would be false in-batch negatives), then shuffle
 * the list of all batches. Source s then supplies |s| / batchSize batches, i.e. each batch
 * comes from s with probability |s| / sum(|all sources|), and every record is used once.
 *
 * ```ts
 * planBatches([{ name: "a", groups: ["x", "x", "y", "z"] }], { batchSize: 2, seed: 1 })
 * // two batches of source "a", neither holding both "x" records
 * ```
 */
import { type Random, seededRandom, shuffled } from "../util/random.ts";

/** A source as the sampler sees it: its name and each record's group. */
export type SourceGroups = { name: string; groups: readonly string[] };

/** One batch: the source it comes from and the indices of its records in that source. */
export type PlannedBatch = { source: string; indices: number[] };

/** Options of {@link planBatches}. */
export type PlanOptions = {
  batchSize: number;
  seed: number;
  /** Drop batches smaller than `batchSize` (a source's remainder): equal-sized steps. */
  dropLast?: boolean;
};

/** Cut one shuffled source into batches without repeated groups (first fit). */
function sourceBatches(
  source: SourceGroups,
  batchSize: number,
  random: Random,
): PlannedBatch[] {
  const open: { indices: number[]; groups: Set<string> }[] = [];
  const full: PlannedBatch[] = [];
  const order = shuffled(source.groups.map((_, index) => index), random);
  for (const index of order) {
    const group = source.groups[index];
    let batch = open.find((candidate) => !candidate.groups.has(group));
    if (batch === undefined) {
      batch = { indices: [], groups: new Set() };
      open.push(batch);
    }
    batch.indices.push(index);
    batch.groups.add(group);
    if (batch.indices.length === batchSize) {
      full.push({ source: source.name, indices: batch.indices });
      open.splice(open.indexOf(batch), 1);
    }
  }
  return [...full, ...open.map(({ indices }) => ({ source: source.name, indices }))];
}

/** The batches of one epoch over `sources`, in training order. */
export function planBatches(
  sources: readonly SourceGroups[],
  options: PlanOptions,
): PlannedBatch[] {
  const { batchSize, seed, dropLast = true } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new Error(`planBatches: batchSize must be a positive integer, got ${batchSize}`);
  }
  const random = seededRandom(seed);
  const batches = sources.flatMap((source) => sourceBatches(source, batchSize, random))
    .filter((batch) => !dropLast || batch.indices.length === batchSize);
  return shuffled(batches, random);
}

/** Each source's expected share of batches: its size over the total, as in the paper. */
export function batchShares(sizes: Record<string, number>): Record<string, number> {
  const total = Object.values(sizes).reduce((sum, size) => sum + size, 0);
  return Object.fromEntries(
    Object.entries(sizes).map(([name, size]) => [name, total === 0 ? 0 : size / total]),
  );
}
