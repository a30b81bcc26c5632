import assert from "node:assert/strict";
import { initBackend } from "../lib/compute/backend.ts";
import { NO_PROMPTS, WITH_PROMPTS } from "../lib/phases/input_variant.ts";
import { loadCheckpoint } from "../lib/checkpoints/checkpoint.ts";
import { backboneJob } from "../lib/phases/backbone.ts";
import { supervisedJob, unsupervisedJob } from "../lib/phases/contrastive.ts";
import { runPhase } from "../lib/phases/phase.ts";
import { devValidator } from "../lib/phases/validation.ts";
import { withHead } from "../lib/models/model.ts";
import { TINY } from "../lib/phases/profiles.ts";
import { lexicalNegatives } from "../lib/phases/negatives.ts";
import type { SupervisedPool } from "../lib/phases/supervised_pool.ts";
import { oneToOneDataset, pairs, toyContext } from "./study_fixture.ts";

const lexical = (pool: SupervisedPool) =>
  Promise.resolve(lexicalNegatives(pool.examples, { count: TINY.supervised.negatives, seed: 1 }));

Deno.test("phases: backbone -> unsupervised -> supervised train, cache, and recompute only downstream", async () => {
  await initBackend("wasm");
  const context = await toyContext();
  const backbone = () =>
    backboneJob(context, {
      seed: 1,
      transformer: TINY.student,
      settings: TINY.backbone,
      label: "backbone",
    });
  const base = await runPhase(context, backbone());
  assert.equal(base.log.steps.length, TINY.backbone.steps);
  assert.ok(base.provenance.tokens > 0 && base.provenance.flops > 0);
  assert.equal(base.provenance.backend, "wasm");

  const unsupervised = (seed: number) =>
    unsupervisedJob(context, {
      kind: "colbert",
      variant: WITH_PROMPTS,
      parent: base,
      seed,
      label: "colbert unsupervised",
    });
  const first = await runPhase(context, unsupervised(1));
  const steps = first.log.steps;
  assert.equal(steps.length, TINY.unsupervised.steps);
  assert.ok(first.log.validation.length > 0, "validated on the dev set");
  assert.ok("dev/ndcg@10" in first.log.validation[0].metrics);
  const { model } = await loadCheckpoint(first.dir);
  assert.equal(model.config.kind, "colbert");
  assert.equal(model.config.inputs.prompts, true);

  const supervised = await runPhase(
    context,
    supervisedJob(context, {
      kind: "colbert",
      variant: WITH_PROMPTS,
      parent: first,
      seed: 1,
      label: "colbert supervised",
      negatives: lexical,
      mining: "lexical",
    }),
  );
  assert.equal(supervised.provenance.parentKey, first.key);

  // A rerun is a pure cache hit: same keys, same entries, nothing retrained.
  const created = (await context.cache.list()).map((e) => e.created);
  const again = await runPhase(context, unsupervised(1));
  assert.equal(again.key, first.key);
  assert.deepEqual((await context.cache.list()).map((e) => e.created), created);

  // A changed unsupervised seed recomputes that phase (and would its children), not the backbone.
  const changed = await runPhase(context, unsupervised(2));
  assert.notEqual(changed.key, first.key);
  assert.equal(changed.provenance.parentKey, base.key);
  assert.equal((await context.cache.list()).length, 4);
});

Deno.test("phases: the unsupervised loss goes down on the toy data", async () => {
  await initBackend("wasm");
  const context = await toyContext();
  context.profile = {
    ...TINY,
    unsupervised: { ...TINY.unsupervised, steps: 16, learningRate: 3e-3 },
    validateEvery: 0,
  };
  const base = await runPhase(
    context,
    backboneJob(context, {
      seed: 1,
      transformer: TINY.student,
      settings: TINY.backbone,
      label: "b",
    }),
  );
  const run = await runPhase(
    context,
    unsupervisedJob(context, {
      kind: "dense",
      variant: NO_PROMPTS,
      parent: base,
      seed: 3,
      label: "dense unsupervised",
    }),
  );
  const losses = run.log.steps.map((s) => s.loss);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(
    mean(losses.slice(-4)) < mean(losses.slice(0, 4)),
    `losses ${losses.map((l) => l.toFixed(2))}`,
  );
});

Deno.test("phases: unsupervised ColBERT learns to retrieve (dev nDCG@10 well above its start)", async () => {
  // A falling loss alone can fail to mean anything (a collapsed model also lowers a loss
  // that starts above ln(batch)); this asserts retrieval itself got better.
  await initBackend("wasm");
  const context = await toyContext();
  // Held out: texts of a source and numbers the training never saw, same kind of pairs.
  context.data.dev = [oneToOneDataset("toy-held-out", pairs("gamma", 60).slice(48))];
  const steps = 80;
  context.profile = {
    ...TINY,
    backbone: { ...TINY.backbone, steps: 0 },
    unsupervised: { ...TINY.unsupervised, steps, learningRate: 3e-3 },
    validateEvery: steps,
  };
  const base = await runPhase(
    context,
    backboneJob(context, {
      seed: 1,
      transformer: TINY.student,
      settings: context.profile.backbone,
      label: "b",
    }),
  );
  const untrained = await devValidator(
    context,
    withHead((await loadCheckpoint(base.dir)).model, "colbert", { seed: 3 }),
  )();
  const run = await runPhase(
    context,
    unsupervisedJob(context, {
      kind: "colbert",
      variant: NO_PROMPTS,
      parent: base,
      seed: 3,
      label: "c",
    }),
  );
  const trained = run.log.validation.at(-1)!.metrics["dev/ndcg@10"];
  assert.equal(base.log.steps.length, 0, "a 0-step backbone is the random initialisation");
  assert.ok(
    trained > untrained["dev/ndcg@10"] + 0.15 && trained > 0.7,
    `dev nDCG@10 ${untrained["dev/ndcg@10"].toFixed(3)} -> ${trained.toFixed(3)}`,
  );
});
