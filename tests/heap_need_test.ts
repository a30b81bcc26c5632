/**
 * The wasm heap estimates (lib/compute/heap_need.ts) against heaps measured on this machine
 * (and against the tensorflow backend's peak memory), and the decisions taken from them: issue
 * 14's 6 x 384 step at 16 x (32 + 128) is split or refused on wasm, at 8 x (32 + 128) it runs as
 * before; a chunk or batch that fits is never split.
 * No tensor is made: a model here is only its config.
 */
import assert from "node:assert/strict";
import {
  encoderParameters,
  encodingHeapBytes,
  HEAP_SHARE,
  machineMemoryBytes,
  type MemoryLimit,
  memoryLimit,
  rowsThatFit,
  trainingHeapBytes,
  WASM_HEAP_BYTES,
} from "../lib/compute/heap_need.ts";
import type { EncoderShape } from "../lib/models/suite_encoder.ts";
import { type Architecture, encoderOfShape } from "../lib/models/encoder_of_shape.ts";
import { DEFAULT_COLBERT_INPUT_CONFIG } from "../lib/models/colbert_inputs.ts";
import type { Model } from "../lib/models/model.ts";
import {
  checkBackboneMicroBatch,
  checkDistillationMicroBatch,
  checkSupervisedBatch,
  checkTeacherBatch,
  gradCacheChunk,
} from "../lib/phases/heap_plan.ts";
import { getProfile } from "../lib/phases/profiles.ts";

const shape = (layers: number, hidden: number, heads: number, intermediate: number) => ({
  vocabSize: 30522,
  hidden,
  layers,
  heads,
  intermediate,
  maxLength: 576,
});
const TEACHER = shape(6, 384, 6, 576); // the gpu profile's teacher, 6 x 384
const BERT = shape(6, 384, 12, 1536); // all-MiniLM-L6-v2, the pretrained profile's encoder
const WASM = memoryLimit("wasm");
const LIMIT = WASM.bytes;
const UNBOUNDED = memoryLimit("cpu");

// Heap the wasm backend had grown to after one training step (without AdamW, which the
// estimate adds: 3 x the weights) or one encoding call: bench/heap_probe.ts.
type Measured = [EncoderShape, Architecture, number, number, number, number];
const MEASURED_TRAINING: Measured[] = [
  [TEACHER, "modernbert", 2, 32, 128, 814_153_728],
  [TEACHER, "modernbert", 4, 32, 128, 1_232_338_944],
  [TEACHER, "modernbert", 4, 32, 64, 823_132_160],
  [shape(2, 384, 6, 576), "modernbert", 4, 32, 128, 605_356_032],
  [shape(6, 384, 12, 576), "modernbert", 4, 32, 128, 1_359_413_248],
  [shape(6, 384, 6, 1152), "modernbert", 4, 32, 128, 1_588_985_856],
  [shape(2, 128, 2, 192), "modernbert", 8, 32, 128, 312_344_576],
  [BERT, "bert", 8, 32, 128, 2_688_942_080],
  [BERT, "bert", 4, 32, 128, 1_520_041_984],
];
// [shape, architecture, documents, length, bytes]
const MEASURED_ENCODING: [EncoderShape, Architecture, number, number, number][] = [
  [TEACHER, "modernbert", 64, 180, 1_413_152_768],
  [TEACHER, "modernbert", 16, 512, 1_375_928_320],
  [TEACHER, "modernbert", 64, 64, 504_430_592],
  [shape(2, 128, 2, 192), "modernbert", 64, 180, 480_116_736],
  [BERT, "bert", 64, 180, 1_810_825_216],
  [BERT, "bert", 16, 180, 504_430_592],
];

function adamBytes(s: EncoderShape, architecture: Architecture): number {
  return 3 * 4 * (encoderParameters(s, architecture) - (2 * s.layers + 1) * s.hidden);
}

Deno.test("the training estimate is within 15% of every measured heap", () => {
  for (const [s, architecture, rows, query, document, heap] of MEASURED_TRAINING) {
    const batches = [{ rows, length: query }, { rows, length: document }];
    const estimate = trainingHeapBytes(s, batches, architecture) - adamBytes(s, architecture);
    const error = Math.abs(estimate / heap - 1);
    if (error > 0.15) throw new Error(`${JSON.stringify(s)} x ${rows}: off by ${error}`);
  }
});

Deno.test("the encoding estimate is within 15% of every measured heap", () => {
  for (const [s, architecture, rows, length, heap] of MEASURED_ENCODING) {
    const error = Math.abs(encodingHeapBytes(s, { rows, length }, architecture) / heap - 1);
    if (error > 0.15) {
      throw new Error(`${JSON.stringify(s)} x ${rows} x ${length}: off by ${error}`);
    }
  }
});

Deno.test("6 x 384: a step of 16 x (32 + 128) does not fit the wasm heap, 8 x (32 + 128) does", () => {
  const step = (rows: number) =>
    trainingHeapBytes(TEACHER, [{ rows, length: 32 }, { rows, length: 128 }], "modernbert");
  assert.equal(step(16) > LIMIT, true);
  assert.equal(step(8) < LIMIT, true);
  assert.equal(rowsThatFit(16, step, WASM), 14);
  // Encoding: 64 documents of 180 tokens fit; 64 of 512 (the gpu profile's length) are split.
  const call = (rows: number) => encodingHeapBytes(TEACHER, { rows, length: 512 }, "modernbert");
  assert.equal(encodingHeapBytes(TEACHER, { rows: 64, length: 180 }, "modernbert") < LIMIT, true);
  assert.equal(rowsThatFit(64, call, WASM), 44);
});

Deno.test("rowsThatFit never splits what fits, and gives 0 when one row does not", () => {
  const limit = (bytes: number) => ({ ...WASM, bytes });
  assert.equal(rowsThatFit(64, (rows) => rows, limit(64)), 64);
  assert.equal(rowsThatFit(64, (rows) => rows, limit(10)), 10);
  assert.equal(rowsThatFit(64, () => 11, limit(10)), 0);
  assert.equal(LIMIT, HEAP_SHARE * WASM_HEAP_BYTES);
  assert.equal(UNBOUNDED.bytes, Infinity);
  assert.equal(memoryLimit("tensorflow").bytes, HEAP_SHARE * machineMemoryBytes());
  assert.equal(machineMemoryBytes() <= Deno.systemMemoryInfo().total, true);
});

function modelOf(
  s: EncoderShape,
  lengths: { query: number; document: number },
  architecture: Architecture = "modernbert",
): Model {
  return {
    config: {
      kind: "colbert",
      transformer: encoderOfShape(s, architecture),
      colbertDim: 128,
      pooling: "mean",
      inputs: {
        ...DEFAULT_COLBERT_INPUT_CONFIG,
        queryLength: lengths.query,
        documentLength: lengths.document,
        prompts: false,
      },
    },
    params: new Map(),
  };
}

Deno.test("GradCache chunks: kept where they fit, made smaller where not, refused at one row", () => {
  const model = modelOf(TEACHER, { query: 32, document: 180 });
  assert.equal(gradCacheChunk(model, 128, UNBOUNDED), 128);
  const chunk = gradCacheChunk(model, 128, WASM);
  const need = (rows: number) => trainingHeapBytes(TEACHER, [{ rows, length: 180 }], "modernbert");
  assert.equal(chunk < 128 && need(chunk) <= LIMIT && need(chunk + 1) > LIMIT, true);
  assert.throws(
    () => gradCacheChunk(model, 128, { ...WASM, bytes: 1e8 }),
    (error: Error) => error.message.includes("lower the profile's unsupervisedDocumentLength"),
  );
});

Deno.test("a supervised batch or KD micro-batch that cannot fit is refused naming its setting", () => {
  const model = modelOf(TEACHER, { query: 32, document: 128 });
  checkSupervisedBatch(model, { batchSize: 8, negatives: 1 }, WASM);
  assert.throws(
    () => checkSupervisedBatch(model, { batchSize: 64, negatives: 7 }, WASM),
    (error: Error) =>
      error.message.includes(
        "supervised.batchSize or supervised.negatives, or use --backend tensorflow",
      ),
  );
  checkSupervisedBatch(model, { batchSize: 64, negatives: 7 }, UNBOUNDED);
  checkDistillationMicroBatch(model, { microSize: 1, perQuery: 8 }, WASM);
  assert.throws(
    () => checkDistillationMicroBatch(model, { microSize: 64, perQuery: 32 }, WASM),
    (error: Error) => error.message.includes("distillation.accumulation (raise it)"),
  );
});

Deno.test("every phase of the tiny and small profiles fits the wasm heap as the profile sets it", () => {
  for (const name of ["tiny", "small"]) {
    const p = getProfile(name);
    // The longest inputs any variant gives (prompts add their allowance).
    const lengths = (document: number) => ({ query: p.queryLength + 7, document: document + 7 });
    const student = modelOf(p.student, lengths(p.unsupervisedDocumentLength));
    assert.equal(
      gradCacheChunk(student, p.unsupervised.chunkSize, WASM),
      p.unsupervised.chunkSize,
    );
    checkSupervisedBatch(modelOf(p.student, lengths(p.documentLength)), p.supervised, WASM);
    const { batchSize, accumulation, documentsPerQuery } = p.distillation;
    checkDistillationMicroBatch(
      modelOf(p.student, lengths(p.documentLength)),
      { microSize: batchSize / accumulation, perQuery: documentsPerQuery },
      WASM,
    );
    const pairLength = Math.min(p.teacher.maxLength, p.queryLength + p.documentLength);
    checkTeacherBatch(modelOf(p.teacher, lengths(p.documentLength)), {
      ...p.teacherTraining,
      pairLength,
    }, WASM);
    for (
      const [encoder, settings] of [[p.student, p.backbone], [
        p.teacher,
        p.teacherBackbone,
      ]] as const
    ) {
      checkBackboneMicroBatch(modelOf(encoder, lengths(p.documentLength)), {
        microSize: settings.batchSize / settings.accumulation,
        maxLength: settings.maxLength,
      }, WASM);
    }
  }
});

Deno.test("the gpu profile's teacher batch and MLM batch are refused on wasm, naming the setting", () => {
  const p = getProfile("gpu");
  const teacher = modelOf(p.teacher, { query: 32, document: 512 });
  assert.throws(
    () => checkTeacherBatch(teacher, { ...p.teacherTraining, pairLength: 544 }, WASM),
    (error: Error) =>
      error.message.includes("teacherTraining.batchSize or teacherTraining.negatives"),
  );
  assert.throws(
    () =>
      checkBackboneMicroBatch(modelOf(p.student, { query: 32, document: 512 }), {
        microSize: p.backbone.batchSize,
        maxLength: p.backbone.maxLength,
      }, WASM),
    (error: Error) => error.message.includes("accumulation (raise it)"),
  );
});

// Peak resident set of a tensorflow process after one training step or one encoding call
// (bench/heap_probe.ts tensorflow ..., without AdamW; the two `bench` rows are whole bench runs
// of five steps with AdamW): [shape, architecture, rows, query, document, bytes].
const TENSORFLOW_TRAINING: Measured[] = [
  [BERT, "bert", 16, 32, 128, 4_548_018_176],
  [BERT, "bert", 32, 32, 128, 8_324_476_928],
  [BERT, "bert", 64, 32, 128, 15_904_206_848],
  [TEACHER, "modernbert", 32, 32, 128, 6_972_747_776],
  [shape(22, 768, 12, 1152), "modernbert", 8, 32, 128, 13_564_194_816], // ModernBERT-base
  [BERT, "bert", 16, 32, 128, 5_281_247_232], // bench
  [{ ...shape(22, 768, 12, 1152), vocabSize: 50368 }, "modernbert", 8, 32, 128, 18_646_966_272], // bench
];

Deno.test("a plan filling HEAP_SHARE of the machine's memory holds tensorflow's measured peaks", () => {
  for (const [s, architecture, rows, query, document, peak] of TENSORFLOW_TRAINING) {
    const batches = [{ rows, length: query }, { rows, length: document }];
    // A batch is run when its estimate is at most HEAP_SHARE x the memory.
    const estimate = trainingHeapBytes(s, batches, architecture);
    assert.equal(
      peak <= estimate / HEAP_SHARE,
      true,
      `${s.layers} x ${s.hidden} at ${rows}: peak ${peak} against an estimate of ${estimate}`,
    );
  }
});

Deno.test("on tensorflow, the pretrained profile fits 23.5 GiB as set; a 32 x (1 + 3) dense teacher batch is refused", () => {
  const total = 23.5 * 2 ** 30; // this machine's memory
  const machine: MemoryLimit = {
    backend: "tensorflow",
    name: "this machine's memory",
    total,
    bytes: HEAP_SHARE * total,
  };
  const p = getProfile("pretrained");
  const lengths = (document: number) => ({ query: p.queryLength + 7, document: document + 7 });
  const student = modelOf(p.student, lengths(p.documentLength), "bert");
  const unsupervised = modelOf(p.student, lengths(p.unsupervisedDocumentLength), "bert");
  assert.equal(gradCacheChunk(unsupervised, p.unsupervised.chunkSize, machine), 32);
  checkSupervisedBatch(student, p.supervised, machine);
  const { batchSize, accumulation, documentsPerQuery } = p.distillation;
  checkDistillationMicroBatch(
    student,
    { microSize: batchSize / accumulation, perQuery: documentsPerQuery },
    machine,
  );
  checkSupervisedBatch(student, { ...p.teacherTraining, group: "teacherTraining" }, machine);
  // Session 9 tried this teacher batch: the process grew past 21 GB and was killed.
  assert.throws(
    () =>
      checkSupervisedBatch(
        student,
        { batchSize: 32, negatives: 3, group: "teacherTraining" },
        machine,
      ),
    (error: Error) =>
      error.message.includes("of this machine's memory, more than the 19.97 GiB it can") &&
      error.message.endsWith(
        "lower the profile's teacherTraining.batchSize or teacherTraining.negatives",
      ),
  );
});
