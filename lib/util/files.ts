/** Reading input files: sorted listings, gzip, and errors that name the file. */
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { decodeUtf8 } from "./text.ts";

/** Bytes of `path`; a missing file throws an Error naming it. */
export async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Error(`${path}: file not found`);
    throw error;
  }
}

/** Decompress gzip bytes read from `path`; a truncated or corrupt file throws naming it. */
export function gunzipFile(path: string, bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new Error(`${path}: cannot decompress (${(error as Error).message})`);
  }
}

/** Options of {@link listFiles}. */
export interface ListFilesOptions {
  /** Walk the subfolders too; names are then `/`-separated paths relative to `dir`. */
  recursive?: boolean;
  /**
   * Count a link as what it points to, a broken one as a file (a Hub snapshot's files are
   * links to blobs). By default links are left out: in a Debian package they are aliases
   * (one manual page under several names), and reading them would duplicate documents.
   */
  followLinks?: boolean;
}

/**
 * Sorted names of the files in `dir` whose names (paths, when recursive) match `match`
 * (default all): the one folder listing of the suite. A missing `dir` throws naming it.
 */
export async function listFiles(
  dir: string,
  match?: RegExp,
  options: ListFilesOptions = {},
): Promise<string[]> {
  const { recursive = false, followLinks = false } = options;
  const names: string[] = [];
  const walk = async (prefix: string): Promise<void> => {
    for (const { name, kind } of await readEntries(join(dir, prefix), followLinks)) {
      const path = prefix === "" ? name : `${prefix}/${name}`;
      if (kind === "folder" && recursive) await walk(path);
      else if (kind === "file" && (!match || match.test(path))) names.push(path);
    }
  };
  await walk("");
  return names.sort();
}

/** Sorted names of the folders in `dir` (links to folders left out); a missing `dir` throws. */
export async function listFolders(dir: string): Promise<string[]> {
  const entries = await readEntries(dir, false);
  return entries.filter((entry) => entry.kind === "folder").map((entry) => entry.name).sort();
}

/** The entries of `dir` as files, folders or others (links, unless followed; sockets). */
async function readEntries(dir: string, followLinks: boolean) {
  const entries: { name: string; kind: "file" | "folder" | "other" }[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      let kind: "file" | "folder" | "other" = entry.isDirectory
        ? "folder"
        : entry.isFile
        ? "file"
        : "other";
      if (entry.isSymlink && followLinks) {
        const target = await Deno.stat(join(dir, entry.name)).catch(() => null);
        kind = target?.isDirectory ? "folder" : "file";
      }
      entries.push({ name: entry.name, kind });
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Error(`${dir}: folder not found`);
    throw error;
  }
  return entries;
}

/** Text of `path`, gunzipped when it ends in `.gz`; not found, corrupt or non-UTF-8 throws naming it. */
export async function readPackageText(path: string): Promise<string> {
  const bytes = await readBytes(path);
  return decodeUtf8(path.endsWith(".gz") ? gunzipFile(path, bytes) : bytes, path);
}

/** The one subfolder of `dir` (e.g. perl's version folder `usr/share/perl/5.36.0`). */
export async function onlySubfolder(dir: string): Promise<string> {
  const names = await listFolders(dir);
  if (names.length !== 1) throw new Error(`${dir}: expected one subfolder, found ${names.length}`);
  return join(dir, names[0]);
}
