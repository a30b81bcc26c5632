/**
 * Which prompt and length each side of retrieval gets (finding 4 of the study rests on it):
 * token rows written out by hand from bert-base-uncased's vocabulary.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/compute/backend.ts";
import { colbertInputConfig, DEFAULT_COLBERT_INPUT_CONFIG } from "../lib/models/colbert_inputs.ts";
import { embedRows, encoderInputs, tokenRows } from "../lib/models/embed.ts";
import { createModel, type Model, type ModelKind } from "../lib/models/model.ts";
import { encoderShape } from "../lib/models/encoder.ts";
import { loadBertTokenizer } from "../lib/models/tokenizer.ts";
import { tinyEncoder } from "./tiny_encoder.ts";

const tokenizer = await loadBertTokenizer();
const id = (token: string) => tokenizer.tokenToId(token)!;
const [CLS, SEP, PAD, MASK, Q, D] = [101, 102, 0, 103, 1, 2];
const HI = id("hi");
const SEARCH = (side: string) => [id("search"), id("_"), id(side), id(":")];

/** A model of `kind` with ColBERT-Zero's inputs; tokenRows reads only its config. */
function model(kind: ModelKind, prompts = true): Model {
  return {
    config: {
      kind,
      transformer: tinyEncoder(),
      colbertDim: 8,
      pooling: "mean",
      inputs: { ...DEFAULT_COLBERT_INPUT_CONFIG, queryLength: 8, documentLength: 10, prompts },
    },
    params: new Map(),
  };
}

Deno.test("dense: queries get search_query, documents search_document, each its own length", () => {
  const query = tokenRows(model("dense"), tokenizer, { texts: ["hi"], side: "query" });
  assert.deepEqual([...query.inputIds], [CLS, ...SEARCH("query"), HI, SEP]);
  const document = tokenRows(model("dense"), tokenizer, {
    texts: ["hi", "hi hi"],
    side: "document",
  });
  assert.deepEqual([...document.inputIds], [
    ...[CLS, ...SEARCH("document"), HI, SEP, PAD],
    ...[CLS, ...SEARCH("document"), HI, HI, SEP],
  ]);
  // Lengths: query 8 + 7 = 15, document 10 + 7 = 17 tokens at most.
  const long = Array(40).fill("hi").join(" ");
  assert.equal(tokenRows(model("dense"), tokenizer, { texts: [long], side: "query" }).length, 15);
  assert.equal(
    tokenRows(model("dense"), tokenizer, { texts: [long], side: "document" }).length,
    17,
  );
});

Deno.test("dense without prompts: the bare text on both sides", () => {
  for (const side of ["query", "document"] as const) {
    const rows = tokenRows(model("dense", false), tokenizer, { texts: ["hi"], side });
    assert.deepEqual([...rows.inputIds], [CLS, HI, SEP], side);
  }
});

Deno.test("ColBERT: [Q] + query prompt padded with [MASK], [D] + document prompt", () => {
  const query = tokenRows(model("colbert"), tokenizer, { texts: ["hi"], side: "query" });
  const used = [CLS, Q, ...SEARCH("query"), HI, SEP];
  assert.deepEqual([...query.inputIds], [...used, ...Array(15 - used.length).fill(MASK)]);
  const document = tokenRows(model("colbert"), tokenizer, { texts: ["hi"], side: "document" });
  assert.deepEqual([...document.inputIds], [CLS, D, ...SEARCH("document"), HI, SEP]);
});

Deno.test("embedRows: dense gives one vector per text, ColBERT token vectors and the scoring mask", async () => {
  await initBackend("cpu");
  for (const kind of ["dense", "colbert"] as const) {
    const real = createModel({
      kind,
      transformer: tinyEncoder(),
      colbertDim: 8,
      pooling: "mean",
      inputs: colbertInputConfig({ queryLength: 8, documentLength: 10 }),
    }, { seed: 1 });
    const rows = tokenRows(real, tokenizer, { texts: ["hi", "hi hi"], side: "document" });
    const encoded = embedRows(real, rows);
    if (kind === "dense") {
      assert.ok(encoded instanceof tf.Tensor, "dense: a tensor, not token embeddings");
      assert.deepEqual(encoded.shape, [2, encoderShape(real.config.transformer).hidden]);
    } else {
      assert.ok(!(encoded instanceof tf.Tensor), "ColBERT: token embeddings");
      assert.deepEqual(encoded.embeddings.shape, [2, rows.length, 8]);
      assert.deepEqual([...await encoded.mask.data()], [...rows.scoringMask]);
    }
  }
});

Deno.test("encoderInputs: pair ids become int32 tensors when present, absent otherwise", async () => {
  const rows = tokenRows(model("dense"), tokenizer, { texts: ["hi"], side: "query" });
  assert.equal(encoderInputs(rows).tokenTypeIds, undefined);
  const pairs = { ...rows, tokenTypeIds: Int32Array.from(rows.inputIds, (_, i) => i % 2) };
  const ids = encoderInputs(pairs).tokenTypeIds!;
  assert.equal(ids.dtype, "int32");
  assert.deepEqual([...await ids.data()], [...pairs.tokenTypeIds]);
});
