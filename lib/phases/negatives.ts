/**
 * Hard negatives per supervised example, exactly `count` each: the lexicographers' own
 * (the other senses of the lemma) first, then other examples' positives drawn at random
 * when a lemma has too few senses.
 */
import type { SupervisedExample } from "../datasets/records.ts";
import { seededRandom } from "../util/random.ts";

/** `count` negatives for every example, never its own positive. */
export function lexicalNegatives(
  examples: SupervisedExample[],
  { count, seed }: { count: number; seed: number },
): string[][] {
  if (new Set(examples.map((e) => e.positive)).size <= count) {
    throw new Error(`${count} negatives per example need more than ${count} distinct positives`);
  }
  const random = seededRandom(seed);
  return examples.map((example) => {
    const picked = [...new Set(example.negatives)].filter((text) => text !== example.positive)
      .slice(0, count);
    while (picked.length < count) {
      const other = examples[Math.floor(random() * examples.length)].positive;
      if (other !== example.positive && !picked.includes(other)) picked.push(other);
    }
    return picked;
  });
}

/**
 * Per-example negatives regrouped by rank, as a contrastive step encodes them: `result[n][i]`
 * is example i's n-th of the first `count`.
 */
export function negativesByRank(perExample: string[][], count: number): string[][] {
  return Array.from({ length: count }, (_, n) => perExample.map((negatives) => negatives[n]));
}
