import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { maxsimScores } from "../lib/scores/maxsim.ts";
import {
  concatIndexes,
  indexFromBatch,
  indexFromVectors,
  type Ranking,
  searchMaxSim,
  type TokenEmbeddingIndex,
} from "../lib/retrieval/search.ts";
import {
  assertClose,
  dot,
  type Matrix,
  randomArray,
  testOnEveryBackend,
} from "./late_interaction_reference.ts";

const DIM = 4;

/** An index of texts with 1..maxTokens random tokens each (lengths vary by text). */
function randomIndex(count: number, maxTokens: number, seed: number): TokenEmbeddingIndex {
  const lengths = Array.from({ length: count }, (_, i) => 1 + ((i * 5 + seed) % maxTokens));
  const offsets = Int32Array.from([
    0,
    ...lengths.map((_, i) => lengths.slice(0, i + 1).reduce((a, b) => a + b)),
  ]);
  const total = offsets[count];
  const vectors = Float32Array.from(randomArray([total * DIM], seed) as number[]);
  return { dim: DIM, vectors, offsets };
}

function texts(index: TokenEmbeddingIndex): Matrix[] {
  return Array.from({ length: index.offsets.length - 1 }, (_, i) =>
    Array.from(
      { length: index.offsets[i + 1] - index.offsets[i] },
      (_, t) =>
        Array.from(
          index.vectors.subarray((index.offsets[i] + t) * DIM, (index.offsets[i] + t + 1) * DIM),
        ),
    ));
}

/** Score every document by nested loops, sort all of them, keep k. */
function bruteForce(queries: TokenEmbeddingIndex, corpus: TokenEmbeddingIndex, k: number) {
  const documents = texts(corpus);
  return texts(queries).map((query) => {
    const scores = documents.map((document) =>
      query.reduce((sum, q) => sum + Math.max(...document.map((d) => dot(q, d))), 0)
    );
    const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || b - a);
    return order.slice(0, k).map((i) => ({ index: i, score: scores[i] }));
  });
}

function assertSameRanking(actual: Ranking[], expected: { index: number; score: number }[][]) {
  assert.equal(actual.length, expected.length);
  actual.forEach((ranking, q) => {
    assert.deepEqual([...ranking.indices], expected[q].map((hit) => hit.index), `query ${q}`);
    assertClose(ranking.scores, expected[q].map((hit) => hit.score), 1e-5, `query ${q} scores`);
  });
}

testOnEveryBackend("searchMaxSim equals a brute-force sort for any chunking", async () => {
  const corpus = randomIndex(13, 7, 1);
  const queries = randomIndex(5, 4, 2);
  for (const k of [3, 20]) {
    const expected = bruteForce(queries, corpus, k);
    // 13 documents: chunks of 1 and 13 divide it, 4 and 5 do not.
    for (const [documentChunkSize, queryChunkSize] of [[1, 5], [4, 2], [5, 5], [13, 2]]) {
      const found = await searchMaxSim(queries, corpus, { k, documentChunkSize, queryChunkSize });
      assertSameRanking(found, expected);
    }
  }
});

testOnEveryBackend(
  "searchMaxSim breaks ties by the later document first (trec_eval's order) and pads without effect",
  async () => {
    // Documents 0 and 2 are the same text; document 1 is longer and scores lower.
    const corpus = {
      dim: 2,
      vectors: Float32Array.from([1, 0, 0, 1, 0.5, 0.5, -1, 0, 1, 0]),
      offsets: Int32Array.from([0, 1, 4, 5]),
    };
    const query = { dim: 2, vectors: Float32Array.from([1, 0]), offsets: Int32Array.from([0, 1]) };
    const [ranking] = await searchMaxSim(query, corpus, { k: 3, documentChunkSize: 2 });
    assert.deepEqual([...ranking.indices], [2, 0, 1]);
    assert.deepEqual([...ranking.scores], [1, 1, 0.5]);
  },
);

testOnEveryBackend("an index keeps scored tokens and flags masked texts", async () => {
  const embeddings = randomArray([3, 4, DIM], 3) as number[][][];
  const mask = [[1, 0, 1, 0], [0, 0, 0, 0], [1, 1, 1, 1]];
  const index = await indexFromBatch({
    embeddings: tf.tensor3d(embeddings),
    mask: tf.tensor2d(mask),
  });
  assert.deepEqual([...index.offsets], [0, 2, 2, 6]);
  const kept = [embeddings[0][0], embeddings[0][2], ...embeddings[2]];
  assertClose(index.vectors, kept.flat(), 1e-7, "kept tokens");

  const corpus = randomIndex(6, 5, 4);
  const results = await searchMaxSim(index, corpus, { k: 6 });
  assertSameRanking(results, bruteForce(index, corpus, 6));
  assert.deepEqual([...results[1].scores], [0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...index.masked!], [1, 1, 0]);
  const empty = { dim: DIM, vectors: new Float32Array(DIM), offsets: Int32Array.from([0, 1, 1]) };
  await assert.rejects(
    () => searchMaxSim(corpus, empty, { k: 1 }),
    /token_index\.ts: corpus text 1 has 0 tokens and no masked position/,
  );
});

testOnEveryBackend("searching an encoded batch scores exactly as maxsimScores", async () => {
  const queries = {
    // Positive query vectors, so that an all-negative document scores below 0.
    embeddings: tf.abs(tf.tensor3d(randomArray([3, 3, DIM], 9) as number[][][])) as tf.Tensor3D,
    mask: tf.tensor2d([[1, 1, 1], [1, 1, 0], [0, 1, 1]]),
  };
  const documents = randomArray([5, 4, DIM], 10) as number[][][];
  // Document 4 points away from every query token: only its masked copy floors at 0.
  documents[4] = documents[4].map(() => [-1, -1, -1, -1]);
  const documentBatch = {
    embeddings: tf.tensor3d([...documents, documents[4]]),
    mask: tf.tensor2d([
      [1, 1, 1, 1],
      [1, 0, 1, 0],
      [0, 0, 0, 0],
      [1, 1, 1, 0],
      [1, 1, 1, 1],
      [1, 1, 0, 1], // document 4 again, with one masked (skiplist) position
    ]),
  };
  const expected = await maxsimScores(queries, documentBatch).array();
  const found = await searchMaxSim(
    await indexFromBatch(queries),
    await indexFromBatch(documentBatch),
    { k: 6, documentChunkSize: 4 },
  );
  found.forEach((ranking, q) => {
    const byDocument = [...ranking.indices].map((d, rank) => [d, ranking.scores[rank]]);
    byDocument.sort((a, b) => a[0] - b[0]);
    assertClose(byDocument.map(([, score]) => score), expected[q], 1e-5, `query ${q}`);
  });
  assert.ok(expected.every((row) => row[4] < 0 && row[5] === 0), "the floor is exercised");
});

testOnEveryBackend("single-vector indexes make the search a dense dot-product search", async () => {
  const documents = randomArray([9, DIM], 5) as Matrix;
  const queries = randomArray([3, DIM], 6) as Matrix;
  const corpus = await indexFromVectors(tf.tensor2d(documents));
  const found = await searchMaxSim(await indexFromVectors(tf.tensor2d(queries)), corpus, {
    k: 4,
    documentChunkSize: 2,
  });
  const expected = queries.map((q) => {
    const scores = documents.map((d) => dot(q, d));
    const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a] || b - a);
    return order.slice(0, 4).map((index) => ({ index, score: scores[index] }));
  });
  assertSameRanking(found, expected);
});

testOnEveryBackend(
  "searchMaxSim refuses k < 1 and mismatched widths, and frees every tensor",
  async () => {
    const corpus = randomIndex(13, 7, 1);
    const queries = randomIndex(5, 4, 2);
    await assert.rejects(searchMaxSim(queries, corpus, { k: 0 }), /k must be >= 1, got 0/);
    const tokens = queries.offsets[queries.offsets.length - 1];
    const narrow = { ...queries, dim: 2, vectors: queries.vectors.slice(0, tokens * 2) };
    await assert.rejects(
      searchMaxSim(narrow, corpus, { k: 1 }),
      /query dim 2 differs from corpus dim 4/,
    );
    const before = tf.memory().numTensors;
    await searchMaxSim(queries, corpus, { k: 3, documentChunkSize: 4 });
    assert.equal(tf.memory().numTensors, before);
  },
);

Deno.test("concatIndexes joins consecutive batches", () => {
  const [a, b] = [randomIndex(3, 4, 7), randomIndex(2, 4, 8)];
  const joined = concatIndexes([a, b]);
  const shift = a.offsets[3];
  assert.deepEqual([...joined.offsets], [
    ...a.offsets,
    ...[...b.offsets].slice(1).map((o) => o + shift),
  ]);
  assert.deepEqual([...joined.vectors], [...a.vectors, ...b.vectors]);
  assert.throws(
    () => concatIndexes([a, { ...b, dim: 3 }]),
    /token_index\.ts: joining dims 4 and 3/,
  );
});
