/**
 * Atomic file writes: write to a temporary name beside the target, then rename.
 *
 * A crash or a bad input mid-write therefore never leaves a half-written checkpoint,
 * dataset or result under the real name; the previous version stays intact until the
 * rename, which POSIX makes atomic within one filesystem. A process killed mid-write
 * leaves its temporary file; the next write of the same target removes the ones whose
 * writer is gone (the name carries the writer's process id, see process_identity.ts), never
 * those of a live writer.
 */
import { basename, dirname, join } from "node:path";
import { processId, processState } from "./process_identity.ts";

let counter = 0;

/** Write `data` to `path` atomically, creating parent folders as needed. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await removeAbandoned(path);
  const temporary = `${path}.tmp-${processId()}-${counter++}`;
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

/** Remove `path`'s temporary siblings left by writers that are no longer running. */
async function removeAbandoned(path: string): Promise<void> {
  const prefix = `${basename(path)}.tmp-`;
  for await (const entry of Deno.readDir(dirname(path))) {
    if (!entry.isFile || !entry.name.startsWith(prefix)) continue;
    const writer = entry.name.slice(prefix.length).replace(/-\d+$/, "");
    if (processState(writer) === "gone") {
      await Deno.remove(join(dirname(path), entry.name)).catch(() => {});
    }
  }
}
