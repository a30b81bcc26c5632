import assert from "node:assert/strict";
import { topK } from "../lib/retrieval/top_k.ts";

/** Reference: sort every candidate (score desc, id desc) and cut. */
function sortAndCut(candidates: number[], scores: number[], ids: string[], k: number) {
  return [...candidates]
    .sort((a, b) => scores[b] - scores[a] || (ids[a] < ids[b] ? 1 : ids[a] > ids[b] ? -1 : 0))
    .slice(0, k);
}

Deno.test("topK equals a full sort cut at k, with trec_eval tie-breaking", () => {
  let seed = 3;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let trial = 0; trial < 50; trial++) {
    const n = Math.floor(random() * 40);
    // Few distinct scores so ties are common.
    const scores = Array.from({ length: n }, () => Math.floor(random() * 5));
    const ids = Array.from({ length: n }, (_, i) => `id${(i * 7919) % 101}`);
    const candidates = Array.from({ length: n }, (_, i) => i).filter(() => random() < 0.8);
    for (const k of [0, 1, 3, 10, 100]) {
      assert.deepEqual(
        topK(candidates, { scores, ids, k }),
        sortAndCut(candidates, scores, ids, k),
      );
    }
  }
});

Deno.test("topK doc-comment example", () => {
  assert.deepEqual(topK([0, 1, 2], { scores: [0.5, 2, 0.5], ids: ["a", "b", "c"], k: 2 }), [1, 2]);
});
