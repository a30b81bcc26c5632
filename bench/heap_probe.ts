/**
 * The heap one training step (no optimizer) or one encoding call grows the wasm backend to, at
 * a given encoder and batch shape: the measurements lib/compute/heap_need.ts's estimates are
 * fitted to (tests/heap_need_test.ts keeps them). Also tf.profile's peak tensor bytes, and the
 * process's peak resident set (what the tensorflow backend is held to).
 *
 * ```sh
 * # backend layers hidden heads intermediate batch query-length document-length [encode] [bert]
 * deno run -A bench/heap_probe.ts wasm 6 384 6 576 4 32 128
 * deno run -A bench/heap_probe.ts wasm 6 384 6 576 64 32 180 encode   # 64 documents of 180
 * deno run -A bench/heap_probe.ts wasm 6 384 12 1536 8 32 128 bert    # all-MiniLM-L6-v2's shape
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, initBackend } from "../lib/compute/backend.ts";
import { benchGradients, benchModel, randomBatch } from "./train_step.ts";
import { encodeOnce } from "./encode_step.ts";
import { peakResidentBytes } from "./peak_memory.ts";

if (import.meta.main) {
  const [backend, ...sizes] = Deno.args;
  const [layers, hidden, heads, intermediate, batch, queryLength, documentLength] = sizes
    .slice(0, 7).map(Number);
  const encode = sizes.includes("encode");
  const architecture = sizes.includes("bert") ? "bert" : "modernbert";
  await initBackend(backend as BackendName);
  const vocabSize = 30522;
  const model = benchModel({
    architecture,
    transformer: { vocabSize, hidden, layers, heads, intermediate, maxLength: 512 },
    colbertDim: 128,
    batch,
    queryLength,
    documentLength,
    encodeLength: documentLength,
  });
  const queries = randomBatch(batch, queryLength, vocabSize, 1);
  const documents = randomBatch(batch, documentLength, vocabSize, 2);
  const before = tf.memory().numBytes;
  const info = await tf.profile(async () => {
    if (encode) return await encodeOnce(model, documents);
    const grads = await benchGradients(model, queries, documents);
    for (const grad of grads.values()) grad.dispose();
  });
  // The wasm heap only grows: its size now is the most this step needed (rounded up by growth).
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm;
  console.log(JSON.stringify({
    args: Deno.args,
    heapBytes: wasm?.HEAPU8.byteLength,
    peakTensorBytes: info.peakBytes,
    tensorBytesBefore: before,
    peakResidentBytes: peakResidentBytes(),
  }));
}
