import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { encodeRecords, main } from "../cli/encode.ts";
import { failure } from "../cli/run_main.ts";
import { initBackend } from "../lib/compute/backend.ts";
import { saveModelFolder } from "../lib/checkpoints/checkpoint.ts";
import { colbertInputConfig } from "../lib/models/colbert_inputs.ts";
import { embedTexts } from "../lib/models/embed.ts";
import { createModel } from "../lib/models/model.ts";
import { loadNamedModel } from "../lib/checkpoints/load_model.ts";
import { CheckpointCache } from "../lib/cache/cache.ts";
import { loadBertTokenizer } from "../lib/models/tokenizer.ts";
import { temporaryFolder } from "./temporary_folder.ts";
import { tinyEncoder } from "./tiny_encoder.ts";

const TEXTS = ["what is a cat?", "A small domesticated carnivorous mammal, with soft fur."];

for (const kind of ["colbert", "dense"] as const) {
  Deno.test(`encode: a ${kind} folder's records are the model's own vectors`, async () => {
    await initBackend("cpu");
    await using folder = await temporaryFolder();
    const model = createModel({
      kind,
      transformer: tinyEncoder(),
      colbertDim: 8,
      pooling: "mean",
      inputs: colbertInputConfig({ queryLength: 12, documentLength: 12, prompts: false }),
    }, { seed: 4 });
    const tokenizer = await loadBertTokenizer();
    const dir = join(folder.path, "model");
    await saveModelFolder(dir, model, { tokenizer });
    const named = await loadNamedModel(dir, { cache: new CheckpointCache(folder.path) });
    const records = await encodeRecords(named, TEXTS, "query");
    const direct = embedTexts(model, tokenizer, { texts: TEXTS, side: "query" });
    if (direct instanceof tf.Tensor) {
      const vectors = await direct.array() as number[][];
      records.forEach((record, i) =>
        assert.deepEqual(record, { text: TEXTS[i], vector: vectors[i] })
      );
    } else {
      // Queries keep every position (PyLate's expansion tokens included): 12 vectors of 8.
      const tokens = await direct.embeddings.array() as number[][][];
      records.forEach((record, i) =>
        assert.deepEqual(record, { text: TEXTS[i], tokens: tokens[i] })
      );
    }
  });
}

Deno.test("encode: bad arguments exit 2 with the usage, an unknown model exits 1", async () => {
  const none = new Blob([]).stream();
  const mistake = await main(["--query", "--document", "--model", "x"], none)
    .catch((error) => failure("encode", error, "usage: ..."));
  assert.deepEqual(mistake, ["encode: --query and --document exclude each other\nusage: ...", 2]);
  const missing = await main(["--model", "/no/such/folder"], new Blob(["text\n"]).stream())
    .catch((error) => failure("encode", error, "usage: ..."));
  assert.ok(Array.isArray(missing) && missing[1] === 1, `exit code 1: ${missing}`);
  assert.match(missing[0], /^encode: .*\/no\/such\/folder/);
});
