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
import { DEFAULT_PROFILE, getProfile } from "./profiles.ts";
import { loadStudyData } from "./study_data.ts";

/** Where `deno task data` writes the datasets. */
export const DEFAULT_DATA_DIR = join(REPO_ROOT, "data");

/** Options of {@link createStudyContext}. */
export interface ContextOptions {
  profile?: string;
  backend?: string;
  dataDir?: string;
  print?: (line: string) => void;
}

/** Start the backend and load everything a study run needs. */
export async function createStudyContext(options: ContextOptions = {}): Promise<StudyContext> {
  await initBackend(options.backend);
  const backend = currentBackend();
  return {
    cache: defaultCache(),
    tokenizer: await loadBertTokenizer(),
    data: await loadStudyData(options.dataDir ?? DEFAULT_DATA_DIR),
    profile: getProfile(options.profile ?? Deno.env.get("COLBERT_PROFILE") ?? DEFAULT_PROFILE),
    backend,
    print: options.print,
  };
}
