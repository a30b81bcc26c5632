/**
 * What one training step asks of the webgpu backend besides arithmetic, counted without a GPU
 * (mesa's lavapipe will do: the counts depend on the model's graph and tfjs, not the adapter):
 * shader dispatches, queue submits, uniform writes, tensor uploads, reads back to the CPU (each
 * waits for the GPU to finish what came before), kernels run on the CPU instead
 * (`WEBGPU_CPU_FORWARD`) and buffers created. Issue 14 asks where a GPU step's time goes that is
 * not the GPU's kernels; these are the places.
 *
 * ```sh
 * deno run -A bench/webgpu_counts.ts                     # the 6 x 384 BERT at 2 x (32 + 128)
 * deno run -A bench/webgpu_counts.ts 4 --model small     # another bench model and batch
 * WEBGPU_FLAGS='{"WEBGPU_CPU_FORWARD":false}' deno run -A bench/webgpu_counts.ts
 * ```
 *
 * Prints one JSON line: the counts of the second step (the first compiles the shaders).
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/compute/backend.ts";
import { AdamW } from "../lib/train/adamw.ts";
import { benchModel, lastParam, randomBatch, trainStep } from "./train_step.ts";
import { type TrainModel, trainShape } from "./train_shapes.ts";

/**
 * Counts of one step; `*Bytes` are bytes moved between the CPU and the GPU; `dispatchMs` is the
 * time spent in tfjs's dispatch code (pipeline, bind group, uniforms, encoding; the submits it
 * makes excluded), `submitMs` in queue submits, `readMs` waiting for reads.
 */
export interface WebgpuCounts {
  dispatches: number;
  dispatchMs: number;
  submits: number;
  submitMs: number;
  uniformWrites: number;
  uploads: number;
  uploadBytes: number;
  reads: number;
  readBytes: number;
  readMs: number;
  cpuKernels: number;
  buffersCreated: number;
}

// The WebGPUBackend members counted (tfjs-backend-webgpu 4.x, dist/backend_webgpu.js).
type Backend = Record<string, unknown> & {
  queue: GPUQueue;
  device: GPUDevice;
  tensorMap: { get(dataId: object): { values?: ArrayBufferView } | undefined };
};

type Method = (...args: never[]) => unknown;

/** Replace `target[name]` by a call that runs `before` with its arguments and `after` with its result and duration. */
function hook(
  target: object,
  name: string,
  before: (...args: never[]) => void,
  after: (result: unknown, ms: number) => void = () => {},
): void {
  const methods = target as Record<string, Method>;
  const original = methods[name].bind(target);
  methods[name] = (...args: never[]) => {
    before(...args);
    const start = performance.now();
    const result = original(...args);
    const done = () => after(result, performance.now() - start);
    if (result instanceof Promise) result.finally(done);
    else done();
    return result;
  };
}

/** Wrap the backend so that every call of interest adds to the returned counts. */
export function countWebgpu(backend: Backend): WebgpuCounts {
  const counts: WebgpuCounts = {
    dispatches: 0,
    dispatchMs: 0,
    submits: 0,
    submitMs: 0,
    uniformWrites: 0,
    uploads: 0,
    uploadBytes: 0,
    reads: 0,
    readBytes: 0,
    readMs: 0,
    cpuKernels: 0,
    buffersCreated: 0,
  };
  let dispatching = false;
  hook(backend, "runWebGPUProgram", () => {
    counts.dispatches++;
    dispatching = true;
  }, (_, ms) => {
    counts.dispatchMs += ms;
    dispatching = false;
  });
  hook(backend, "submitQueue", () => counts.submits++, (_, ms) => {
    counts.submitMs += ms;
    if (dispatching) counts.dispatchMs -= ms;
  });
  hook(backend, "uploadToGPU", (dataId: object) => {
    const values = backend.tensorMap.get(dataId)?.values;
    if (values) {
      counts.uploads++;
      counts.uploadBytes += values.byteLength;
    }
  });
  hook(backend, "getBufferData", (buffer: GPUBuffer) => {
    counts.reads++;
    counts.readBytes += buffer.size;
  }, (_, ms) => counts.readMs += ms);
  hook(backend, "shouldExecuteOnCPU", () => {}, (yes) => {
    if (yes) counts.cpuKernels++;
  });
  // Uniforms (each dispatch's shapes and scalars) are written with queue.writeBuffer.
  hook(backend.queue, "writeBuffer", () => counts.uniformWrites++);
  hook(backend.device, "createBuffer", () => counts.buffersCreated++);
  return counts;
}

if (import.meta.main) {
  const batch = Number(Deno.args[0] ?? 2);
  const named = Deno.args.indexOf("--model");
  const modelName = (named < 0 ? "6x384" : Deno.args[named + 1]) as TrainModel;
  const flags = JSON.parse(Deno.env.get("WEBGPU_FLAGS") ?? "{}");
  await initBackend("webgpu");
  tf.env().setFlags(flags);
  const { shape, source } = trainShape(modelName, batch);
  const model = benchModel(shape);
  const optimizer = new AdamW(model.params);
  const vocab = shape.transformer.vocabSize;
  const batches = {
    queries: randomBatch(batch, shape.queryLength, vocab, 1),
    docs: randomBatch(batch, shape.documentLength, vocab, 2),
  };
  const step = async () => {
    const start = performance.now();
    await trainStep(model, optimizer, batches);
    await lastParam(model).data();
    return performance.now() - start;
  };
  await step(); // compiles every shader
  const counts = countWebgpu(tf.backend() as unknown as Backend);
  const milliseconds = await step();
  const rounded = Object.fromEntries(
    Object.entries(counts).map(([key, value]) => [key, Math.round(value)]),
  );
  console.log(
    JSON.stringify({ source, flags, milliseconds: Math.round(milliseconds), ...rounded }),
  );
}
