/**
 * The suite against the Python reference implementations themselves: fixtures written by
 * scripts/reference/make_fixtures.py with transformers, sentence-transformers and PyLate
 * (versions in tests/fixtures/reference/manifest.json). Tolerance 1e-4 on every vector and
 * score; token ids must be equal.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { initBackend } from "../lib/compute/backend.ts";
import { colbertDocumentBatch, colbertQueryBatch } from "../lib/models/colbert_inputs.ts";
import { embedTexts, encoderInputs } from "../lib/models/embed.ts";
import type { Encoded } from "../lib/losses/contrastive.ts";
import { maxsimScores } from "../lib/scores/maxsim.ts";
import { encoderForward } from "../lib/models/encoder.ts";
import { readHfEncoder } from "../lib/checkpoints/hf_encoder.ts";
import { loadModelFolder } from "../lib/checkpoints/model_folder.ts";
import { resolveModel } from "../lib/hub/model_source.ts";
import { scorePairs } from "../lib/models/model.ts";
import { pairBatch } from "../lib/models/text_batch.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const FIXTURES = new URL("./fixtures/reference/", import.meta.url).pathname;
const MINILM = "hf:sentence-transformers/all-MiniLM-L6-v2";
const TOLERANCE = 1e-4;

const fixture = async (name: string) => JSON.parse(await Deno.readTextFile(join(FIXTURES, name)));

function assertClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  actual.forEach((value, i) => worst = Math.max(worst, Math.abs(value - expected[i])));
  assert.ok(worst <= TOLERANCE, `${what}: max difference ${worst} > ${TOLERANCE}`);
}

Deno.test("BERT: last hidden states equal transformers' BertModel at attended positions", async () => {
  await initBackend("cpu");
  const reference = (await fixture("hidden_states.json")).bert_tiny;
  const { config, params } = await readHfEncoder(join(FIXTURES, "bert_tiny"));
  const hidden = await encoderForward(params, config, {
    inputIds: tf.tensor2d(reference.input_ids, undefined, "int32"),
    attentionMask: tf.tensor2d(reference.attention_mask),
  }).array();
  reference.attention_mask.forEach((mask: number[], row: number) =>
    mask.forEach((attended, token) => {
      if (attended) {
        assertClose(hidden[row][token], reference.last_hidden_state[row][token], `${row}/${token}`);
      }
    })
  );
});

/** The suite's token vectors of `encoded` where its scoring mask keeps them (PyLate's filter). */
async function keptVectors(encoded: Encoded): Promise<number[][][]> {
  if (encoded instanceof tf.Tensor) throw new Error("expected a ColBERT encoding");
  const vectors = await encoded.embeddings.array() as number[][][];
  const mask = await encoded.mask.array() as number[][];
  return vectors.map((row, r) => row.filter((_, t) => mask[r][t] > 0));
}

/** A PyLate fixture: the same token ids, token vectors and MaxSim scores. */
async function assertPylateParity(name: string, folder: string): Promise<void> {
  await initBackend("wasm");
  const reference = await fixture(`${name}.json`);
  const { model, tokenizer } = await loadModelFolder(folder);
  const inputs = model.config.inputs;
  const query = colbertQueryBatch(tokenizer, reference.queries, inputs);
  assert.deepEqual(rows(query.inputIds, query.length), reference.query_inputs.input_ids);
  assert.deepEqual(rows(query.attentionMask, query.length), reference.query_inputs.attention_mask);
  const documents = colbertDocumentBatch(tokenizer, reference.documents, inputs);
  // PyLate pads documents with [MASK] and the suite with [PAD]; neither is attended or scored.
  const { input_ids: pylateIds, attention_mask: pylateMask } = reference.document_inputs;
  const suiteMask = rows(documents.attentionMask, documents.length);
  rows(documents.inputIds, documents.length).forEach((row, r) => {
    const attended = (ids: number[], mask: number[]) => ids.filter((_, t) => mask[t]);
    assert.deepEqual(
      attended(row, suiteMask[r]),
      attended(pylateIds[r], pylateMask[r]),
      `document ${r}`,
    );
  });
  const queryVectors = await keptVectors(
    embedTexts(model, tokenizer, { texts: reference.queries, side: "query" }),
  );
  const documentEncoding = embedTexts(model, tokenizer, {
    texts: reference.documents,
    side: "document",
  });
  const documentVectors = await keptVectors(documentEncoding);
  queryVectors.forEach((q, i) =>
    assertClose(q.flat(), reference.query_vectors[i].flat(), `${name} query ${i}`)
  );
  documentVectors.forEach((d, i) =>
    assertClose(d.flat(), reference.document_vectors[i].flat(), `${name} document ${i}`)
  );
  const queryEncoding = embedTexts(model, tokenizer, { texts: reference.queries, side: "query" });
  if (queryEncoding instanceof tf.Tensor || documentEncoding instanceof tf.Tensor) return;
  const scores = await maxsimScores(queryEncoding, documentEncoding).array() as number[][];
  scores.forEach((row, i) => assertClose(row, reference.scores[i], `${name} scores of query ${i}`));
}

function rows(flat: ArrayLike<number>, length: number): number[][] {
  return Array.from(
    { length: flat.length / length },
    (_, r) => Array.from(flat).slice(r * length, (r + 1) * length),
  );
}

for (const name of ["pylate_bert_tiny", "pylate_modernbert_tiny"]) {
  Deno.test(`${name}: PyLate's token ids, token vectors and colbert_scores`, async () => {
    await assertPylateParity(name, join(FIXTURES, name));
  });
}

Deno.test("round trip: a ColBERT the suite trained, loaded by PyLate, scores as in the suite", async () => {
  // suite_colbert/ is written by scripts/reference/suite_colbert.ts, suite_colbert.json by
  // PyLate reading that folder (make_fixtures.py roundtrip).
  await assertPylateParity("suite_colbert", join(FIXTURES, "suite_colbert"));
});

Deno.test("PyLate ColBERT on all-MiniLM-L6-v2 (real weights from the model cache)", async () => {
  await using folder = await temporaryFolder();
  const copy = join(folder.path, "pylate_minilm");
  await Deno.mkdir(join(copy, "1_Dense"), { recursive: true });
  for await (const entry of Deno.readDir(join(FIXTURES, "pylate_minilm"))) {
    if (entry.isFile) {
      await Deno.copyFile(join(FIXTURES, "pylate_minilm", entry.name), join(copy, entry.name));
    }
  }
  for (const file of ["config.json", "model.safetensors"]) {
    await Deno.copyFile(
      join(FIXTURES, "pylate_minilm", "1_Dense", file),
      join(copy, "1_Dense", file),
    );
  }
  // The fixture leaves out the 90 MB transformer weights; setup puts them in the model cache.
  await Deno.copyFile(
    join(await resolveModel(MINILM), "model.safetensors"),
    join(copy, "model.safetensors"),
  );
  await assertPylateParity("pylate_minilm", copy);
});

Deno.test("all-MiniLM-L6-v2: sentence-transformers' embeddings and cosines", async () => {
  await initBackend("cpu");
  const reference = await fixture("minilm_sentence_embeddings.json");
  const { model, tokenizer, format } = await loadModelFolder(await resolveModel(MINILM));
  assert.equal(format, "sentence-transformers");
  const vectors = embedTexts(model, tokenizer, {
    texts: reference.sentences,
    side: "document",
  }) as tf.Tensor2D;
  const embeddings = await vectors.array();
  embeddings.forEach((v, i) => assertClose(v, reference.embeddings[i], `sentence ${i}`));
  const cosine = await tf.matMul(vectors, vectors, false, true).array() as number[][];
  // The numbers sentence-transformers' quickstart prints for these three sentences.
  const published = [[0, 1, 0.6660], [0, 2, 0.1046], [1, 2, 0.1411]];
  for (const [a, b, value] of published) {
    assert.ok(Math.abs(cosine[a][b] - value) < 1e-3, `cosine ${a}-${b}: ${cosine[a][b]}`);
  }
});

for (const name of ["cross_bert_tiny", "cross_modernbert_tiny"]) {
  Deno.test(`${name}: sentence-transformers' CrossEncoder token ids and raw scores`, async () => {
    await initBackend("cpu");
    const reference = (await fixture("cross_encoders.json"))[name];
    const { model, tokenizer, format } = await loadModelFolder(join(FIXTURES, name));
    assert.equal(format, "cross-encoder");
    const pairs = (reference.pairs as string[][]).map(([query, document]) => ({ query, document }));
    const rows = pairBatch(tokenizer, pairs, { maxLength: 128 });
    const ids = Array.from(rows.inputIds);
    const mask = reference.attention_mask as number[][];
    (reference.input_ids as number[][]).forEach((expected, r) => {
      const row = ids.slice(r * rows.length, (r + 1) * rows.length);
      assert.deepEqual(row.filter((_, t) => mask[r][t]), expected.filter((_, t) => mask[r][t]));
    });
    const scores = await scorePairs(model, encoderInputs(rows)).array();
    assertClose(scores, reference.scores, `${name} scores`);
  });
}
