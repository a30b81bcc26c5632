import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  cachedContrastiveGrads,
  type ContrastiveEncoder,
} from "../lib/losses/cached_contrastive.ts";
import { contrastiveLoss, type Encoded } from "../lib/losses/contrastive.ts";
import { l2Normalize } from "../lib/models/ops.ts";
import { assertClose, testOnEveryBackend } from "./late_interaction_reference.ts";

// A tiny token-level encoder: embedding table -> linear -> L2 norm per token. Its token
// vectors ignore context, so a repeated token ties exactly (the hard case for MaxSim).
const [VOCAB, HIDDEN, DIM] = [12, 6, 4];
const [PAD, MASK, PUNCTUATION] = [0, 1, 2]; // ids with a role in the scoring masks
let models = 0;

type Ids = number[][];

function tinyEncoder(pooled: boolean) {
  const tag = `gradcache_${models++}`;
  const table = tf.variable(tf.randomNormal([VOCAB, HIDDEN], 0, 1, "float32", 1), true, `${tag}_t`);
  const weight = tf.variable(tf.randomNormal([HIDDEN, DIM], 0, 1, "float32", 2), true, `${tag}_w`);
  const tokenVectors = (ids: Ids) => {
    // One-hot product instead of tf.gather: gather's gradient is missing on wasm.
    const oneHot = tf.cast(tf.oneHot(tf.tensor2d(ids, undefined, "int32"), VOCAB), "float32");
    const hidden = tf.matMul(oneHot.reshape([-1, VOCAB]), table);
    return l2Normalize(tf.matMul(hidden, weight).reshape([ids.length, -1, DIM])) as tf.Tensor3D;
  };
  const encode = (ids: Ids, scored: (id: number) => boolean): Encoded => {
    const mask = tf.tensor2d(ids.map((row) => row.map((id) => (scored(id) ? 1 : 0))));
    const embeddings = tokenVectors(ids);
    if (!pooled) return { embeddings, mask };
    const sum = tf.sum(tf.mul(embeddings, mask.expandDims(2)), 1);
    return l2Normalize(tf.div(sum, tf.sum(mask, 1, true))) as tf.Tensor2D;
  };
  const encoder: ContrastiveEncoder<Ids, Ids> = {
    // Query expansion: [MASK] tokens are scored, padding is not.
    encodeQueries: (ids) => encode(ids, (id) => id !== PAD),
    // Documents: padding and the skiplist (punctuation) are not scored.
    encodeDocuments: (ids) => encode(ids, (id) => id !== PAD && id !== PUNCTUATION),
    variables: [table, weight],
  };
  return encoder;
}

const queries: Ids = [
  [5, 6, MASK, MASK],
  [7, 7, 8, MASK],
  [9, 3, PAD, PAD],
  [4, 5, 6, 7],
  [11, 10, MASK, PAD],
];
const positives: Ids = [
  [5, 3, PUNCTUATION, 6, PAD],
  [7, 8, 8, PAD, PAD],
  [9, PUNCTUATION, 3, 4, 10],
  [4, 4, 6, PUNCTUATION, PAD],
  [11, 3, 3, PAD, PAD],
];
const negatives: Ids = [
  [6, 6, 4, PAD, PAD],
  [8, PUNCTUATION, 9, 9, 3],
  [10, 11, PAD, PAD, PAD],
  [5, 5, 5, 7, PAD],
  [3, 10, PUNCTUATION, PAD, PAD],
];

function chunks(ids: Ids, size: number): Ids[] {
  return Array.from(
    { length: Math.ceil(ids.length / size) },
    (_, i) => ids.slice(i * size, (i + 1) * size),
  );
}

async function compareWithFullBatch(pooled: boolean, sizes: { chunk: number; score?: number }) {
  const encoder = tinyEncoder(pooled);
  const temperature = 0.2;
  const full = tf.variableGrads(
    () =>
      contrastiveLoss(
        encoder.encodeQueries(queries),
        [encoder.encodeDocuments(positives), encoder.encodeDocuments(negatives)],
        { temperature },
      ),
    encoder.variables,
  );
  const before = tf.memory().numTensors;
  const cached = await cachedContrastiveGrads(encoder, {
    queries: chunks(queries, sizes.chunk),
    documents: [chunks(positives, sizes.chunk + 1), chunks(negatives, sizes.chunk)],
  }, { temperature, scoreChunkSize: sizes.score });
  assert.equal(tf.memory().numTensors, before + 2, "only the two gradients stay allocated");

  assertClose([cached.loss], await full.value.data(), 1e-5, "loss");
  assert.deepEqual(Object.keys(cached.grads).sort(), Object.keys(full.grads).sort());
  for (const [name, grad] of Object.entries(full.grads)) {
    const expected = await grad.data();
    const scale = Math.max(...expected.map(Math.abs));
    const actual = (await cached.grads[name].data()).map((value) => value / scale);
    assertClose(actual, expected.map((value) => value / scale), 1e-4, name);
  }
  tf.dispose([full.value, ...Object.values(full.grads), ...Object.values(cached.grads)]);
  tf.dispose(encoder.variables);
}

testOnEveryBackend(
  "GradCache equals the full batch (MaxSim, chunks 2, default scoring)",
  () => compareWithFullBatch(false, { chunk: 2 }),
);

testOnEveryBackend(
  "GradCache equals the full batch (MaxSim, chunks 3, scoring by 1)",
  () => compareWithFullBatch(false, { chunk: 3, score: 1 }),
);

testOnEveryBackend(
  "GradCache equals the full batch (dense, chunks 2, scoring by 4)",
  () => compareWithFullBatch(true, { chunk: 2, score: 4 }),
);

testOnEveryBackend("GradCache rejects an encoder whose chunks change shape", async () => {
  const encoder = tinyEncoder(false);
  let calls = 0;
  const unstable = {
    ...encoder,
    // Step 1 sees 4 query tokens, step 3 sees 3.
    encodeQueries: (ids: Ids) => {
      const length = calls++ === 0 ? 4 : 3;
      return encoder.encodeQueries(ids.map((row) => row.slice(0, length)));
    },
  };
  await assert.rejects(
    () =>
      cachedContrastiveGrads(unstable, { queries: [queries], documents: [[positives]] }, {
        temperature: 1,
      }),
    /cached_contrastive\.ts: chunk re-embedded to \[5,3,4\], step 1 gave \[5,4,4\]/,
  );
  tf.dispose(encoder.variables);
});
