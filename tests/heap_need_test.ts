/**
 * The wasm heap estimates (lib/compute/heap_need.ts) against heaps measured on this machine
 * (and against the tensorflow backend's peak memory), and the decisions taken from them: issue
 * 14's 6 x 384 step at 16 x (32 + 128) is split or refused on wasm, at 8 x (32 + 128) it runs as
 * before; a chunk or batch that fits is never split.
 * No tensor is made: a model here is only its config.
 */
import assert from "node:assert/strict";
import {
  encodingHeapBytes,
  HEAP_SHARE,
  machineMemoryBytes,
  type MemoryLimit,
  memoryLimit,
  rowsThatFit,
  trainingHeapBytes,
  WASM_HEAP_BYTES,
} from "../lib/compute/heap_need.ts";
import { type EncoderShape, suiteModernBert } from "../lib/models/suite_encoder.ts";
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
const WASM = memoryLimit("wasm");
const LIMIT = WASM.bytes;
const UNBOUNDED = memoryLimit("cpu");

// Heap the wasm backend had grown to after one training step (without AdamW, which the
// estimate adds: 3 x the weights) or one encoding call: bench/heap_probe.ts.
const MEASURED_TRAINING: [EncoderShape, number, number, number, number][] = [
  [TEACHER, 2, 32, 128, 814_153_728],
  [TEACHER, 4, 32, 128, 1_232_338_944],
  [TEACHER, 4, 32, 64, 823_132_160],
  [shape(2, 384, 6, 576), 4, 32, 128, 605_356_032],
  [shape(6, 384, 12, 576), 4, 32, 128, 1_359_413_248],
  [shape(6, 384, 6, 1152), 4, 32, 128, 1_588_985_856],
  [shape(2, 128, 2, 192), 8, 32, 128, 312_344_576],
];
const MEASURED_ENCODING: [EncoderShape, number, number, number][] = [
  [TEACHER, 64, 180, 1_413_152_768],
  [TEACHER, 16, 512, 1_375_928_320],
  [TEACHER, 64, 64, 504_430_592],
  [shape(2, 128, 2, 192), 64, 180, 480_116_736],
];

function adamBytes(s: EncoderShape): number {
  const weights = s.vocabSize * s.hidden +
    s.layers * (4 * s.hidden ** 2 + 3 * s.hidden * s.intermediate);
  return 3 * 4 * weights;
}

Deno.test("the training estimate is within 15% of every measured heap", () => {
  for (const [s, rows, query, document, heap] of MEASURED_TRAINING) {
    const estimate = trainingHeapBytes(s, [{ rows, length: query }, { rows, length: document }]) -
      adamBytes(s);
    const error = Math.abs(estimate / heap - 1);
    if (error > 0.15) throw new Error(`${JSON.stringify(s)} x ${rows}: off by ${error}`);
  }
});

Deno.test("the encoding estimate is within 15% of every measured heap", () => {
  for (const [s, rows, length, heap] of MEASURED_ENCODING) {
    const error = Math.abs(encodingHeapBytes(s, { rows, length }) / heap - 1);
    if (error > 0.15) {
      throw new Error(`${JSON.stringify(s)} x ${rows} x ${length}: off by ${error}`);
    }
  }
});

Deno.test("6 x 384: a step of 16 x (32 + 128) does not fit the wasm heap, 8 x (32 + 128) does", () => {
  const step = (rows: number) =>
    trainingHeapBytes(TEACHER, [{ rows, length: 32 }, { rows, length: 128 }]);
  assert.equal(step(16) > LIMIT, true);
  assert.equal(step(8) < LIMIT, true);
  assert.equal(rowsThatFit(16, step, WASM), 14);
  // Encoding: 64 documents of 180 tokens fit; 64 of 512 (the gpu profile's length) are split.
  const call = (rows: number) => encodingHeapBytes(TEACHER, { rows, length: 512 });
  assert.equal(encodingHeapBytes(TEACHER, { rows: 64, length: 180 }) < LIMIT, true);
  assert.equal(rowsThatFit(64, call, WASM), 44);
});

Deno.test("rowsThatFit never splits what fits, and gives 0 when one row does not", () => {
  const limit = (bytes: number) => ({ ...WASM, bytes });
  assert.equal(rowsThatFit(64, (rows) => rows, limit(64)), 64);
  assert.equal(rowsThatFit(64, (rows) => rows, limit(10)), 10);
  assert.equal(rowsThatFit(64, () => 11, limit(10)), 0);
  assert.equal(LIMIT, HEAP_SHARE * WASM_HEAP_BYTES);
  assert.equal(UNBOUNDED.bytes, Infinity);
  assert.equal(memoryLimit("tensorflow").bytes, machineMemoryBytes());
  assert.equal(machineMemoryBytes() <= Deno.systemMemoryInfo().total, true);
});

function modelOf(s: EncoderShape, lengths: { query: number; document: number }): Model {
  return {
    config: {
      kind: "colbert",
      transformer: suiteModernBert(s),
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
  const need = (rows: number) => trainingHeapBytes(TEACHER, [{ rows, length: 180 }]);
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

// Peak resident set of a tensorflow process after one training step (no AdamW) or one encoding
// call at 6 x 384 (bench/heap_probe.ts tensorflow ...): [shape, rows, query, document, bytes];
// encoding rows are documents of `document` tokens.
const BERT = shape(6, 384, 12, 1536); // all-MiniLM-L6-v2, the pretrained profile's encoder
const TENSORFLOW_TRAINING: [EncoderShape, number, number, number, number][] = [
  [BERT, 16, 32, 128, 4_548_018_176],
  [BERT, 32, 32, 128, 8_324_476_928],
  [BERT, 64, 32, 128, 15_904_206_848],
  [shape(6, 384, 6, 576), 32, 32, 128, 6_972_747_776],
];
const TENSORFLOW_ENCODING: [EncoderShape, number, number, number][] = [
  [BERT, 64, 180, 2_651_369_472],
  [BERT, 256, 180, 7_634_333_696],
];

Deno.test("the estimates bound the tensorflow backend's measured peak memory", () => {
  for (const [s, rows, query, document, peak] of TENSORFLOW_TRAINING) {
    const estimate = trainingHeapBytes(s, [{ rows, length: query }, { rows, length: document }]);
    assert.equal(peak <= estimate, true, `${s.intermediate} x ${rows}: ${peak} > ${estimate}`);
  }
  for (const [s, rows, length, peak] of TENSORFLOW_ENCODING) {
    const estimate = encodingHeapBytes(s, { rows, length });
    assert.equal(peak <= estimate, true, `encoding ${rows}: ${peak} > ${estimate}`);
  }
});

Deno.test("on tensorflow, the pretrained profile fits 23.5 GiB as set; a 32 x (1 + 3) dense teacher batch is refused", () => {
  const total = 23.5 * 2 ** 30; // this machine's memory
  const machine: MemoryLimit = {
    backend: "tensorflow",
    name: "this machine's memory",
    total,
    bytes: total,
  };
  const p = getProfile("pretrained");
  const lengths = (document: number) => ({ query: p.queryLength + 7, document: document + 7 });
  const student = modelOf(p.student, lengths(p.documentLength));
  assert.equal(
    gradCacheChunk(modelOf(p.student, lengths(p.unsupervisedDocumentLength)), 32, machine),
    32,
  );
  checkSupervisedBatch(student, p.supervised, machine);
  checkDistillationMicroBatch(student, { microSize: 8, perQuery: 8 }, machine);
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
      error.message.includes("of this machine's memory, more than the 23.50 GiB") &&
      error.message.endsWith(
        "lower the profile's teacherTraining.batchSize or teacherTraining.negatives",
      ),
  );
});
