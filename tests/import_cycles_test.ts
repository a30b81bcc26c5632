/**
 * lib/ has no import cycle, type-only imports included: a cycle means two modules each
 * need the other's concept, so one of them holds something that belongs elsewhere (and a
 * newcomer cannot read either file first). The graph is read from the sources' import and
 * export specifiers, so the test needs no subprocess and no network.
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const LIB = join(ROOT, "lib");

// Every module specifier: `import … from`, `export … from`, `import "…"`, `import("…")`,
// type-only forms included (a type cycle is still a cycle between concepts).
const SPECIFIER = /(?:\bfrom\s*|^\s*import\s*|\bimport\(\s*)["']([^"']+)["']/gm;

/** The .ts files under `dir`, absolute paths, sorted. */
async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await tsFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

/** Module -> the lib/ modules it imports (relative specifiers only). */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const path of await tsFiles(LIB)) {
    // Comments may quote import lines (JSDoc examples); they are not edges.
    const source = (await Deno.readTextFile(path))
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    const targets = new Set<string>();
    for (const [, specifier] of source.matchAll(SPECIFIER)) {
      if (!/^\.{1,2}\//.test(specifier)) continue;
      const target = resolve(dirname(path), specifier);
      if (target.startsWith(LIB + "/") && target.endsWith(".ts")) targets.add(target);
    }
    graph.set(path, [...targets].sort());
  }
  return graph;
}

/** Every elementary cycle found by depth-first search, one per back edge, as module paths. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

Deno.test("lib/ has no import cycle", async () => {
  const graph = await importGraph();
  const named = cycles(graph).map((cycle) => cycle.map((p) => relative(ROOT, p)).join(" -> "));
  assert.deepEqual(named, [], `import cycles:\n${named.join("\n")}`);
});

Deno.test("the cycle finder sees a cycle through a type-only import", () => {
  const graph = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
  assert.deepEqual(cycles(graph), [["a", "b", "c", "a"]]);
});
