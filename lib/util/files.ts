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

/** Sorted names of the regular files in `dir` matching `pattern` (symbolic links left out). */
export async function listFiles(dir: string, pattern: RegExp): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && pattern.test(entry.name)) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Error(`${dir}: folder not found`);
    throw error;
  }
  return names.sort();
}

/** Text of `path`, gunzipped when it ends in `.gz`; not found, corrupt or non-UTF-8 throws naming it. */
export async function readPackageText(path: string): Promise<string> {
  const bytes = await readBytes(path);
  return decodeUtf8(path.endsWith(".gz") ? gunzipFile(path, bytes) : bytes, path);
}

/** The one subfolder of `dir` (e.g. perl's version folder `usr/share/perl/5.36.0`). */
export async function onlySubfolder(dir: string): Promise<string> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) if (entry.isDirectory) names.push(entry.name);
  if (names.length !== 1) throw new Error(`${dir}: expected one subfolder, found ${names.length}`);
  return join(dir, names[0]);
}
