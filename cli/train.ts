/**
 * `deno task train <phase>`: train (or fetch from the cache) one phase of the study and
 * everything upstream of it, printing progress and the resulting cache key.
 *
 *   deno task train backbone     [--profile small]
 *   deno task train unsupervised [--head colbert|dense] [--prompts on|off|length] [--seed 1] [--from KEY]
 *   deno task train supervised   [--head ...] [--prompts ...] [--base-head ...] [--base-prompts ...] [--from KEY]
 *   deno task train teacher      (the cross-encoder, and the KD dataset it labels)
 *   deno task train distillation [--prompts ...] [--base-head ...] [--base-prompts ...] [--from KEY]
 *
 * `--from KEY` starts the phase from that cache entry instead of its default parent;
 * `--backbone MODEL` (a folder, hf:owner/name) starts the students and the teacher from a
 * pretrained model instead of the profile's own backbone.
 * `--backend wasm|webgpu|tensorflow|cpu`, `--json` (one JSON line with the result) and
 * `--set unsupervised.learningRate=1e-3` (any numeric profile setting; repeatable) work everywhere.
 * A setting out of its range (lib/phases/settings_check.ts) exits with code 2 before any work.
 */
import { type PhaseResult, readPhaseResult, type StudyContext } from "../lib/phases/phase.ts";
import {
  backbone,
  distilled,
  supervised,
  teacherAndKd,
  unsupervised,
} from "../lib/study/recipes.ts";
import {
  parsePhaseRequest,
  PHASE_OPTIONS,
  type PhaseCommand,
  requestContext,
} from "./phase_request.ts";
import { parseCommandLine, printSummary, runMain, UsageError } from "./run_main.ts";

const USAGE =
  "usage: deno task train backbone|unsupervised|supervised|teacher|distillation [--profile P] [--backbone M] [--head colbert|dense] " +
  "[--prompts on|off|length] [--base-head H] [--base-prompts on|off|length] [--seed N] [--from KEY] [--backend B] [--set path=number] [--json]";

async function run(context: StudyContext, request: PhaseCommand, from?: string) {
  const { seed, trained, base } = request;
  const parent = from ? await readPhaseResult(context.cache, from) : undefined;
  switch (request.phase) {
    case "backbone":
      return backbone(context);
    case "unsupervised":
      return unsupervised(context, trained, { seed, parent });
    case "supervised":
      return supervised(context, trained, { seed, base, parent });
    case "teacher":
      return (await teacherAndKd(context)).teacher;
    default: {
      // Default parent: the supervised ColBERT phase of the same variant (ColBERT-Zero's chain).
      const start = parent ??
        await supervised(context, { ...trained, kind: "colbert" }, { seed, base });
      return distilled(context, trained.variant, { seed, parent: start });
    }
  }
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine({
    args,
    allowPositionals: true,
    options: PHASE_OPTIONS,
  });
  if (positionals.length > 1) throw new UsageError("give exactly one phase");
  const request = parsePhaseRequest(positionals[0], values);
  const context = await requestContext(request, values.backend);
  const result: PhaseResult = await run(context, request, values.from);
  printSummary({
    key: result.key,
    phase: result.phase,
    label: result.provenance.label,
    profile: result.provenance.profile,
    backend: result.provenance.backend,
    steps: result.provenance.steps,
    final_loss: result.log.steps.at(-1)?.loss ?? null,
    validation: result.log.validation.at(-1)?.metrics ?? null,
    wall_seconds: result.provenance.wallSeconds,
    dir: result.dir,
  }, values.json);
  return 0;
}

if (import.meta.main) await runMain("train", main, USAGE);
