/**
 * Rank a corpus that arrives in chunks (from disk, or encoded on the fly) by MaxSim,
 * keeping only each query's best `k` documents: memory is one chunk plus the top lists,
 * whatever the corpus size.
 *
 * ```ts
 * const scorer = new MaxSimScorer(queries);
 * const [best] = await rankStream(scorer, encodeInChunks(corpus), { k: 10 });
 * // best = [{ index: 40213, score: 27.1 }, ...], index counts documents across chunks
 * ```
 */
import type { MaxSimScorer } from "../scores/maxsim_blas.ts";
import { documentCount, type PackedDocuments } from "../scores/packed_documents.ts";
import { topK } from "./top_k.ts";

/** A ranked document: its position in the stream and its score. */
export interface Ranked {
  index: number;
  score: number;
}

/** Each query's `k` best documents of `chunks`, best first (ties: later document first). */
export async function rankStream(
  scorer: MaxSimScorer,
  chunks: AsyncIterable<PackedDocuments> | Iterable<PackedDocuments>,
  options: { k: number },
): Promise<Ranked[][]> {
  let best: Ranked[][] = Array.from({ length: scorer.queryCount }, () => []);
  let seen = 0;
  for await (const chunk of chunks) {
    const count = documentCount(chunk);
    const scores = await scorer.score(chunk);
    best = best.map((kept, q) => {
      const candidates: Ranked[] = [...kept];
      for (let d = 0; d < count; d++) {
        candidates.push({ index: seen + d, score: scores[q * count + d] });
      }
      const positions = topK(candidates.keys(), {
        scores: candidates.map((c) => c.score),
        ids: candidates.map((c) => String(c.index).padStart(12, "0")),
        k: options.k,
      });
      return positions.map((position) => candidates[position]);
    });
    seen += count;
  }
  return best;
}
