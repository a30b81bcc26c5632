/**
 * Top-k selection with a bounded min-heap: O(n log k) instead of sorting every candidate,
 * which matters when one query term matches most of a 100k-document corpus.
 *
 * Ties are broken as trec_eval ranks them (higher score first, then larger id), so the
 * documents kept at the cut-off are the ones the metrics would have ranked highest.
 *
 * @example
 * topK([0, 1, 2], { scores: [0.5, 2, 0.5], ids: ["a", "b", "c"], k: 2 }); // [1, 2]
 */

/** Scores and ids indexed by candidate position; `k` is how many to keep. */
export type TopKOptions = { scores: ArrayLike<number>; ids: readonly string[]; k: number };

/** Positions among `candidates` of the `k` best, best first (score desc, then id desc). */
export function topK(candidates: Iterable<number>, options: TopKOptions): number[] {
  const { scores, ids, k } = options;
  // a ranks below b: the heap keeps its worst element at the root.
  const below = (a: number, b: number) =>
    scores[a] < scores[b] || (scores[a] === scores[b] && ids[a] < ids[b]);
  const heap: number[] = [];
  for (const candidate of candidates) {
    if (heap.length < k) {
      heap.push(candidate);
      siftUp(heap, heap.length - 1, below);
    } else if (k > 0 && below(heap[0], candidate)) {
      heap[0] = candidate;
      siftDown(heap, 0, below);
    }
  }
  return heap.sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
}

type Below = (a: number, b: number) => boolean;

function siftUp(heap: number[], index: number, below: Below): void {
  while (index > 0) {
    const parent = (index - 1) >> 1;
    if (!below(heap[index], heap[parent])) return;
    [heap[index], heap[parent]] = [heap[parent], heap[index]];
    index = parent;
  }
}

function siftDown(heap: number[], index: number, below: Below): void {
  while (true) {
    let worst = index;
    for (const child of [2 * index + 1, 2 * index + 2]) {
      if (child < heap.length && below(heap[child], heap[worst])) worst = child;
    }
    if (worst === index) return;
    [heap[index], heap[worst]] = [heap[worst], heap[index]];
    index = worst;
  }
}
