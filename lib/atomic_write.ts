/**
 * Atomic file writes: write to a temporary name beside the target, then rename.
 *
 * A crash or a bad input mid-write therefore never leaves a half-written checkpoint,
 * dataset or result under the real name; the previous version stays intact until the
 * rename, which POSIX makes atomic within one filesystem.
 */
import { dirname } from "node:path";

let counter = 0;

/** Write `data` to `path` atomically, creating parent folders as needed. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp-${Deno.pid}-${counter++}`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(temporary, data);
    else await Deno.writeFile(temporary, data);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/** Write `value` as pretty JSON to `path` atomically. */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}
