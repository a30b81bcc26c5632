/**
 * Debian packages and indexes fetched into a private cache folder, never installed:
 *
 *   apt-get -o Dir::State::Lists=<cache>/lists -o Dir::Cache=<cache>/cache \
 *           -o Acquire::Languages=en update          # Packages + Translation-en indexes
 *   apt-get <same options> download <package>        # the .deb, checked against SHA256
 *   dpkg-deb -x <package>.deb <cache>/root/<package>_<version>/
 *
 * The private lists hold the English long descriptions (`Translation-en`), which apt's
 * default lists lack, and make the build independent of the system's `apt-get update`.
 * Nothing is written outside the cache folder and no root rights are needed.
 */
import { basename, join, resolve } from "node:path";
import { sha256File } from "../../util/checksum.ts";

/** One downloaded and unpacked Debian package. */
export type DebPackage = {
  name: string;
  version: string;
  /** SHA-256 of the .deb, as listed by the archive and checked after download. */
  sha256: string;
  /** Folder the package was unpacked into (its `usr/...` tree). */
  root: string;
};

/** Run a command, returning stdout; a failure throws with its stderr and `context`. */
async function run(
  command: string,
  args: string[],
  context: string,
  cwd?: string,
): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" })
      .output();
  } catch (error) {
    throw new Error(`${context}: cannot run ${command} (${(error as Error).message})`);
  }
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`${context}: ${command} ${args.at(-1)} failed: ${stderr}`);
  }
  return new TextDecoder().decode(output.stdout);
}

/** The `-o` options that point apt at the private lists and cache under `cacheDir`. */
export function aptOptions(cacheDir: string): string[] {
  // apt reads relative directories as relative to its root "/", not to the working directory.
  cacheDir = resolve(cacheDir);
  const options = [
    `Dir::State::Lists=${join(cacheDir, "lists")}`,
    `Dir::Cache=${join(cacheDir, "cache")}`,
    // Some images (Debian's docker ones) disable apt's binary cache; each apt-cache call
    // would then re-read the 80 MB of indexes. The private cache folder can hold it.
    "Dir::Cache::pkgcache=pkgcache.bin",
    "Dir::Cache::srcpkgcache=srcpkgcache.bin",
    "Acquire::Languages=en",
  ];
  // As root, apt drops privileges to the `_apt` user, who cannot write into this folder.
  if (Deno.uid() === 0) options.push("APT::Sandbox::User=root");
  return options.flatMap((option) => ["-o", option]);
}

/** Find the lists file whose name ends with `suffix` (e.g. "_bookworm_main_i18n_Translation-en.lz4"). */
export async function findListsFile(cacheDir: string, suffix: string): Promise<string | null> {
  try {
    for await (const entry of Deno.readDir(join(cacheDir, "lists"))) {
      if (entry.name.endsWith(suffix)) return join(cacheDir, "lists", entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return null;
}

/** Run the private `apt-get update` once: skipped when `suffix`'s index is already there. */
export async function ensureLists(cacheDir: string, suffix: string): Promise<string> {
  const existing = await findListsFile(cacheDir, suffix);
  if (existing !== null) return existing;
  await Deno.mkdir(join(cacheDir, "lists", "partial"), { recursive: true });
  await Deno.mkdir(join(cacheDir, "cache", "archives", "partial"), { recursive: true });
  await run("apt-get", [...aptOptions(cacheDir), "update"], "apt lists");
  const fetched = await findListsFile(cacheDir, suffix);
  if (fetched === null) {
    throw new Error(`apt lists: no index named *${suffix} after apt-get update`);
  }
  return fetched;
}

/** Text of a (possibly compressed) lists file, decompressed by apt's own helper. */
export function readListsFile(path: string): Promise<string> {
  return run("/usr/lib/apt/apt-helper", ["cat-file", path], path);
}

/** Parse `apt-cache show` output: the first stanza's fields. */
export function parseControlFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "") break;
    const match = line.match(/^([A-Za-z0-9-]+):\s*(.*)$/);
    if (match) fields.set(match[1], match[2]);
  }
  return fields;
}

/** Version and SHA-256 of the candidate version of package `name` in the private lists. */
export async function debCandidate(
  name: string,
  cacheDir: string,
): Promise<{ version: string; sha256: string; fileName: string }> {
  const show = await run(
    "apt-cache",
    [...aptOptions(cacheDir), "show", "--no-all-versions", name],
    `package "${name}"`,
  );
  const fields = parseControlFields(show);
  const [version, sha256, filename] = ["Version", "SHA256", "Filename"].map((k) => fields.get(k));
  if (!version || !sha256 || !filename) {
    throw new Error(`package "${name}": apt-cache show gave no Version/SHA256/Filename`);
  }
  // apt-get download names the file package_version_arch.deb with ":" escaped as "%3a".
  const architecture = basename(filename).replace(/\.deb$/, "").split("_").pop();
  return {
    version,
    sha256,
    fileName: `${name}_${version.replace(":", "%3a")}_${architecture}.deb`,
  };
}

/** Download (if needed), verify and unpack package `name` under `cacheDir`. */
export async function fetchDeb(name: string, cacheDir: string): Promise<DebPackage> {
  const { version, sha256, fileName } = await debCandidate(name, cacheDir);
  const debDir = join(cacheDir, "debs");
  const debPath = join(debDir, fileName);
  await Deno.mkdir(debDir, { recursive: true });
  const present = await sha256File(debPath).catch(() => null);
  if (present !== sha256) {
    await run("apt-get", [...aptOptions(cacheDir), "download", name], `package "${name}"`, debDir);
  }
  const downloaded = await sha256File(debPath).catch(() => null);
  if (downloaded !== sha256) {
    throw new Error(
      `package "${name}": ${debPath} has SHA-256 ${downloaded}, the archive lists ${sha256}`,
    );
  }
  const root = join(cacheDir, "root", `${name}_${version.replace(":", "%3a")}`);
  try {
    await Deno.stat(root);
  } catch {
    // Unpack beside the target and rename, so an interrupted unpack is never taken as done.
    const partial = `${root}.partial-${Deno.pid}`;
    await Deno.remove(partial, { recursive: true }).catch(() => {});
    await Deno.mkdir(partial, { recursive: true });
    await run("dpkg-deb", ["-x", debPath, partial], `package "${name}"`);
    await Deno.rename(partial, root);
  }
  return { name, version, sha256, root };
}
