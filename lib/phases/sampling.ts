/**
 * Which records a training step uses, as a pure function of (seed, step): the property
 * that lets an interrupted run resume to exactly the same weights. Each epoch is a fresh
 * seeded shuffle; a step takes the next `batchSize` records of its epoch.
 */
import { seededRandom, shuffled } from "../util/random.ts";

const orders = new Map<string, number[]>();

/** Indices (into a pool of `count` records) of the records of step `step`. */
export function stepIndices(
  count: number,
  { batchSize, seed, step }: { batchSize: number; seed: number; step: number },
): number[] {
  if (count < batchSize) {
    throw new Error(`a batch of ${batchSize} needs at least that many records, got ${count}`);
  }
  const perEpoch = Math.floor(count / batchSize);
  const epoch = Math.floor(step / perEpoch);
  const key = `${count}:${seed}:${epoch}`;
  let order = orders.get(key);
  if (!order) {
    order = shuffled(Array.from({ length: count }, (_, i) => i), seededRandom(seed * 7919 + epoch));
    if (orders.size > 16) orders.clear(); // a handful of live pools at a time
    orders.set(key, order);
  }
  const start = (step % perEpoch) * batchSize;
  return order.slice(start, start + batchSize);
}

/** A seed for one (step, micro-batch) of a run, well apart from its neighbours. */
export function stepSeed(seed: number, step: number, micro = 0): number {
  return (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(step + 1, 0x85ebca6b) ^ micro) >>> 0;
}
