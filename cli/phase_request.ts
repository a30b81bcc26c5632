/**
 * The phase a command line names, with its options: what `deno task train`, `export` and
 * `import` share. Every part is checked before any data is loaded, so a mistake costs nothing.
 */
import { createStudyContext } from "../lib/phases/context.ts";
import {
  type InputVariant,
  LENGTH_ONLY,
  NO_PROMPTS,
  WITH_PROMPTS,
} from "../lib/phases/input_variant.ts";
import type { StudyContext } from "../lib/phases/phase.ts";
import type { Profile } from "../lib/phases/profile_settings.ts";
import { DEFAULT_PROFILE, getProfile, withOverrides } from "../lib/phases/profiles.ts";
import { SETTING_RANGES } from "../lib/phases/settings_check.ts";
import type { Student } from "../lib/study/recipes.ts";
import { parseNumber } from "../lib/util/number_range.ts";
import { UsageError } from "./run_main.ts";

/** The phase options of train, export and import (parseArgs' form). */
export const PHASE_OPTIONS = {
  profile: { type: "string" },
  backend: { type: "string" },
  backbone: { type: "string" },
  head: { type: "string", default: "colbert" },
  prompts: { type: "string", default: "on" },
  "base-head": { type: "string" },
  "base-prompts": { type: "string" },
  seed: { type: "string" },
  from: { type: "string" },
  json: { type: "boolean" },
  set: { type: "string", multiple: true },
} as const;

/** The phases a command line may name. */
export const PHASES = ["backbone", "unsupervised", "supervised", "teacher", "distillation"];

const VARIANTS: Record<string, InputVariant> = {
  on: WITH_PROMPTS,
  off: NO_PROMPTS,
  length: LENGTH_ONLY,
};

type Values = Record<string, string | string[] | boolean | undefined>;

/** What the command line asks for. */
export interface PhaseCommand {
  phase: string;
  profile: Profile;
  /** The pretrained model students and teacher start from (`--backbone`), if named. */
  backbone?: string;
  seed: number;
  trained: Student;
  base: Student;
}

function student(head: string, prompts: string): Student {
  if (head !== "colbert" && head !== "dense") {
    throw new UsageError(`--head must be colbert or dense, got '${head}'`);
  }
  const variant = VARIANTS[prompts];
  if (!variant) throw new UsageError(`--prompts must be on, off or length, got '${prompts}'`);
  return { kind: head, variant };
}

/** The request of a phase name and the {@link PHASE_OPTIONS} values. */
export function parsePhaseRequest(phase: string | undefined, values: Values): PhaseCommand {
  if (phase === undefined) throw new UsageError("give exactly one phase");
  if (!PHASES.includes(phase)) throw new UsageError(`unknown phase '${phase}'`);
  // The profile createStudyContext would pick, so that bad settings stop the run at once.
  const name = String(values.profile ?? Deno.env.get("COLBERT_PROFILE") ?? DEFAULT_PROFILE);
  const profile = withOverrides(getProfile(name), (values.set ?? []) as string[]);
  const seed = values.seed === undefined
    ? profile.seeds[0]
    : parseNumber("--seed", String(values.seed), SETTING_RANGES["seeds.*"]);
  const trained = student(String(values.head), String(values.prompts));
  const base = student(
    String(values["base-head"] ?? values.head),
    String(values["base-prompts"] ?? values.prompts),
  );
  const backbone = values.backbone === undefined ? undefined : String(values.backbone);
  return { phase, profile, backbone, seed, trained, base };
}

/** The study context a request runs in: its profile (with `--set`), progress on stderr. */
export async function requestContext(
  request: PhaseCommand,
  backend: string | undefined,
): Promise<StudyContext> {
  return await createStudyContext({
    profile: request.profile,
    backbone: request.backbone,
    backend,
    print: (line) => console.error(line),
  });
}
