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
 * `--from KEY` starts the phase from that cache entry instead of its default parent.
 * `--backend wasm|webgpu|tensorflow|cpu`, `--json` (one JSON line with the result) and
 * `--set unsupervised.learningRate=1e-3` (any numeric profile setting; repeatable) work everywhere.
 * A setting out of its range (lib/phases/settings_check.ts) exits with code 2 before any work.
 */
import { parseArgs } from "node:util";
import { createStudyContext } from "../lib/phases/context.ts";
import type { Profile } from "../lib/phases/profile_settings.ts";
import { DEFAULT_PROFILE, getProfile, withOverrides } from "../lib/phases/profiles.ts";
import { SETTING_RANGES } from "../lib/phases/settings_check.ts";
import { parseNumber, SettingError } from "../lib/util/number_range.ts";
import {
  type InputVariant,
  LENGTH_ONLY,
  NO_PROMPTS,
  WITH_PROMPTS,
} from "../lib/phases/input_variant.ts";
import { type PhaseResult, readPhaseResult, type StudyContext } from "../lib/phases/phase.ts";
import {
  backbone,
  distilled,
  type Student,
  supervised,
  teacherAndKd,
  unsupervised,
} from "../lib/study/recipes.ts";

const USAGE =
  "usage: deno task train backbone|unsupervised|supervised|teacher|distillation [--profile P] [--head colbert|dense] " +
  "[--prompts on|off|length] [--base-head H] [--base-prompts on|off|length] [--seed N] [--from KEY] [--backend B] [--set path=number] [--json]";

const VARIANTS: Record<string, InputVariant> = {
  on: WITH_PROMPTS,
  off: NO_PROMPTS,
  length: LENGTH_ONLY,
};

function student(head: string, prompts: string): Student {
  if (head !== "colbert" && head !== "dense") {
    throw new UsageError(`--head must be colbert or dense, got '${head}'`);
  }
  const variant = VARIANTS[prompts];
  if (!variant) throw new UsageError(`--prompts must be on, off or length, got '${prompts}'`);
  return { kind: head, variant };
}

/** A command-line mistake: the commands print it with their usage and exit 2. */
export class UsageError extends Error {}

function baseOf(values: Record<string, string | string[] | boolean | undefined>): Student {
  return student(
    String(values["base-head"] ?? values.head),
    String(values["base-prompts"] ?? values.prompts),
  );
}

const PHASES = ["backbone", "unsupervised", "supervised", "teacher", "distillation"];

/** What the command line asks for, every part checked before any data is loaded. */
export interface Request {
  phase: string;
  profile: Profile;
  seed: number;
  trained: Student;
  base: Student;
}

/** The request of train's positionals and options (also export's and import's). */
export function parseRequest(
  positionals: string[],
  values: Record<string, string | string[] | boolean | undefined>,
): Request {
  if (positionals.length !== 1) throw new UsageError("give exactly one phase");
  const phase = positionals[0];
  if (!PHASES.includes(phase)) throw new UsageError(`unknown phase '${phase}'`);
  // The profile createStudyContext would pick, so that bad settings stop the run at once.
  const name = String(values.profile ?? Deno.env.get("COLBERT_PROFILE") ?? DEFAULT_PROFILE);
  const profile = withOverrides(getProfile(name), (values.set ?? []) as string[]);
  const seed = values.seed === undefined
    ? profile.seeds[0]
    : parseNumber("--seed", String(values.seed), SETTING_RANGES["seeds.*"]);
  const trained = student(String(values.head), String(values.prompts));
  return { phase, profile, seed, trained, base: baseOf(values) };
}

async function run(context: StudyContext, request: Request, from?: string) {
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

/** train's options, shared with export and import, which take the same phase options. */
export const TRAIN_OPTIONS = {
  profile: { type: "string" },
  backend: { type: "string" },
  head: { type: "string", default: "colbert" },
  prompts: { type: "string", default: "on" },
  "base-head": { type: "string" },
  "base-prompts": { type: "string" },
  seed: { type: "string" },
  from: { type: "string" },
  json: { type: "boolean" },
  set: { type: "string", multiple: true },
} as const;

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: TRAIN_OPTIONS,
  });
  const request = parseRequest(positionals, values);
  const context = await createStudyContext({
    profile: request.profile.name,
    backend: values.backend,
    print: (line) => console.error(line),
  });
  context.profile = request.profile;
  const result: PhaseResult = await run(context, request, values.from);
  const summary = {
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
  };
  console.log(
    values.json
      ? JSON.stringify(summary)
      : Object.entries(summary).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n"),
  );
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    if (
      error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      // parseArgs explains some mistakes over several lines: one line here.
      console.error(`train: ${(error as Error).message.replaceAll("\n", " ")}\n${USAGE}`);
      Deno.exit(2);
    }
    if (error instanceof SettingError) {
      console.error(`train: ${error.message}`);
      Deno.exit(2);
    }
    console.error(`train: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
