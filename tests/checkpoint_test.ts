import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../lib/backend.ts";
import { colbertInputConfig } from "../lib/colbert_inputs.ts";
import { loadCheckpoint, saveCheckpoint, WEIGHTS_FILE } from "../lib/checkpoint.ts";
import { createModel, type ModelConfig, withHead } from "../lib/model.ts";
import { decodeSafetensors, encodeSafetensors } from "../lib/safetensors.ts";
import { TINY_TRANSFORMER } from "../lib/transformer.ts";

const CONFIG: ModelConfig = {
  kind: "colbert",
  transformer: { ...TINY_TRANSFORMER, vocabSize: 40, maxLength: 8 },
  colbertDim: 4,
  pooling: "mean",
  inputs: colbertInputConfig(),
};

Deno.test("checkpoint round trip is bit-identical", async () => {
  await initBackend("cpu");
  const dir = await Deno.makeTempDir();
  const model = createModel(CONFIG, { seed: 11 });
  await saveCheckpoint(dir, model, { metadata: { phase: "test", seed: 11 } });
  const { model: loaded, metadata } = await loadCheckpoint(dir);
  assert.deepEqual(loaded.config, CONFIG);
  assert.deepEqual(metadata, { phase: "test", seed: 11 });
  assert.deepEqual([...loaded.params.keys()], [...model.params.keys()]);
  for (const [name, variable] of model.params) {
    const original = new Uint8Array((await variable.data() as Float32Array).buffer);
    const restored = new Uint8Array((await loaded.params.get(name)!.data() as Float32Array).buffer);
    assert.deepEqual(restored, original, name);
  }
});

Deno.test("a damaged or truncated checkpoint is refused with the file's name", async () => {
  await initBackend("cpu");
  const dir = await Deno.makeTempDir();
  await saveCheckpoint(dir, createModel(CONFIG, { seed: 1 }));
  const weights = join(dir, WEIGHTS_FILE);
  const bytes = await Deno.readFile(weights);
  bytes[bytes.length - 3] ^= 0xff;
  await Deno.writeFile(weights, bytes);
  await assert.rejects(
    loadCheckpoint(dir),
    (e: Error) => e.message.includes(weights) && /checksum/.test(e.message),
  );
  await Deno.writeFile(weights, bytes.subarray(0, 100));
  await assert.rejects(loadCheckpoint(dir), (e: Error) => e.message.includes(weights));
  await Deno.writeTextFile(join(dir, "config.json"), "{ not json");
  await assert.rejects(loadCheckpoint(dir), /config\.json: checkpoint config is not valid JSON/);
  await assert.rejects(loadCheckpoint(join(dir, "absent")), /absent\/config\.json: cannot read/);
});

Deno.test("withHead copies the encoder and adds a fresh head", async () => {
  await initBackend("cpu");
  const mlm = createModel({ ...CONFIG, kind: "mlm" }, { seed: 2 });
  const colbert = withHead(mlm, "colbert", { seed: 3 });
  assert.ok(colbert.params.has("colbert.projection.weight"));
  assert.ok(!colbert.params.has("mlm.decoder.bias"));
  const name = "encoder.layers.1.attention.qkv.weight";
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
