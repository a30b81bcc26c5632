/**
 * The version of the code behind a computation: a hash of a module and every local
 * module it imports at run time, transitively. A cache key that includes it is invalidated by any
 * edit to the code that produced the entry, and by no other edit.
 */
import { dirname, resolve } from "node:path";
import { sha256Hex } from "./checksum.ts";

// Runtime imports only: `import type` / `export type` lines change no behaviour.
const LOCAL_IMPORT =
  /(?:import|export)(?!\s+type\b)[^'"]*?from\s*["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** Absolute paths of `entry` and every relative import reachable from it, sorted. */
export async function localModuleGraph(entry: string): Promise<string[]> {
  const seen = new Set<string>();
  const pending = [resolve(entry)];
  while (pending.length) {
    const path = pending.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const source = await Deno.readTextFile(path);
    for (const match of source.matchAll(LOCAL_IMPORT)) {
      pending.push(resolve(dirname(path), match[1] ?? match[2]));
    }
  }
  return [...seen].sort();
}

/** The repository root (the folder above lib/), whatever the working directory. */
export const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");

/**
 * SHA-256 over the contents of {@link localModuleGraph}(entry), paths relative to `root`
 * (the repository by default, so the CLI and the notebooks, which run in notebooks/,
 * compute the same version).
 */
export async function codeVersion(entry: string, root = REPO_ROOT): Promise<string> {
  const parts: string[] = [];
  for (const path of await localModuleGraph(resolve(root, entry))) {
    parts.push(path.slice(resolve(root).length), await Deno.readTextFile(path));
  }
  return sha256Hex(parts.join("\0"));
}
