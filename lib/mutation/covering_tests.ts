/**
 * The test files that cover a source file: those whose run-time import graph reaches it,
 * directly or through other modules, Workers included (code_version.ts's graph, the one
 * cache keys trust). Tests importing the file themselves come first, so a failing run
 * (`--fail-fast`) usually stops early. A test that reaches a file only through a subprocess
 * is not found; name it with `--tests`.
 */
import { dirname, join, relative, resolve } from "node:path";
import { localModuleGraph } from "../cache/code_version.ts";
import { listFiles } from "../util/files.ts";

// A test's own imports: statements at the start of a line (a test may hold import lines
// inside strings, as fixtures for the code-version tests; those start with a quote).
const OWN_IMPORT = /^(?:import|export)[^'"`;]*?from\s*["'](\.{1,2}\/[^"']+)["']/gm;

/** Test files (relative to `root`) importing each of `files` themselves or through others. */
export interface Covering {
  direct: string[];
  indirect: string[];
}

/** The {@link Covering} tests of each of `files` (paths relative to `root`). */
export async function coveringTests(
  root: string,
  files: readonly string[],
): Promise<Map<string, Covering>> {
  const covering = new Map(
    files.map((file): [string, Covering] => [file, { direct: [], indirect: [] }]),
  );
  for (const name of await listFiles(join(root, "tests"), /_test\.ts$/)) {
    const test = join(root, "tests", name);
    const own = [...(await Deno.readTextFile(test)).matchAll(OWN_IMPORT)]
      .map(([, specifier]) => resolve(dirname(test), specifier));
    const reached = new Set<string>();
    for (const module of own) for (const path of await localModuleGraph(module)) reached.add(path);
    for (const file of files) {
      const path = resolve(root, file);
      const lists = covering.get(file)!;
      if (own.includes(path)) lists.direct.push(relative(root, test));
      else if (reached.has(path)) lists.indirect.push(relative(root, test));
    }
  }
  return covering;
}
