import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { initBackend } from "../lib/compute/backend.ts";
import { colbertInputConfig } from "../lib/models/colbert_inputs.ts";
import { embedTexts } from "../lib/models/embed.ts";
import type { Encoded } from "../lib/losses/contrastive.ts";
import { createModel, encodePooled, type ModelKind } from "../lib/models/model.ts";
import { TINY_BERT } from "./tiny_encoder.ts";
import { loadModelFolder } from "../lib/checkpoints/model_folder.ts";
import { saveModelFolder } from "../lib/checkpoints/checkpoint.ts";
import { SUITE_FILE } from "../lib/checkpoints/model_files.ts";
import { decodeSafetensors, encodeSafetensors } from "../lib/checkpoints/safetensors.ts";
import { loadBertTokenizer } from "../lib/models/tokenizer.ts";
import { assertGradientsMatch } from "./gradient_check.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const TEXTS = ["What is a cat?", "A small domesticated carnivorous mammal, with soft fur."];

/** A freshly initialised tiny BERT model of `kind`. */
function tinyModel(kind: ModelKind) {
  return createModel({
    kind,
    transformer: TINY_BERT,
    colbertDim: 8,
    pooling: "mean",
    // sentence-transformers keeps one max_seq_length for both sides of a dense model.
    inputs: colbertInputConfig({
      queryLength: kind === "dense" ? 20 : 12,
      documentLength: 20,
      prompts: false,
    }),
  }, { seed: 3 });
}

async function values(encoded: Encoded): Promise<number[]> {
  return Array.from(await (encoded instanceof tf.Tensor ? encoded : encoded.embeddings).data());
}

for (const kind of ["colbert", "dense"] as const) {
  Deno.test(`a ${kind} model written as a model folder reads back to the same vectors`, async () => {
    await initBackend("cpu");
    await using folder = await temporaryFolder();
    const model = tinyModel(kind);
    const tokenizer = await loadBertTokenizer();
    const dir = join(folder.path, "model");
    await saveModelFolder(dir, model, { tokenizer, metadata: { seed: 3 } });
    const suite = JSON.parse(await Deno.readTextFile(join(dir, SUITE_FILE)));
    assert.deepEqual(suite.metadata, { seed: 3 });
    assert.match(suite.sha256["model.safetensors"], /^[0-9a-f]{64}$/);
    await assert.rejects(saveModelFolder(dir, model, { tokenizer }), /already exists/);
    // Read as the suite's own folder, then as PyLate or sentence-transformers would leave it.
    for (const withSuiteFile of [true, false]) {
      if (!withSuiteFile) await Deno.remove(join(dir, SUITE_FILE));
      const loaded = await loadModelFolder(dir);
      assert.equal(loaded.format, kind === "colbert" ? "pylate" : "sentence-transformers");
      assert.equal(loaded.model.config.kind, kind);
      for (const side of ["query", "document"] as const) {
        assert.deepEqual(
          await values(embedTexts(loaded.model, loaded.tokenizer, { texts: TEXTS, side })),
          await values(embedTexts(model, tokenizer, { texts: TEXTS, side })),
        );
      }
    }
  });
}

/** Save a tiny ColBERT folder, then let `damage` change it; loading must fail with `expected`. */
async function assertLoadFails(
  damage: (dir: string) => Promise<void>,
  expected: RegExp,
): Promise<void> {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  const dir = join(folder.path, "model");
  await saveModelFolder(dir, tinyModel("colbert"), { tokenizer: await loadBertTokenizer() });
  // Without the suite's checksums, as a folder made elsewhere: the reader's own checks speak.
  await Deno.remove(join(dir, SUITE_FILE));
  await damage(dir);
  await assert.rejects(loadModelFolder(dir), expected);
}

async function editWeights(dir: string, edit: (tensors: Map<string, unknown>) => void) {
  const path = join(dir, "model.safetensors");
  const content = decodeSafetensors(await Deno.readFile(path), path);
  edit(content.tensors);
  await Deno.writeFile(path, encodeSafetensors(content as Parameters<typeof encodeSafetensors>[0]));
}

Deno.test("a folder missing a tensor is refused, naming the file and the tensor", async () => {
  await assertLoadFails(
    (dir) => editWeights(dir, (t) => t.delete("encoder.layer.1.output.dense.weight")),
    /model\.safetensors: tensor "encoder\.layer\.1\.output\.dense\.weight" is missing/,
  );
});

Deno.test("a misshapen tensor is refused with both shapes", async () => {
  await assertLoadFails(
    (dir) =>
      editWeights(
        dir,
        (t) => t.set("embeddings.LayerNorm.bias", { shape: [8], data: new Float32Array(8) }),
      ),
    /"embeddings\.LayerNorm\.bias" has shape \[8\], .*config\.json implies \[16\]/,
  );
});

Deno.test("an unknown architecture is refused, naming config.json", async () => {
  await assertLoadFails(async (dir) => {
    const path = join(dir, "config.json");
    const config = JSON.parse(await Deno.readTextFile(path));
    await Deno.writeTextFile(path, JSON.stringify({ ...config, model_type: "gpt2" }));
  }, /config\.json: unknown architecture \(model_type "gpt2"\)/);
});

Deno.test("a tokenizer with more ids than the embedding table is refused", async () => {
  await assertLoadFails(async (dir) => {
    const path = join(dir, "config.json");
    const config = JSON.parse(await Deno.readTextFile(path));
    await Deno.writeTextFile(path, JSON.stringify({ ...config, vocab_size: 1000 }));
    await editWeights(dir, (t) =>
      t.set("embeddings.word_embeddings.weight", {
        shape: [1000, 16],
        data: new Float32Array(16000),
      }));
  }, /tokenizer\.json: 30522 token ids, but .*config\.json has vocab_size 1000/);
});

Deno.test("a truncated weights file is refused, naming it", async () => {
  await assertLoadFails(async (dir) => {
    const path = join(dir, "model.safetensors");
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, bytes.length - 100));
  }, /model\.safetensors: not a valid safetensors file/);
});

Deno.test("sharded weights (model.safetensors.index.json) read as one file; a misplaced tensor is named", async () => {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  const dir = join(folder.path, "model");
  const model = tinyModel("dense");
  const tokenizer = await loadBertTokenizer();
  await saveModelFolder(dir, model, { tokenizer });
  await Deno.remove(join(dir, SUITE_FILE));
  const single = join(dir, "model.safetensors");
  const { tensors } = decodeSafetensors(await Deno.readFile(single), single);
  const names = [...tensors.keys()];
  const shards = [names.slice(0, 7), names.slice(7)].map((part, i) => ({
    file: `model-0000${i + 1}-of-00002.safetensors`,
    tensors: new Map(part.map((name) => [name, tensors.get(name)!])),
  }));
  const weightMap: Record<string, string> = {};
  for (const shard of shards) {
    await Deno.writeFile(
      join(dir, shard.file),
      encodeSafetensors({ tensors: shard.tensors, metadata: {} }),
    );
    for (const name of shard.tensors.keys()) weightMap[name] = shard.file;
  }
  await Deno.remove(single);
  const indexPath = join(dir, "model.safetensors.index.json");
  await Deno.writeTextFile(indexPath, JSON.stringify({ weight_map: weightMap }));
  const loaded = await loadModelFolder(dir);
  assert.deepEqual(
    await values(embedTexts(loaded.model, loaded.tokenizer, { texts: TEXTS, side: "document" })),
    await values(embedTexts(model, tokenizer, { texts: TEXTS, side: "document" })),
  );
  await Deno.writeTextFile(
    indexPath,
    JSON.stringify({ weight_map: { ...weightMap, [names[0]]: shards[1].file } }),
  );
  await assert.rejects(
    loadModelFolder(dir),
    /model-00001-of-00002\.safetensors: holds ".*", which .*index\.json does not place in this shard/,
  );
});

Deno.test("BERT: gradients of every kind of weight match central finite differences", async () => {
  await initBackend("cpu");
  const model = tinyModel("dense");
  const inputs = {
    inputIds: tf.tensor2d([[101, 2054, 2003, 102], [101, 4937, 102, 0]], undefined, "int32"),
    attentionMask: tf.tensor2d([[1, 1, 1, 1], [1, 1, 1, 0]]),
    tokenTypeIds: tf.tensor2d([[0, 0, 1, 1], [0, 1, 1, 0]], undefined, "int32"),
  };
  const target = tf.randomNormal([2, 16], 0, 1, "float32", 5);
  await assertGradientsMatch(
    model,
    () => tf.sum(tf.mul(encodePooled(model, inputs), target)) as tf.Scalar,
    [
      ["encoder.embeddings.word_embeddings.weight", [2054 * 16 + 3, 4937 * 16 + 15]],
      ["encoder.embeddings.position_embeddings.weight", [2 * 16 + 1]],
      ["encoder.embeddings.token_type_embeddings.weight", [16 + 4]],
      ["encoder.embeddings.LayerNorm.weight", [5]],
      ["encoder.embeddings.LayerNorm.bias", [6]],
      ["encoder.encoder.layer.0.attention.self.query.weight", [0, 37]],
      ["encoder.encoder.layer.0.attention.self.key.bias", [3]],
      ["encoder.encoder.layer.1.attention.output.LayerNorm.weight", [2]],
      ["encoder.encoder.layer.1.intermediate.dense.bias", [9]],
      ["encoder.encoder.layer.1.output.dense.weight", [40]],
    ],
  );
});

Deno.test("a PyLate folder naming no lengths reads PyLate's defaults, 32 and 180, as ColBERT", async () => {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  const fixture = new URL("./fixtures/reference/pylate_bert_tiny/", import.meta.url);
  for (const entry of Deno.readDirSync(fixture)) {
    if (entry.isFile) {
      await Deno.copyFile(new URL(entry.name, fixture), join(folder.path, entry.name));
    }
  }
  await Deno.mkdir(join(folder.path, "1_Dense"));
  for (const entry of Deno.readDirSync(new URL("1_Dense/", fixture))) {
    await Deno.copyFile(
      new URL(`1_Dense/${entry.name}`, fixture),
      join(folder.path, "1_Dense", entry.name),
    );
  }
  const path = join(folder.path, "config_sentence_transformers.json");
  const { query_length: _, document_length: __, ...settings } = JSON.parse(
    await Deno.readTextFile(path),
  );
  await Deno.writeTextFile(path, JSON.stringify(settings));
  const { model } = await loadModelFolder(folder.path);
  // pylate/models/colbert.py: query_length defaults to 32, document_length to 180.
  assert.equal(model.config.kind, "colbert");
  assert.equal(model.config.inputs.queryLength, 32);
  assert.equal(model.config.inputs.documentLength, 180);
  assert.ok(model.params.has("colbert.projection.weight"), "the 1_Dense projection is read");
});
