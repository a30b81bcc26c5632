import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../lib/compute/backend.ts";
import { loadCheckpoint } from "../lib/checkpoints/checkpoint.ts";
import { WITH_PROMPTS } from "../lib/phases/input_variant.ts";
import { encoderShape } from "../lib/models/encoder.ts";
import { TINY } from "../lib/phases/profiles.ts";
import { distilled, teacherAndKd, unsupervised } from "../lib/study/recipes.ts";
import { toyContext } from "./study_fixture.ts";

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
