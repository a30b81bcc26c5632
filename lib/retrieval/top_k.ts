/**
 * Top-k selection, the one used by every retriever (BM25, the tfjs and OpenBLAS MaxSim
 * searches): a bounded min-heap, O(n log k) instead of sorting every candidate, which
 * matters when one query term matches most of a 100k-document corpus. Once k are kept, a
 * candidate below the worst of them costs one comparison.
 *
 * One tie order everywhere: higher score first, then the larger id. That is trec_eval's
 * (and so pytrec_eval's) order: it sorts a run by score descending, then by document id
 * descending, whatever ranks the run file gives; lib/retrieval/metrics.ts ranks the same
 * way. Keeping that order at the cut-off means the documents kept are the ones the metrics
 * would have ranked highest. Where a searcher sees only document positions (the MaxSim
 * searches), the position stands in for the id: of two equal scores the later document wins.
 *
 * @example
 * const top = new TopK<string>(2);
 * top.push(0.5, "a");
 * top.push(2, "b");
 * top.push(0.5, "c");
 * top.best(); // [{ score: 2, id: "b" }, { score: 0.5, id: "c" }]
 */

/** A kept candidate: its score and its id (a document id, or a document's position). */
export interface Scored<Id extends string | number> {
  score: number;
  id: Id;
}

/** True when `a` ranks below `b`: a lower score, or the same score and a smaller id. */
export function ranksBelow<Id extends string | number>(a: Scored<Id>, b: Scored<Id>): boolean {
  return a.score < b.score || (a.score === b.score && a.id < b.id);
}

/** The rank order as a sort comparator: negative when `a` ranks before `b`. */
export function rankOrder<Id extends string | number>(a: Scored<Id>, b: Scored<Id>): number {
  return ranksBelow(b, a) ? -1 : ranksBelow(a, b) ? 1 : 0;
}

/** The `k` best of the candidates pushed so far (the tie order is the module's). */
export class TopK<Id extends string | number> {
  // A min-heap: the worst kept candidate at the root, ready to be replaced.
  #heap: Scored<Id>[] = [];
  constructor(readonly k: number) {}

  /** Offer one candidate. */
  push(score: number, id: Id): void {
    const heap = this.#heap;
    if (heap.length < this.k) {
      heap.push({ score, id });
      this.#siftUp(heap.length - 1);
      return;
    }
    // Not above the worst kept (ranksBelow written out): most candidates stop here, unallocated.
    const worst = heap[0];
    if (this.k === 0 || score < worst.score || (score === worst.score && id <= worst.id)) return;
    heap[0] = { score, id };
    this.#siftDown(0);
  }

  /** The kept candidates, best first. */
  best(): Scored<Id>[] {
    return [...this.#heap].sort(rankOrder);
  }

  #siftUp(index: number): void {
    const heap = this.#heap;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!ranksBelow(heap[index], heap[parent])) return;
      [heap[index], heap[parent]] = [heap[parent], heap[index]];
      index = parent;
    }
  }

  #siftDown(index: number): void {
    const heap = this.#heap;
    while (true) {
      let worst = index;
      for (const child of [2 * index + 1, 2 * index + 2]) {
        if (child < heap.length && ranksBelow(heap[child], heap[worst])) worst = child;
      }
      if (worst === index) return;
      [heap[index], heap[worst]] = [heap[worst], heap[index]];
      index = worst;
    }
  }
}
