/**
 * Where a 6 x 384 training step's (or encoding call's) time goes on a backend: `tf.profile`'s
 * kernel times grouped by kernel, by kind of work and by input shape, against the wall time.
 *
 * ```sh
 * deno run -A bench/profile_step.ts tensorflow 16          # step at batch 16 x (32 + 128)
 * deno run -A bench/profile_step.ts tensorflow 16 encode   # 64 documents of 180 tokens
 * deno run -A bench/profile_step.ts tensorflow 8 --model base   # another bench model
 * ```
 *
 * A warm-up, the best of two plain runs (the wall time), then one profiled run: the profiled
 * run's wall minus its kernels' times is tfjs's own work between kernels.
 */
import * as tf from "@tensorflow/tfjs";
import { type BackendName, initBackend } from "../lib/compute/backend.ts";
import { benchModel, lastParam, randomBatch, trainStep } from "./train_step.ts";
import { ENCODE_BATCH, encodeOnce } from "./encode_step.ts";
import { AdamW } from "../lib/train/adamw.ts";
import { type TrainModel, trainShape } from "./train_shapes.ts";

type Kernel = { name: string; inputShapes: number[][]; kernelTimeMs: number | { error: string } };

// Kinds of work a step is made of, as issue 14 lists them.
const groups = (
  { intermediate, vocabSize }: { intermediate: number; vocabSize: number },
): [string, (k: Kernel) => boolean][] => [
  ["matrix products", (k) => k.name === "BatchMatMul"],
  [
    `whole vocabulary (${vocabSize} x hidden)`,
    (k) => JSON.stringify(k.inputShapes).includes(`${vocabSize}`),
  ],
  [
    "attention scores [B, h, L, L], elementwise",
    (k) =>
      k.name !== "BatchMatMul" &&
      k.inputShapes.some((s) => s?.length === 4 && s[2] === s[3] && s[2] > 64),
  ],
  [
    `feed-forward-sized (x ${intermediate}), elementwise`,
    (k) => k.name !== "BatchMatMul" && JSON.stringify(k.inputShapes).includes(`,${intermediate}]`),
  ],
  ["layer norms (Mean, Square, Rsqrt)", (k) => ["Mean", "Rsqrt", "Square"].includes(k.name)],
  ["split, concat, transpose", (k) => ["SplitV", "Concat", "Transpose"].includes(k.name)],
  [
    "bookkeeping (Reshape, Identity, Cast)",
    (k) => ["Reshape", "Identity", "Cast"].includes(k.name),
  ],
];

const milliseconds = (k: Kernel) => typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;

function printTotals(
  title: string,
  totals: Map<string, [number, number]>,
  all: number,
  top: number,
) {
  console.log(title);
  for (const [name, [count, ms]] of [...totals].sort((a, b) => b[1][1] - a[1][1]).slice(0, top)) {
    const share = (100 * ms / all).toFixed(1);
    console.log(
      `  ${ms.toFixed(0).padStart(6)} ms ${share.padStart(5)}% ${
        String(count).padStart(5)
      }x ${name}`,
    );
  }
}

if (import.meta.main) {
  const backend = (Deno.args[0] ?? "tensorflow") as BackendName;
  const batch = Number(Deno.args[1] ?? 16);
  const encode = Deno.args.includes("encode");
  const named = Deno.args.indexOf("--model");
  const modelName = (named < 0 ? "6x384" : Deno.args[named + 1]) as TrainModel;
  await initBackend(backend);
  const { shape } = trainShape(modelName, batch);
  const model = benchModel(shape);
  const optimizer = new AdamW(model.params);
  const queries = randomBatch(batch, shape.queryLength, shape.transformer.vocabSize, 1);
  const documents = encode
    ? randomBatch(ENCODE_BATCH, shape.encodeLength, shape.transformer.vocabSize, 3)
    : randomBatch(batch, shape.documentLength, shape.transformer.vocabSize, 2);
  const run = async () => {
    if (encode) return await encodeOnce(model, documents);
    await trainStep(model, optimizer, { queries, docs: documents });
    await lastParam(model).data();
  };
  await run();
  let wall = Infinity;
  for (let i = 0; i < 2; i++) {
    const start = performance.now();
    await run();
    wall = Math.min(wall, performance.now() - start);
  }
  const start = performance.now();
  const kernels = (await tf.profile(run)).kernels as unknown as Kernel[];
  const profiled = performance.now() - start;
  const all = kernels.reduce((sum, k) => sum + milliseconds(k), 0);
  const what = encode
    ? `encoding ${ENCODE_BATCH} x ${shape.encodeLength}`
    : `step ${batch} x (${shape.queryLength} + ${shape.documentLength})`;
  console.log(
    `${backend}, ${shape.transformer.layers} x ${shape.transformer.hidden}, ${what}: wall ${
      wall.toFixed(0)
    } ms (best of 2); profiled ` +
      `${profiled.toFixed(0)} ms, ${kernels.length} kernels adding up to ${all.toFixed(0)} ms`,
  );
  const byName = new Map<string, [number, number]>();
  const byShape = new Map<string, [number, number]>();
  for (const k of kernels) {
    for (
      const [map, key] of [[byName, k.name], [
        byShape,
        `${k.name} ${JSON.stringify(k.inputShapes)}`,
      ]] as const
    ) {
      const [count, ms] = map.get(key) ?? [0, 0];
      map.set(key, [count + 1, ms + milliseconds(k)]);
    }
  }
  printTotals("by kernel:", byName, all, 22);
  const kinds = groups(shape.transformer);
  const byGroup = new Map(kinds.map(([label, test]) => {
    const members = kernels.filter(test);
    return [label, [members.length, members.reduce((sum, k) => sum + milliseconds(k), 0)]];
  }));
  printTotals(
    "by kind of work (the whole vocabulary, attention and feed-forward overlap the others):",
    byGroup as Map<string, [number, number]>,
    all,
    kinds.length,
  );
  printTotals("by kernel and input shapes:", byShape, all, 25);
}
