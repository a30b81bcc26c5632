/**
 * The one way a command or notebook sets up a study run: backend, tokenizer, training
 * data, profile and checkpoint cache, with paths anchored at the repository root so the
 * command line (run from the root) and the notebooks (run from notebooks/) share a cache.
 */
import { join } from "node:path";
import { currentBackend, initBackend } from "../compute/backend.ts";
import { defaultCache } from "../cache/cache.ts";
import { REPO_ROOT } from "../cache/code_version.ts";
import { loadBertTokenizer } from "../models/tokenizer.ts";
import type { StudyContext } from "./phase.ts";
import type { Profile } from "./profile_settings.ts";
import { DEFAULT_PROFILE, getProfile } from "./profiles.ts";
import { loadStudyData } from "./study_data.ts";
import { resolvePretrained } from "./pretrained.ts";

/** Names the pretrained model of a run (`--backbone`) where no command line reaches: notebooks. */
export const BACKBONE_ENV = "COLBERT_BACKBONE";

/** Where `deno task data` writes the datasets. */
export const DEFAULT_DATA_DIR = join(REPO_ROOT, "data");

/** Options of {@link createStudyContext}. */
export interface ContextOptions {
  /** A profile's name, or the profile itself (a command's, with its `--set` overrides). */
  profile?: string | Profile;
  backend?: string;
  /** A model spec both students and teacher start from (`--backbone`), over the profile's own. */
  backbone?: string;
  dataDir?: string;
  print?: (line: string) => void;
}

/** Start the backend and load everything a study run needs. */
export async function createStudyContext(options: ContextOptions = {}): Promise<StudyContext> {
  await initBackend(options.backend);
  const backend = currentBackend();
  const named = typeof options.profile === "object"
    ? options.profile
    : getProfile(options.profile ?? Deno.env.get("COLBERT_PROFILE") ?? DEFAULT_PROFILE);
  const backbone = options.backbone ?? Deno.env.get(BACKBONE_ENV);
  const start = backbone ? { student: backbone, teacher: backbone } : named.pretrained;
  const { profile, tokenizer } = start
    ? await resolvePretrained(named, start)
    : { profile: named, tokenizer: await loadBertTokenizer() };
  return {
    cache: defaultCache(),
    tokenizer,
    data: await loadStudyData(options.dataDir ?? DEFAULT_DATA_DIR),
    profile,
    backend,
    print: options.print,
  };
}
