/**
 * One benchmark in a process of its own, so that its peak memory is its own and a
 * backend that fails cannot take the others down. Run by bench.ts:
 *
 * ```sh
 * deno run -A bench/measure.ts '{"kind":"train","path":"wasm+openblas","model":"default"}'
 * ```
 *
 * Prints one JSON line: the measurement, `peakResidentBytes`, or `error`.
 */
import { initBackend } from "../lib/compute/backend.ts";
import { openBlas } from "../lib/compute/openblas_ffi.ts";
import { restoreWasmMatMul, useBlasMatMul } from "../lib/compute/wasm_matmul_kernels.ts";
import { refuseUnlessFits, trainingHeapBytes } from "../lib/compute/heap_need.ts";
import { peakResidentBytes } from "./peak_memory.ts";
import { sgemmGflops } from "./sgemm_rate.ts";
import {
  type MaxSimRate,
  type MaxSimShape,
  randomDocuments,
  timePackedMaxSim,
  timePaddedMaxSim,
  timeRankStream,
} from "./maxsim_bench.ts";
import { timeTrainStep } from "./train_step.ts";
import { ENCODE_BATCH, timeEncode } from "./encode_step.ts";
import { type TrainModel, trainShape } from "./train_shapes.ts";

/** A tfjs backend, or the wasm backend with its matrix products on OpenBLAS. */
export type BenchPath = "cpu" | "wasm" | "wasm+openblas" | "webgpu" | "tensorflow";

/** What one child process measures. */
export type Task =
  | { kind: "sgemm"; threads?: number }
  | { kind: "maxsim-packed"; blas: boolean; documents: number }
  | { kind: "maxsim-padded"; path: BenchPath; documents: number }
  | { kind: "rank-stream"; documents: number }
  /** `batch` replaces the model's own (to see how a GPU path scales). */
  | { kind: "train"; path: BenchPath; model: TrainModel; batch?: number }
  /** Encoding documents of the model's training shape (bench/encode_step.ts). */
  | { kind: "encode"; path: BenchPath; model: TrainModel };

/** The MaxSim: 32 query tokens of 128 dimensions, documents up to 180 tokens. */
export const MAXSIM_SHAPE: MaxSimShape = { queryLength: 32, dim: 128, maxLength: 180 };

function requireBlas() {
  const blas = openBlas();
  if (!blas) throw new Error("OpenBLAS not found (apt-get install libopenblas0)");
  return blas;
}

/** Start `path`'s backend; "wasm" is tfjs's own kernels (initBackend routes to OpenBLAS). */
async function usePath(path: BenchPath): Promise<void> {
  await initBackend(path === "wasm+openblas" ? "wasm" : path);
  if (path === "wasm") restoreWasmMatMul();
  if (path === "wasm+openblas") useBlasMatMul({ blas: requireBlas() });
}

async function measure(task: Task): Promise<Record<string, unknown>> {
  switch (task.kind) {
    case "sgemm": {
      const blas = requireBlas();
      return { gflops: sgemmGflops(blas, { threads: task.threads }), config: blas.config };
    }
    case "maxsim-packed": {
      await usePath("wasm"); // the fallback's matMul runs there, on tfjs's own kernels
      const docs = randomDocuments(task.documents, MAXSIM_SHAPE);
      if (!task.blas) {
        return { ...await timePackedMaxSim(docs, { shape: MAXSIM_SHAPE, blas: null }) };
      }
      // Rounds alternate the ceiling and MaxSim, so that both see the same load from
      // other processes; the best of each counts.
      const blas = requireBlas();
      let best: MaxSimRate | undefined, ceiling = 0;
      for (let round = 0; round < 3; round++) {
        ceiling = Math.max(ceiling, sgemmGflops(blas, { runs: 2 }));
        const rate = await timePackedMaxSim(docs, { shape: MAXSIM_SHAPE, blas, runs: 2 });
        if (!best || rate.gflops > best.gflops) best = rate;
      }
      return { ...best, ceilingSameProcess: ceiling };
    }
    case "maxsim-padded": {
      await usePath(task.path);
      const docs = randomDocuments(task.documents, MAXSIM_SHAPE);
      const runs = task.path === "cpu" ? 1 : 3;
      return { ...await timePaddedMaxSim(docs, { shape: MAXSIM_SHAPE, runs }) };
    }
    case "rank-stream":
      await initBackend("wasm");
      return { ...await timeRankStream(task.documents, { shape: MAXSIM_SHAPE, blas: openBlas() }) };
    case "train": {
      await usePath(task.path);
      const { shape, source } = trainShape(task.model, task.batch);
      // The raw step is timed, not split: one that cannot fit the backend's memory is refused
      // with the estimate, as the phases refuse it, instead of aborting inside the backend.
      const { batch, queryLength, documentLength } = shape;
      refuseUnlessFits(
        trainingHeapBytes(shape.transformer, [
          { rows: batch, length: queryLength },
          { rows: batch, length: documentLength },
        ], shape.architecture),
        { what: `the step at ${batch} x (${queryLength} + ${documentLength})`, setting: "batch" },
      );
      return { ...await timeTrainStep(shape), source };
    }
    case "encode": {
      await usePath(task.path);
      const { shape } = trainShape(task.model);
      const { layers, hidden } = shape.transformer;
      const source = `${layers} x ${hidden} encoder, ${ENCODE_BATCH} documents of ` +
        `${shape.encodeLength} tokens a call`;
      return { ...await timeEncode(shape), source };
    }
  }
}

if (import.meta.main) {
  const task = JSON.parse(Deno.args[0]) as Task;
  let result: Record<string, unknown>;
  try {
    result = await measure(task);
  } catch (error) {
    result = { error: (error as Error).message.split("\n")[0] };
  }
  console.log(JSON.stringify({ ...result, peakResidentBytes: peakResidentBytes() }));
  Deno.exit(0); // webgpu keeps the event loop alive
}
