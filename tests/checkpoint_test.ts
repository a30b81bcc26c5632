import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../lib/compute/backend.ts";
import { colbertInputConfig } from "../lib/models/colbert_inputs.ts";
import {
  loadCheckpoint,
  resolveCheckpoint,
  saveCheckpoint,
  saveModelFolder,
} from "../lib/checkpoints/checkpoint.ts";
import { createModel, type ModelConfig, type ModelKind, withHead } from "../lib/models/model.ts";
import { SUITE_FILE } from "../lib/checkpoints/model_files.ts";
import { decodeSafetensors, encodeSafetensors } from "../lib/checkpoints/safetensors.ts";
import { loadBertTokenizer } from "../lib/models/tokenizer.ts";
import { temporaryFolder } from "./temporary_folder.ts";
import { tinyEncoder } from "./tiny_encoder.ts";

const CONFIG: ModelConfig = {
  kind: "colbert",
  transformer: tinyEncoder({ maxLength: 8 }),
  colbertDim: 4,
  pooling: "mean",
  inputs: colbertInputConfig(),
};

for (const kind of ["colbert", "dense", "mlm", "cross"] as ModelKind[]) {
  Deno.test(`checkpoint round trip of a ${kind} model is bit-identical`, async () => {
    await initBackend("cpu");
    await using folder = await temporaryFolder();
    const model = createModel({ ...CONFIG, kind }, { seed: 11 });
    const tokenizer = await loadBertTokenizer();
    await saveCheckpoint(folder.path, model, { tokenizer, metadata: { phase: "test", seed: 11 } });
    const { model: loaded, metadata } = await loadCheckpoint(folder.path);
    assert.deepEqual(loaded.config, { ...CONFIG, kind });
    assert.deepEqual(metadata, { phase: "test", seed: 11 });
    assert.deepEqual([...loaded.params.keys()].sort(), [...model.params.keys()].sort());
    for (const [name, variable] of model.params) {
      const original = new Uint8Array((await variable.data() as Float32Array).buffer);
      const restored = new Uint8Array(
        (await loaded.params.get(name)!.data() as Float32Array).buffer,
      );
      assert.deepEqual(restored, original, name);
    }
  });
}

Deno.test("a damaged or truncated checkpoint is refused with the file's name", async () => {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  const dir = folder.path;
  const tokenizer = await loadBertTokenizer();
  await saveCheckpoint(dir, createModel(CONFIG, { seed: 1 }), { tokenizer });
  const weights = join(dir, "model.safetensors");
  const bytes = await Deno.readFile(weights);
  bytes[bytes.length - 3] ^= 0xff;
  await Deno.writeFile(weights, bytes);
  await assert.rejects(
    loadCheckpoint(dir),
    (e: Error) => e.message.includes(weights) && /checksum/.test(e.message),
  );
  await Deno.writeFile(weights, bytes.subarray(0, 100));
  await assert.rejects(loadCheckpoint(dir), (e: Error) => e.message.includes(weights));
  await Deno.writeTextFile(join(dir, SUITE_FILE), "{ not json");
  await assert.rejects(loadCheckpoint(dir), /colbert_zero\.json: not valid JSON/);
  await assert.rejects(
    loadCheckpoint(join(dir, "absent")),
    /absent\/colbert_zero\.json: cannot read/,
  );
});

Deno.test("withHead copies the encoder and adds a fresh head", async () => {
  await initBackend("cpu");
  const mlm = createModel({ ...CONFIG, kind: "mlm" }, { seed: 2 });
  const colbert = withHead(mlm, "colbert", { seed: 3 });
  assert.ok(colbert.params.has("colbert.projection.weight"));
  assert.ok(!colbert.params.has("mlm.decoder.bias"));
  const name = "encoder.layers.1.attn.Wqkv.weight";
  assert.deepEqual(await colbert.params.get(name)!.data(), await mlm.params.get(name)!.data());
  // Training the child must not touch the parent.
  colbert.params.get(name)!.assign(colbert.params.get(name)!.mul(0));
  assert.notEqual((await mlm.params.get(name)!.data())[0], 0);
});

Deno.test("safetensors: F16 and BF16 are widened, bad headers are named", () => {
  // Hand-built file: one F16 tensor [1, -2, 0.5] and one BF16 tensor [3].
  const header = JSON.stringify({
    a: { dtype: "F16", shape: [3], data_offsets: [0, 6] },
    b: { dtype: "BF16", shape: [1], data_offsets: [6, 8] },
  });
  const headerBytes = new TextEncoder().encode(header);
  const bytes = new Uint8Array(8 + headerBytes.length + 8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  bytes.set(headerBytes, 8);
  const data = new DataView(bytes.buffer, 8 + headerBytes.length);
  [0x3c00, 0xc000, 0x3800].forEach((bits, i) => data.setUint16(2 * i, bits, true));
  data.setUint16(6, 0x4040, true); // bf16 of 3.0
  const { tensors } = decodeSafetensors(bytes, "hand.safetensors");
  assert.deepEqual(Array.from(tensors.get("a")!.data), [1, -2, 0.5]);
  assert.deepEqual(Array.from(tensors.get("b")!.data), [3]);
  assert.throws(
    () => decodeSafetensors(bytes.subarray(0, 5), "x.safetensors"),
    /x\.safetensors: .*only 5 bytes/,
  );
  assert.throws(
    () => decodeSafetensors(bytes.subarray(0, bytes.length - 4), "t.safetensors"),
    /t\.safetensors: .*past the end/,
  );
  const i32 = encodeSafetensors({
    tensors: new Map([["n", { shape: [2], data: new Int32Array([7, -1]) }]]),
    metadata: {},
  });
  assert.deepEqual(Array.from(decodeSafetensors(i32, "i").tensors.get("n")!.data), [7, -1]);
});

Deno.test("createModel is deterministic for every seed, 0 included", async () => {
  // tfjs treats a random seed of 0 as "unseeded" (Math.random): seed 0 once gave a different
  // token embedding table in every process.
  await initBackend("cpu");
  for (const seed of [0, 1]) {
    const [a, b] = [createModel(CONFIG, { seed }), createModel(CONFIG, { seed })];
    for (const [name, variable] of a.params) {
      assert.deepEqual(
        await b.params.get(name)!.data(),
        await variable.data(),
        `seed ${seed}: ${name}`,
      );
    }
  }
});

Deno.test("saveModelFolder: a failed write leaves no folder and reports the failure", async () => {
  await initBackend("cpu");
  await using folder = await temporaryFolder();
  // Fails after tokenizer.json is written, so the folder to clean up is not empty.
  const broken = {
    json: {},
    special: {},
    idToToken: () => {
      throw new Error("tokenizer unreadable");
    },
  } as never;
  await assert.rejects(
    saveModelFolder(join(folder.path, "model"), createModel(CONFIG, { seed: 1 }), {
      tokenizer: broken,
    }),
    /tokenizer unreadable/,
  );
  assert.deepEqual([...Deno.readDirSync(folder.path)], [], "no temporary folder is left");
});

Deno.test("resolveCheckpoint: a model folder, else a valid cache key, else an error naming both", async () => {
  await using folder = await temporaryFolder();
  await Deno.writeTextFile(join(folder.path, SUITE_FILE), "{}");
  const cache = {
    root: "/cache",
    get: (key: string) => Promise.resolve(key === "k1" ? {} : null),
    path: (key: string) => `/cache/${key}`,
  };
  assert.equal(await resolveCheckpoint(folder.path, cache), folder.path);
  assert.equal(await resolveCheckpoint("k1", cache), "/cache/k1");
  await assert.rejects(
    resolveCheckpoint("k2", cache),
    /'k2' is neither a checkpoint folder .* nor a valid entry of the cache \/cache/,
  );
});
