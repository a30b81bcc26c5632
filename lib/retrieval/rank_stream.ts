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
import { TopK } from "./top_k.ts";

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
  const best = Array.from({ length: scorer.queryCount }, () => new TopK<number>(options.k));
  let seen = 0;
  for await (const chunk of chunks) {
    const count = documentCount(chunk);
    const scores = await scorer.score(chunk);
    best.forEach((top, q) => {
      for (let d = 0; d < count; d++) top.push(scores[q * count + d], seen + d);
    });
    seen += count;
  }
  return best.map((top) => top.best().map(({ id, score }) => ({ index: id, score })));
}
