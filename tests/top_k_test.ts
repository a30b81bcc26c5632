import assert from "node:assert/strict";
import { rankOrder, TopK } from "../lib/retrieval/top_k.ts";

/** Reference: sort every candidate (score desc, id desc: trec_eval's order) and cut. */
function sortAndCut<Id extends string | number>(scores: number[], ids: Id[], k: number) {
  return ids.map((id, i) => ({ score: scores[i], id }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, k);
}

Deno.test("TopK equals a full sort cut at k, with trec_eval tie-breaking", () => {
  let seed = 3;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let trial = 0; trial < 50; trial++) {
    const n = Math.floor(random() * 40);
    // Few distinct scores so ties are common.
    const scores = Array.from({ length: n }, () => Math.floor(random() * 5));
    const names = Array.from({ length: n }, (_, i) => `id${(i * 7919) % 101}`);
    const positions = Array.from({ length: n }, (_, i) => i);
    for (const k of [0, 1, 3, 10, 100]) {
      for (const ids of [names, positions] as (string | number)[][]) {
        const top = new TopK<string | number>(k);
        ids.forEach((id, i) => top.push(scores[i], id));
        assert.deepEqual(top.best(), sortAndCut(scores, ids, k));
      }
    }
  }
});

Deno.test("rankOrder sorts by score, then by id descending", () => {
  const sorted = [{ score: 1, id: "a" }, { score: 2, id: "b" }, { score: 1, id: "c" }]
    .sort(rankOrder);
  assert.deepEqual(sorted.map((s) => s.id), ["b", "c", "a"]);
});

Deno.test("TopK doc-comment example", () => {
  const top = new TopK<string>(2);
  top.push(0.5, "a");
  top.push(2, "b");
  top.push(0.5, "c");
  assert.deepEqual(top.best(), [{ score: 2, id: "b" }, { score: 0.5, id: "c" }]);
});
