/**
 * Leakage check: no evaluation text may appear, exactly or nearly, in a training text.
 *
 * Texts are compared by word shingles (runs of `shingleWords` consecutive words, lower-
 * cased, punctuation dropped), hashed to 52-bit integers. An evaluation text E leaks into
 * a training text T when they share at least `threshold` of the smaller one's shingles,
 * and at least `minShared` shingles (all of them for a text with fewer): E copied into T,
 * T copied into E, or a light edit of either. Texts shorter than one
 * shingle (a lemma, an acronym) are too short to tell a leak from a common phrase and are
 * not compared.
 *
 * Cost: the evaluation shingles go into one hash map; each training text is then one pass
 * over its words plus a map lookup per shingle, with no pairwise comparisons. Repeated
 * training texts (shared hard negatives) are checked once.
 *
 * ```ts
 * const index = new LeakageIndex([{ id: "faq/q:1", text: "How do I copy a file in Perl?" }]);
 * index.matches("Q: how do I copy a file in perl? A: use File::Copy") // [{ id: "faq/q:1", ... }]
 * ```
 */

/** A text with the id that names it in reports ("perlfaq/corpus/d:perlfaq5:3"). */
export type IdentifiedText = { id: string; text: string };

/** Options of {@link LeakageIndex}. */
export type LeakageOptions = {
  /** Words per shingle: 5 is long enough to make common phrases rare. */
  shingleWords?: number;
  /** Share of the smaller text's shingles that must be shared to count as a leak. */
  threshold?: number;
  /**
   * Shared shingles needed at least (or all of the smaller text's, when it has fewer):
   * templated openings such as "of or relating to the" make one shared shingle common.
   */
  minShared?: number;
  /**
   * Shingles found in more evaluation texts than this are templates ("of or relating to
   * or", "type genus of the family"), not content: they are left out of the index, and
   * out of the size of the texts they occur in.
   */
  maxTextsPerShingle?: number;
};

/** One evaluation text found in a training text. */
export type Leak = { evalId: string; trainId: string; overlap: number };

const MASK = 0x3ffffff; // 26 bits: two of them make an exact integer below 2^53

function wordHashes(text: string): { a: Uint32Array; b: Uint32Array } {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const a = new Uint32Array(words.length);
  const b = new Uint32Array(words.length);
  words.forEach((word, index) => {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    a[index] = h1 >>> 0;
    b[index] = h2 >>> 0;
  });
  return { a, b };
}

/** The distinct shingle hashes of `text` (empty when it has fewer than `size` words). */
export function shingles(text: string, size: number): Set<number> {
  const { a, b } = wordHashes(text);
  const result = new Set<number>();
  for (let start = 0; start + size <= a.length; start++) {
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c;
    for (let i = start; i < start + size; i++) {
      h1 = Math.imul(h1 ^ a[i], 0x01000193);
      h2 = Math.imul(h2 ^ b[i], 0x5bd1e995) ^ (h2 >>> 13);
    }
    result.add((h1 & MASK) * (MASK + 1) + (h2 & MASK));
  }
  return result;
}

/** Evaluation texts indexed by shingle, ready to test training texts against. */
export class LeakageIndex {
  readonly shingleWords: number;
  readonly threshold: number;
  readonly minShared: number;
  #ids: string[] = [];
  #sizes: number[] = [];
  // Shingle -> evaluation text index, or indices when several texts share the shingle.
  #postings = new Map<number, number | number[]>();

  /** Index `evalTexts` (texts shorter than one shingle are left out). */
  constructor(evalTexts: Iterable<IdentifiedText>, options: LeakageOptions = {}) {
    this.shingleWords = options.shingleWords ?? 5;
    this.threshold = options.threshold ?? 0.5;
    this.minShared = options.minShared ?? 3;
    for (const { id, text } of evalTexts) {
      const set = shingles(text, this.shingleWords);
      if (set.size === 0) continue;
      const index = this.#ids.length;
      this.#ids.push(id);
      this.#sizes.push(set.size);
      for (const shingle of set) {
        const posting = this.#postings.get(shingle);
        if (posting === undefined) this.#postings.set(shingle, index);
        else if (typeof posting === "number") this.#postings.set(shingle, [posting, index]);
        else posting.push(index);
      }
    }
    const maxTexts = options.maxTextsPerShingle ?? 10;
    for (const [shingle, posting] of this.#postings) {
      if (typeof posting === "number" || posting.length <= maxTexts) continue;
      for (const index of posting) this.#sizes[index]--;
      this.#postings.delete(shingle);
    }
  }

  /** Number of evaluation texts indexed. */
  get size(): number {
    return this.#ids.length;
  }

  /** The evaluation texts that `text` leaks, with the share of shingles they have in common. */
  matches(text: string): { id: string; overlap: number }[] {
    const set = shingles(text, this.shingleWords);
    const shared = new Map<number, number>();
    for (const shingle of set) {
      const posting = this.#postings.get(shingle);
      if (posting === undefined) continue;
      for (const index of typeof posting === "number" ? [posting] : posting) {
        shared.set(index, (shared.get(index) ?? 0) + 1);
      }
    }
    const found: { id: string; overlap: number }[] = [];
    for (const [index, count] of shared) {
      // #sizes counts only the indexed (non-template) shingles of the evaluation text.
      const smaller = Math.min(set.size, this.#sizes[index]);
      const overlap = count / smaller;
      if (overlap >= this.threshold && count >= Math.min(this.minShared, smaller)) {
        found.push({ id: this.#ids[index], overlap });
      }
    }
    return found;
  }
}

/** Every (evaluation, training) text pair of `trainTexts` that leaks; each text checked once. */
export function findLeaks(index: LeakageIndex, trainTexts: Iterable<IdentifiedText>): Leak[] {
  const leaks: Leak[] = [];
  const clean = new Set<string>();
  for (const { id, text } of trainTexts) {
    if (clean.has(text)) continue;
    const matches = index.matches(text);
    if (matches.length === 0) clean.add(text);
    for (const match of matches) {
      leaks.push({ evalId: match.id, trainId: id, overlap: match.overlap });
    }
  }
  return leaks;
}
