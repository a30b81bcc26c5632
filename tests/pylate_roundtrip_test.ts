/**
 * The round trip through PyLate on this machine: export a tiny phase, train it with
 * `launch.sh 2` (torchrun, two CPU processes over gloo), import the result, and check that
 * the suite scores the imported model as PyLate does (1e-4), that the loss fell, and that
 * PyLate's losses are the suite's own for the same phase (same batches, same loss).
 *
 * Needs a Python with scripts/pylate/requirements.txt: COLBERT_PYLATE_PYTHON (default
 * python3). Without torch and pylate there the tests are skipped, saying so.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { mean } from "../lib/util/summary.ts";
import { loadCheckpoint } from "../lib/checkpoints/checkpoint.ts";
import { initBackend } from "../lib/compute/backend.ts";
import { embedTexts } from "../lib/models/embed.ts";
import { WITH_PROMPTS } from "../lib/phases/input_variant.ts";
import { runPhase, type StudyContext } from "../lib/phases/phase.ts";
import { TINY, withOverrides } from "../lib/phases/profiles.ts";
import { exportPhase, PYLATE_SCRIPTS_DIR } from "../lib/pylate/export.ts";
import { launchExport, pylateImportable } from "../lib/pylate/launch.ts";
import { importModel } from "../lib/pylate/import.ts";
import { phaseJobOf, type PhaseRequest } from "../lib/pylate/phase_job.ts";
import { readTrainingRecord } from "../lib/pylate/training_record.ts";
import { maxsimScores, type TokenEmbeddings } from "../lib/scores/maxsim.ts";
import { toyContext } from "./study_fixture.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const PYTHON = Deno.env.get("COLBERT_PYLATE_PYTHON") ?? "python3";

const available = await pylateImportable(PYTHON);
const SKIPPED = available ? "" : ` (SKIPPED: torch, pylate and datasets are not importable by ` +
  `${PYTHON}; set COLBERT_PYLATE_PYTHON to a Python with scripts/pylate/requirements.txt)`;
if (!available) console.warn(`pylate_roundtrip_test.ts${SKIPPED}`);

const STUDENT = { kind: "colbert" as const, variant: WITH_PROMPTS };
const QUERIES = ["marble river", "what is apple", "copper winter lantern harbor"];
const DOCUMENTS = [
  "a text about marble and river and violin from beta number 17",
  "apple means garden, lantern!",
  "copper means winter and a harbor (with pepper); castle",
];

/** Run `command` with `args` and `env`; its output, or an error carrying its stderr tail. */
async function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Promise<string> {
  const child = new Deno.Command(command, {
    args,
    env: options.env,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { success, stdout, stderr } = await child.output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  if (!success) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${text(stderr).slice(-3000)}`);
  }
  return text(stdout);
}

/** The suite's MaxSim scores of the cache entry `dir` on QUERIES x DOCUMENTS. */
async function suiteScores(context: StudyContext, dir: string): Promise<number[][]> {
  const { model } = await loadCheckpoint(dir);
  const encode = (texts: string[], side: "query" | "document") =>
    embedTexts(model, context.tokenizer, { texts, side }) as TokenEmbeddings;
  // One document at a time, as score.py scores them: padding is then no question.
  const queries = encode(QUERIES, "query");
  const columns = await Promise.all(
    DOCUMENTS.map((d) => maxsimScores(queries, encode([d], "document")).array()),
  );
  tf.dispose(Object.values(model.params));
  return QUERIES.map((_, q) => columns.map((column) => (column as number[][])[q][0]));
}

/** Export `request` at the tiny profile with `overrides`, train it with 2 processes, import it. */
async function roundTrip(request: PhaseRequest, overrides: string[]) {
  await initBackend("wasm");
  const context = await toyContext();
  context.profile = withOverrides(TINY, overrides);
  await using folder = await temporaryFolder();
  const exported = join(folder.path, "export");
  const settings = await exportPhase(context, request, exported);
  await launchExport(exported, { python: PYTHON, processes: 2 });
  const trained = join(exported, "model");
  const result = await importModel(context, trained, request);
  const pylate = JSON.parse(
    await run(PYTHON, [join(PYLATE_SCRIPTS_DIR, "score.py"), trained], {
      stdin: JSON.stringify({ queries: QUERIES, documents: DOCUMENTS }),
    }),
  ) as number[][];
  return {
    context,
    settings,
    result,
    record: (await readTrainingRecord(trained))!,
    pylate,
    suite: await suiteScores(context, result.dir),
  };
}

function assertScoresEqual(suite: number[][], pylate: number[][]): void {
  suite.forEach((row, q) =>
    row.forEach((score, d) =>
      assert.ok(
        Math.abs(score - pylate[q][d]) <= 1e-4,
        `query ${q} document ${d}: the suite scores ${score}, PyLate ${pylate[q][d]}`,
      )
    )
  );
}

/** The suite's own training of `request` (a fresh cache) logs `losses`: same batches, same loss. */
async function assertSuiteLosses(
  context: StudyContext,
  request: PhaseRequest,
  losses: number[],
): Promise<void> {
  const own = await toyContext();
  own.profile = context.profile;
  const suiteRun = await runPhase(own, (await phaseJobOf(own, request)).job);
  suiteRun.log.steps.forEach((step, i) =>
    assert.ok(
      Math.abs(step.loss - losses[i]) <= 1e-3 * Math.max(1, step.loss),
      `step ${i + 1}: the suite's loss ${step.loss}, PyLate's ${losses[i]}`,
    )
  );
}

/** Mean loss of the first and of the last `n` steps. */
function lossEnds(losses: number[], n: number): { first: number; last: number } {
  return { first: mean(losses.slice(0, n)), last: mean(losses.slice(-n)) };
}

Deno.test({
  name:
    `unsupervised phase: export, launch.sh 2 (gloo), import; PyLate's scores and losses${SKIPPED}`,
  ignore: !available,
  sanitizeResources: false,
  fn: async () => {
    const request = { phase: "unsupervised", seed: 1, trained: STUDENT, base: STUDENT };
    const { context, settings, result, record, pylate, suite } = await roundTrip(request, [
      "unsupervised.steps=8",
    ]);
    assert.equal(result.key, settings.key, "registered under the key the export named");
    assert.equal(record.processes, 2);
    assertScoresEqual(suite, pylate);
    const losses = record.steps.map((s) => s.loss);
    assert.equal(losses.length, 8);
    const { first, last } = lossEnds(losses, 2);
    assert.ok(last < first, `the loss fell: first steps ${first}, last steps ${last}`);
    // Downstream, the phase is a cache hit: the suite's own run of it is the imported model.
    const { job } = await phaseJobOf(context, request);
    const again = await runPhase(context, job);
    assert.equal(again.key, result.key);
    assert.equal(again.provenance.backend, result.provenance.backend);
    assert.match(result.provenance.backend, /^pylate 1\.6\.0 .*2 processes on 1 node/);
    await assertSuiteLosses(context, request, losses);
  },
});

Deno.test({
  name: `distillation phase: the teacher's scores travel, launch.sh 2 (gloo), import${SKIPPED}`,
  ignore: !available,
  sanitizeResources: false,
  fn: async () => {
    const request = { phase: "distillation", seed: 1, trained: STUDENT, base: STUDENT };
    const { context, settings, result, record, pylate, suite } = await roundTrip(request, [
      "distillation.steps=8",
    ]);
    assert.equal(result.key, settings.key);
    assert.equal(settings.loss.name, "distillation");
    assertScoresEqual(suite, pylate);
    const losses = record.steps.map((s) => s.loss);
    assert.equal(losses.length, 8);
    const { first, last } = lossEnds(losses, 3);
    assert.ok(last < first, `the loss fell: first steps ${first}, last steps ${last}`);
    await assertSuiteLosses(context, request, losses);
  },
});

Deno.test({
  name: `supervised phase: mined hard negatives travel, launch.sh 2 (gloo), import${SKIPPED}`,
  ignore: !available,
  sanitizeResources: false,
  fn: async () => {
    const request = { phase: "supervised", seed: 1, trained: STUDENT, base: STUDENT };
    const { settings, result, record, pylate, suite, context } = await roundTrip(request, [
      "supervised.steps=5",
    ]);
    assert.equal(result.key, settings.key);
    assertScoresEqual(suite, pylate);
    const losses = record.steps.map((s) => s.loss);
    assert.equal(losses.length, 5); // 5 x 8 examples: all the toy data has
    const { first, last } = lossEnds(losses, 2);
    assert.ok(last < first, `the loss fell: first steps ${first}, last steps ${last}`);
    await assertSuiteLosses(context, request, losses);
  },
});
