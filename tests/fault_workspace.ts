/**
 * A copy of this checkout for the fault-injection suite to run `reproduce` in (it writes
 * results/<profile>/, which must not happen to the checkout under test): the
 * code, notebooks, results and configuration copied; node_modules, the built data and the
 * download caches linked, as is `../shared` beside it (where the CISI collection lives).
 */
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../lib/cache/code_version.ts";

const COPIED = [
  "cli",
  "lib",
  "notebooks",
  "results",
  "deno.json",
  "package.json",
  "package-lock.json",
];
const LINKED = ["node_modules", "data", ".cache/apt", ".cache/models"];

/** Make `<parent>/main`, a copy of the checkout; returns its path. */
export async function workspaceCopy(parent: string): Promise<string> {
  const root = join(parent, "main");
  await Deno.mkdir(join(root, ".cache"), { recursive: true });
  for (const name of COPIED) await copy(join(REPO_ROOT, name), join(root, name));
  for (const name of LINKED) {
    const target = join(REPO_ROOT, name);
    if (await exists(target)) await Deno.symlink(target, join(root, name));
  }
  const shared = join(dirname(REPO_ROOT), "shared");
  if (await exists(shared)) await Deno.symlink(shared, join(parent, "shared"));
  return root;
}

async function copy(from: string, to: string): Promise<void> {
  const info = await Deno.stat(from);
  if (!info.isDirectory) {
    await Deno.copyFile(from, to);
    return;
  }
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    await copy(join(from, entry.name), join(to, entry.name));
  }
}

function exists(path: string): Promise<boolean> {
  return Deno.stat(path).then(() => true, () => false);
}
