/**
 * A throw-away copy of the repository for planting mutants: the working tree is never
 * touched. Git's tracked and untracked-but-not-ignored files are copied (the working tree's
 * versions, uncommitted edits included); the large ignored folders tests read (node_modules,
 * the model cache) are symbolic links to the originals, and so is a `shared/` folder beside
 * the repository (CISI lives there), so relative paths resolve as they do in the original.
 */
import { basename, dirname, join } from "node:path";

/** Ignored paths linked rather than copied, when the repository has them. */
const LINKED = ["node_modules", ".cache", ".tfjs-node", "data/build"];

/** A copy of `root` at `path` (inside a fresh temporary folder), removed on dispose. */
export async function repositoryCopy(
  root: string,
): Promise<{ path: string } & AsyncDisposable> {
  const folder = await Deno.makeTempDir({ prefix: "mutate-" });
  const path = join(folder, basename(root));
  for (const file of await gitFiles(root)) {
    await Deno.mkdir(dirname(join(path, file)), { recursive: true });
    await Deno.copyFile(join(root, file), join(path, file));
  }
  for (const linked of LINKED) await linkIfPresent(join(root, linked), join(path, linked));
  await linkIfPresent(join(root, "..", "shared"), join(folder, "shared"));
  return { path, [Symbol.asyncDispose]: () => Deno.remove(folder, { recursive: true }) };
}

async function gitFiles(root: string): Promise<string[]> {
  const output = await new Deno.Command("git", {
    args: ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`git ls-files failed in ${root}: ${new TextDecoder().decode(output.stderr)}`);
  }
  const files = new TextDecoder().decode(output.stdout).split("\0").filter((f) => f !== "");
  // A tracked file deleted in the working tree (a move in progress) has nothing to copy.
  const present: string[] = [];
  for (const file of files) {
    if ((await Deno.lstat(join(root, file)).catch(() => null))?.isFile) present.push(file);
  }
  return present;
}

async function linkIfPresent(target: string, link: string): Promise<void> {
  if (!await Deno.lstat(target).catch(() => null)) return;
  await Deno.mkdir(dirname(link), { recursive: true });
  await Deno.symlink(target, link);
}
