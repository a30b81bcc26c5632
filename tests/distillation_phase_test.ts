import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../lib/compute/backend.ts";
import { loadCheckpoint } from "../lib/checkpoints/checkpoint.ts";
import { WITH_PROMPTS } from "../lib/phases/input_variant.ts";
import { encoderShape } from "../lib/models/encoder.ts";
import { TINY } from "../lib/phases/profiles.ts";
import { distilled, teacherAndKd, unsupervised } from "../lib/study/recipes.ts";
import { toyContext } from "./study_fixture.ts";
import * as tf from "@tensorflow/tfjs";
import { distillationLoss } from "../lib/losses/distillation.ts";
import { maxsimGrouped, type TokenEmbeddings } from "../lib/scores/maxsim.ts";
import { embedRows, tokenRows } from "../lib/models/embed.ts";
import { createModel, type Model } from "../lib/models/model.ts";
import { colbertInputConfig } from "../lib/models/colbert_inputs.ts";
import { disposeParams } from "../lib/models/params.ts";
import type { Tokenizer } from "../lib/models/tokenizer.ts";
import type { KdRecord } from "../lib/datasets/kd_dataset.ts";
import { distillationJob, type KdData } from "../lib/phases/distillation.ts";
import type { PhaseResult } from "../lib/phases/phase.ts";
import { tinyEncoder } from "./tiny_encoder.ts";

Deno.test("teacher -> KD dataset -> distillation, all cached", async () => {
  await initBackend("wasm");
  const context = await toyContext();
  context.profile = { ...TINY, kdQueries: 8 };
  const { teacher, kd } = await teacherAndKd(context);
  const { model } = await loadCheckpoint(teacher.dir);
  assert.equal(model.config.kind, "cross");
  assert.ok(
    encoderShape(model.config.transformer).hidden > TINY.student.hidden,
    "the teacher is larger than the students",
  );
  assert.equal(kd.records.length, 8);
  for (const record of kd.records) {
    assert.equal(record.documentIds.length, record.scores.length);
    assert.ok(record.documentIds.length >= TINY.distillation.documentsPerQuery);
    assert.ok(record.scores.every(Number.isFinite));
  }
  assert.ok(kd.quality.mrr > 0 && kd.quality.mrr <= 1);

  const base = await unsupervised(context, { kind: "dense", variant: WITH_PROMPTS }, { seed: 1 });
  const student = await distilled(context, WITH_PROMPTS, { seed: 1, parent: base });
  assert.equal(student.log.steps.length, TINY.distillation.steps);
  assert.ok(
    student.log.steps.every((s) => Number.isFinite(s.loss) && s.loss >= 0),
    "KL is non-negative",
  );
  const { model: colbert } = await loadCheckpoint(student.dir);
  assert.equal(
    colbert.config.kind,
    "colbert",
    "a dense parent becomes a ColBERT student (pipeline a)",
  );

  const entries = await context.cache.list();
  const again = await teacherAndKd(context);
  assert.equal(again.kd.key, kd.key);
  assert.equal((await context.cache.list()).length, entries.length, "nothing rebuilt");
  assert.ok((await Deno.stat(join(context.cache.path(kd.key), "kd.jsonl"))).size > 0);
});

/** tests/fixtures/training_reference.json, by scripts/reference/training_fixture.py. */
const REFERENCE = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/training_reference.json", import.meta.url)),
);

Deno.test("KD loss on padded documents equals PyLate's Distillation, whatever the padded vectors hold", async () => {
  await initBackend("wasm");
  const kd = REFERENCE.kd_loss;
  const loss = (documents: number[][][][]) =>
    tf.tidy(() =>
      distillationLoss(
        maxsimGrouped(
          { embeddings: tf.tensor3d(kd.queries), mask: tf.tensor2d(kd.query_mask) },
          { embeddings: tf.tensor4d(documents), mask: tf.tensor3d(kd.document_mask) },
        ),
        tf.tensor2d(kd.teacher),
      ).dataSync()[0]
    );
  // PyLate: KLDivLoss("batchmean") of log_softmax(min-max normalised MaxSim) against
  // log_softmax(teacher), over 2 queries x 3 documents of 1 to 4 tokens.
  assert.ok(Math.abs(loss(kd.documents) - kd.loss) < 1e-5, `${loss(kd.documents)} vs ${kd.loss}`);
  assert.equal(kd.loss_padding_redrawn, kd.loss, "PyLate ignores padded positions");
  assert.ok(
    Math.abs(loss(kd.documents_padding_redrawn) - kd.loss) < 1e-5,
    "other vectors at padded positions change nothing",
  );
});

/** The unit token vectors of `text` alone (a batch of one: no padding) that its mask keeps. */
async function keptVectors(
  model: Model,
  tokenizer: Tokenizer,
  text: string,
  side: "query" | "document",
): Promise<number[][]> {
  const encoded = embedRows(model, tokenRows(model, tokenizer, { texts: [text], side }));
  const { embeddings, mask } = encoded as TokenEmbeddings;
  const vectors = (await embeddings.array() as number[][][])[0];
  const kept = (await mask.array() as number[][])[0];
  tf.dispose([embeddings, mask]);
  return vectors.filter((_, token) => kept[token] > 0);
}

/** PyLate's Distillation for one query, in float64: KL(softmax(teacher) || softmax(minmax(student))). */
function queryKl(student: number[], teacher: number[]): number {
  const low = Math.min(...student), high = Math.max(...student);
  const normalised = student.map((s) => (s - low) / (high - low + 1e-8));
  const logSoftmax = (row: number[]) => {
    const top = Math.max(...row);
    const logSum = top + Math.log(row.reduce((sum, x) => sum + Math.exp(x - top), 0));
    return row.map((x) => x - logSum);
  };
  const logStudent = logSoftmax(normalised), logTeacher = logSoftmax(teacher);
  return logTeacher.reduce((sum, t, k) => sum + Math.exp(t) * (t - logStudent[k]), 0);
}

Deno.test("the distillation phase's first loss equals MaxSim and KL worked text by text", async () => {
  await initBackend("wasm");
  const context = await toyContext();
  context.profile = {
    ...TINY,
    distillation: { ...TINY.distillation, batchSize: 2, accumulation: 1, documentsPerQuery: 3 },
  };
  // Documents of 2 to 12 words, so the batch pads most of them; each record has a 4th
  // candidate past documentsPerQuery, which the phase must leave out.
  const texts = new Map([
    ["a", "river"],
    ["b", "the copper engine of the old harbor rocket runs on winter pepper and candle wax"],
    ["c", "a violin in the garden"],
    ["d", "planet marble tunnel"],
    ["e", "meadow saddle forest castle lantern"],
  ]);
  const records: KdRecord[] = [
    {
      queryId: "q1",
      query: "river engine",
      documentIds: ["a", "b", "c", "d"],
      scores: [3, -1, 0.5, 9],
    },
    {
      queryId: "q2",
      query: "forest planet",
      documentIds: ["e", "d", "a", "b"],
      scores: [1.5, 2, -2, -9],
    },
  ];
  const kd = { key: "hand", records, texts, quality: {} as KdData["quality"] };
  const parent = createModel({
    kind: "colbert",
    transformer: tinyEncoder({ maxLength: 256 }),
    colbertDim: 8,
    pooling: "mean",
    inputs: colbertInputConfig(),
  }, { seed: 4 });
  const job = distillationJob(context, {
    variant: WITH_PROMPTS,
    parent: {} as PhaseResult, // the job reads only its key, for the cache; task() gets the model
    kd,
    seed: 1,
    label: "kd",
  });
  const task = await job.task(parent);
  const step = await task.gradients(0, 0);
  tf.dispose([...step.grads.values()]);

  let expected = 0;
  for (const record of records) {
    const query = await keptVectors(task.model, context.tokenizer, record.query, "query");
    const student: number[] = [];
    for (const id of record.documentIds.slice(0, 3)) {
      const document = await keptVectors(task.model, context.tokenizer, texts.get(id)!, "document");
      student.push(
        query.reduce(
          (sum, q) =>
            sum + Math.max(...document.map((d) => d.reduce((dot, x, i) => dot + x * q[i], 0))),
          0,
        ),
      );
    }
    expected += queryKl(student, record.scores.slice(0, 3)) / records.length; // batchmean
  }
  assert.ok(
    Math.abs(step.loss - expected) < 1e-4 * Math.max(1, expected),
    `phase ${step.loss} vs by hand ${expected}`,
  );
  disposeParams(task.model.params);
});
