/**
 * The packed MaxSim path against slow, obvious references: its wasm reduction kernel vs
 * nested loops, BLAS and fallback scores vs the padded float64 MaxSim of
 * late_interaction_reference.ts (masks multiply), and streamed ranking vs a full sort.
 */
import assert from "node:assert/strict";
import { initBackend } from "../lib/compute/backend.ts";
import { openBlas } from "../lib/compute/openblas_ffi.ts";
import { maxSimPacked, MaxSimScorer } from "../lib/scores/maxsim_blas.ts";
import { maxSimReduceKernel } from "../lib/scores/maxsim_reduce_wasm.ts";
import { planChunks } from "../lib/scores/maxsim_chunk.ts";
import { packDocuments, sliceDocuments } from "../lib/scores/packed_documents.ts";
import { rankStream } from "../lib/retrieval/rank_stream.ts";
import { assertClose, maxsimReference, randomArray, rows } from "./late_interaction_reference.ts";

const needsBlas = { ignore: openBlas() === null };

/** Seeded uniform [-1, 1) values, flat. */
function values(size: number, seed: number): Float32Array {
  return Float32Array.from(randomArray([size], seed) as number[]);
}

/** MaxSim of every query with every padded document, by the shared float64 reference. */
function referenceScores(
  q: Float32Array,
  padded: Float32Array,
  s: {
    mask: number[];
    count: number;
    length: number;
    dim: number;
    queries: number;
    qLength: number;
  },
): number[] {
  const queryRows = rows([...q], s.dim);
  const documentRows = rows([...padded], s.dim);
  const scores: number[] = [];
  for (let qi = 0; qi < s.queries; qi++) {
    const query = queryRows.slice(qi * s.qLength, (qi + 1) * s.qLength);
    for (let d = 0; d < s.count; d++) {
      const document = documentRows.slice(d * s.length, (d + 1) * s.length);
      const mask = s.mask.slice(d * s.length, (d + 1) * s.length);
      scores.push(maxsimReference(query, query.map(() => 1), document, mask));
    }
  }
  return scores;
}

Deno.test("the wasm MaxSim reduction equals nested loops for segments of 0 to 70 columns", () => {
  // Two queries of three tokens; document d has d columns.
  const [queryTokens, perQuery, count] = [6, 3, 71];
  const offsets = Int32Array.from({ length: count + 1 }, (_, d) => (d * (d - 1)) / 2);
  const tokens = offsets[count];
  const scores = values(queryTokens * tokens, 41);
  const floors = Float32Array.from({ length: count }, (_, d) => (d % 3 === 0 ? 0 : -Infinity));
  const memory = new WebAssembly.Memory({ initial: 1 });
  const at = {
    offsets: queryTokens * tokens * 4,
    floors: queryTokens * tokens * 4 + (count + 1) * 4,
  };
  const out = at.floors + count * 4;
  new Float32Array(memory.buffer, 0, queryTokens * tokens).set(scores);
  new Int32Array(memory.buffer, at.offsets, count + 1).set(offsets);
  new Float32Array(memory.buffer, at.floors, count).set(floors);
  maxSimReduceKernel(memory)({
    scores: 0,
    rows: queryTokens,
    ...at,
    count,
    rowsPerQuery: perQuery,
    out,
  });
  const expected = new Float32Array((queryTokens / perQuery) * count);
  for (let r = 0; r < queryTokens; r++) {
    for (let d = 0; d < count; d++) {
      let best = floors[d];
      for (let t = offsets[d]; t < offsets[d + 1]; t++) {
        best = Math.max(best, scores[r * tokens + t]);
      }
      expected[Math.floor(r / perQuery) * count + d] += best;
    }
  }
  assert.deepEqual(new Float32Array(memory.buffer, out, expected.length), expected);
});

Deno.test("planChunks: whole documents up to the token budget, a longer one alone", () => {
  // Lengths 3, 2, 0, 4, 6, 1 with a budget of 5 tokens.
  const offsets = Int32Array.from([0, 3, 5, 5, 9, 15, 16]);
  assert.deepEqual([...planChunks(offsets, 5)], [3, 4, 5, 6]);
  assert.deepEqual([...planChunks(offsets, 100)], [6]);
  assert.deepEqual([...planChunks(offsets, 1)], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...planChunks(Int32Array.from([0]), 5)], []);
});

/**
 * Queries against documents of lengths 0..9 with skiplist holes; document 3's dot
 * products with the first query token are all negative, so its masked positions (scored 0)
 * must win that max.
 */
function maxSimCase() {
  const [queries, qLength, count, length, dim] = [2, 5, 23, 9, 6];
  const q = values(queries * qLength * dim, 11);
  const padded = values(count * length * dim, 12);
  const mask = Array.from({ length: count * length }, (_, i) => {
    const [d, t] = [Math.floor(i / length), i % length];
    return t < d % (length + 1) && (d * 7 + t) % 5 !== 0 ? 1 : 0;
  });
  for (let t = 0; t < length * dim; t++) {
    padded[3 * length * dim + t] = -Math.sign(q[t % dim]) * Math.abs(padded[3 * length * dim + t]);
  }
  return {
    expected: referenceScores(q, padded, { mask, count, length, dim, queries, qLength }),
    docs: packDocuments(padded, { mask, count, length, dim }),
    query: { vectors: q, count: queries, length: qLength, dim },
  };
}

Deno.test("BLAS MaxSim equals a padded nested-loop MaxSim", needsBlas, async () => {
  const { expected, docs, query } = maxSimCase();
  for (const chunkTokens of [4, 8192]) {
    const scores = await maxSimPacked(query, docs, { chunkTokens });
    assertClose(scores, expected, 1e-5, `chunks of ${chunkTokens} tokens`);
  }
});

Deno.test(
  "BLAS MaxSim gives the same numbers on 1, 2 or 3 threads, on a document slice",
  needsBlas,
  async () => {
    const { expected, docs, query } = maxSimCase();
    // A slice starts inside the vectors' buffer: the workers must read at its offset.
    const slice = sliceDocuments(docs, 5, 23);
    const byThreads = [];
    for (const threads of [1, 2, 3]) {
      byThreads.push(await maxSimPacked(query, slice, { chunkTokens: 6, threads }));
    }
    const sliceExpected = [0, 1].flatMap((q) => expected.slice(q * 23 + 5, q * 23 + 23));
    assertClose(byThreads[0], sliceExpected, 1e-5, "one thread");
    assert.deepEqual(byThreads[1], byThreads[0]);
    assert.deepEqual(byThreads[2], byThreads[0]);
  },
);

Deno.test(
  "a MaxSim worker that fails rejects the score and restores OpenBLAS's threads",
  needsBlas,
  async () => {
    const blas = openBlas()!;
    const { docs, query } = maxSimCase();
    const threads = blas.threads();
    using scorer = new MaxSimScorer(query, {
      blas: { ...blas, path: "/nonexistent/libopenblas.so" },
      chunkTokens: 4,
      threads: 2,
    });
    await assert.rejects(
      scorer.score(docs),
      /maxsim_worker\.ts: cannot load OpenBLAS from \/nonexistent/,
    );
    assert.equal(blas.threads(), threads);
  },
);

Deno.test("MaxSim's tfjs fallback equals a padded nested-loop MaxSim", async () => {
  await initBackend("wasm");
  const { expected, docs, query } = maxSimCase();
  for (const chunkTokens of [4, 8192]) {
    const scores = await maxSimPacked(query, docs, { chunkTokens, blas: null });
    assertClose(scores, expected, 1e-5, `chunks of ${chunkTokens} tokens`);
  }
});

Deno.test("rankStream over chunks keeps each query's best documents of the whole stream", async () => {
  await initBackend("wasm");
  const [count, length, dim] = [40, 7, 4];
  const mask = Array.from({ length: count * length }, (_, i) => (i % length < 2 + (i % 5) ? 1 : 0));
  const docs = packDocuments(values(count * length * dim, 21), { mask, count, length, dim });
  const query = { vectors: values(2 * 3 * dim, 22), count: 2, length: 3, dim };
  const all = await maxSimPacked(query, docs);
  const chunks = [[0, 15], [15, 16], [16, 40]].map(([s, e]) => sliceDocuments(docs, s, e));
  using scorer = new MaxSimScorer(query);
  const ranked = await rankStream(scorer, chunks, { k: 5 });
  for (let q = 0; q < 2; q++) {
    const expected = [...Array(count).keys()]
      .sort((a, b) => all[q * count + b] - all[q * count + a])
      .slice(0, 5);
    assert.deepEqual(ranked[q].map((r) => r.index), expected);
    assert.deepEqual(ranked[q].map((r) => r.score), expected.map((d) => all[q * count + d]));
  }
});
