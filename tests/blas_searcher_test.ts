import assert from "node:assert/strict";
import { initBackend } from "../lib/compute/backend.ts";
import { searchMaxSimBlas } from "../lib/retrieval/blas_searcher.ts";
import { openBlas } from "../lib/compute/openblas_ffi.ts";
import { searchMaxSim, type TokenEmbeddingIndex } from "../lib/retrieval/search.ts";

function randomIndex(
  texts: number,
  dim: number,
  seed: number,
  maxTokens: number,
): TokenEmbeddingIndex {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const offsets = new Int32Array(texts + 1);
  for (let t = 0; t < texts; t++) offsets[t + 1] = offsets[t] + 1 + Math.floor(next() * maxTokens);
  const vectors = Float32Array.from({ length: offsets[texts] * dim }, () => next() * 2 - 1);
  return { dim, vectors, offsets };
}

Deno.test({
  name: "the OpenBLAS search returns the tfjs search's documents and scores",
  ignore: openBlas() === null,
  fn: async () => {
    await initBackend("wasm");
    const queries = randomIndex(5, 8, 1, 6);
    const corpus = randomIndex(300, 8, 2, 20);
    const [fast, reference] = [
      await searchMaxSimBlas(queries, corpus, { k: 7 }),
      await searchMaxSim(queries, corpus, { k: 7 }),
    ];
    fast.forEach((ranking, q) => {
      assert.deepEqual(Array.from(ranking.indices), Array.from(reference[q].indices), `query ${q}`);
      ranking.scores.forEach((score, i) =>
        assert.ok(Math.abs(score - reference[q].scores[i]) < 1e-4)
      );
    });
    const all = await searchMaxSimBlas(queries, randomIndex(3, 8, 3, 4), { k: 10 });
    assert.equal(all[0].indices.length, 3, "k larger than the corpus gives the whole corpus");
  },
});
