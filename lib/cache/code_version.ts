/**
 * The version of the code behind a computation: a hash of a module and every local module
 * it reaches at run time, transitively: static and dynamic imports, side-effect imports,
 * Workers and any other file named by `new URL("./...", import.meta.url)`. A cache key that
 * includes it is invalidated by any edit to the code that produced the entry, and by no
 * other edit. The packages those modules use are listed too ({@link packageVersions}).
 *
 * A computed specifier (`import(name)`, `new Worker(url)` of a variable) cannot be followed,
 * so it is an error naming the file and line, unless {@link PACKAGES_ONLY} lists it.
 */
import { dirname, join, resolve } from "node:path";
import { sha256Hex } from "../util/checksum.ts";

// Runtime references only: `import type` / `export type` lines change no behaviour.
const STATIC_IMPORT = /(?:import|export)(?!\s+type\b)[^'"`;]*?from\s*["']([^"']+)["']/g;
const SIDE_EFFECT_IMPORT = /^\s*import\s*["']([^"']+)["']/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*["']([^"']+)["']\s*\)/g;
const RESOLVE = /\bimport\.meta\.resolve\(\s*["']([^"']+)["']\s*\)/g;
const FILE_URL = /\bnew URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g;
// Not inside a string that starts with it (this file's own list below).
const COMPUTED = /(?<!["'`])\b(?:import\(\s*[^\s"')]+|new Worker\(\s*(?!new URL\(\s*["'])[^\s)]+)/g;

/**
 * Computed imports known to load packages only, by file (from the repository root) and
 * text: backend.ts tries the optional tfjs-node packages by name; compute_identity.ts
 * records which one the `tensorflow` backend loaded.
 */
export const PACKAGES_ONLY: Record<string, string[]> = {
  "lib/compute/backend.ts": ["import(specifier"],
};

/** The local files a module reaches at run time and the packages they name. */
export interface ModuleGraph {
  /** Absolute paths, sorted. */
  modules: string[];
  /** Package names (`@scope/name` or `name`), sorted; `node:` builtins are the runtime's. */
  packages: string[];
}

/** The {@link ModuleGraph} of `entry`. */
export async function moduleGraph(entry: string): Promise<ModuleGraph> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const pending = [resolve(entry)];
  while (pending.length) {
    const path = pending.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    if (!/\.[cm]?[jt]sx?$/.test(path)) continue; // a data file: hashed, not parsed
    const source = withoutComments(await Deno.readTextFile(path));
    checkNoComputedSpecifier(path, source);
    for (const pattern of [STATIC_IMPORT, SIDE_EFFECT_IMPORT, DYNAMIC_IMPORT, RESOLVE, FILE_URL]) {
      for (const [, specifier] of source.matchAll(pattern)) {
        const local = /^\.{1,2}\//.test(specifier) ? resolve(dirname(path), specifier) : null;
        const installed = local?.split("/node_modules/").at(1);
        if (local && !installed) pending.push(local);
        else if (!specifier.startsWith("node:")) packages.add(packageName(installed ?? specifier));
      }
    }
  }
  return { modules: [...seen].sort(), packages: [...packages].sort() };
}

/** Absolute paths of `entry` and every local file it reaches at run time, sorted. */
export async function localModuleGraph(entry: string): Promise<string[]> {
  return (await moduleGraph(entry)).modules;
}

/** The repository root (the folder above lib/), whatever the working directory. */
export const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");

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

/**
 * `name@version` of every package `entry` reaches and of their dependencies (from
 * `root`/package-lock.json), then the runtime's own versions: what else computes the result.
 * A package missing from the lock file is listed as `name@unlocked`.
 */
export async function packageVersions(entry: string, root = REPO_ROOT): Promise<string[]> {
  const lock = JSON.parse(await Deno.readTextFile(join(root, "package-lock.json")));
  const locked: Record<string, LockedPackage> = lock.packages ?? {};
  const found = new Map<string, string>();
  const visit = (name: string, from: string) => {
    const path = lockPath(locked, name, from);
    if (!path) {
      found.set(`node_modules/${name}`, `${name}@unlocked`);
      return;
    }
    if (found.has(path)) return;
    found.set(path, `${name}@${locked[path].version}`);
    const { dependencies = {}, optionalDependencies = {}, peerDependencies = {} } = locked[path];
    for (const dependency of Object.keys({ ...dependencies, ...optionalDependencies })) {
      visit(dependency, path);
    }
    // Peers are the host's to install; follow the ones it did.
    for (const peer of Object.keys(peerDependencies)) {
      if (lockPath(locked, peer, path)) visit(peer, path);
    }
  };
  for (const name of (await moduleGraph(resolve(root, entry))).packages) visit(name, "");
  const runtime = [`deno@${Deno.version.deno}`, `v8@${Deno.version.v8}`];
  return [...new Set(found.values())].sort().concat(runtime);
}

interface LockedPackage {
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Where npm installed `name` as seen from the package at `from` (Node's lookup order). */
function lockPath(
  locked: Record<string, LockedPackage>,
  name: string,
  from: string,
): string | undefined {
  for (
    let base = from;
    base;
    base = base.slice(0, Math.max(0, base.lastIndexOf("/node_modules/")))
  ) {
    const path = `${base}/node_modules/${name}`;
    if (locked[path]) return path;
  }
  return locked[`node_modules/${name}`] ? `node_modules/${name}` : undefined;
}

/** `@scope/name` or `name` of a bare specifier such as `@tensorflow/tfjs` or `a/b.js`. */
function packageName(specifier: string): string {
  const bare = specifier.replace(/^npm:/, "").replace(/(?<=.)@[^/]*/, "");
  const parts = bare.split("/");
  return bare.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** `source` with its comments blanked (documentation shows imports that are not made). */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, " "))
    .replace(/^\s*\/\/.*$/gm, "");
}

function checkNoComputedSpecifier(path: string, source: string): void {
  const known = PACKAGES_ONLY[path.slice(REPO_ROOT.length + 1)] ?? [];
  for (const match of source.matchAll(COMPUTED)) {
    if (known.includes(match[0])) continue;
    const line = source.slice(0, match.index).split("\n").length;
    throw new Error(
      `${path}:${line}: cannot follow the computed '${match[0]}' into the code version ` +
        `(name the module literally; if it loads packages only, list it in code_version.ts)`,
    );
  }
}
