/**
 * Where the CISI test collection lives: beside the repository, in ../shared/data/cisi.
 * It is not part of the repository, so tests that read it are skipped when it is absent.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the CISI folder (SMART format). */
export const CISI = fileURLToPath(new URL("../../shared/data/cisi", import.meta.url));

/** True when CISI.ALL is present, so CISI tests can run. */
export const hasCisi = (() => {
  try {
    return Deno.statSync(join(CISI, "CISI.ALL")).isFile;
  } catch {
    return false;
  }
})();
