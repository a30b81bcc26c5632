/**
 * JSON Lines files, the one reader and writer of the suite (the records, data cards' inputs,
 * BEIR corpora and queries): one JSON object per line, written atomically, read with
 * file:line errors.
 */
import { writeFileAtomic } from "./atomic_write.ts";
import { readPackageText } from "./files.ts";

/** Write `records` as JSON Lines to `path` (atomically: a failure leaves the old file). */
export function writeJsonl(path: string, records: Iterable<unknown>): Promise<void> {
  const lines: string[] = [];
  for (const record of records) lines.push(JSON.stringify(record) + "\n");
  return writeFileAtomic(path, lines.join(""));
}

/** Options of {@link readJsonl}. */
export interface ReadJsonlOptions {
  /**
   * Throw when the last line has no newline (default true): every file this suite writes
   * ends with one, so a missing one means a cut-off copy. Files made elsewhere (BEIR's) may
   * lack it.
   */
  finalNewline?: boolean;
}

/**
 * Read JSON Lines (gunzipped when `path` ends in `.gz`), checking each object with
 * `check(record, "file:line")`. Blank lines are skipped and CRLF line ends are fine (JSON
 * allows the `\r`); bad JSON, a non-object or a failed check throws naming file:line.
 */
export async function readJsonl<T>(
  path: string,
  check: (record: Record<string, unknown>, where: string) => T,
  options: ReadJsonlOptions = {},
): Promise<T[]> {
  const { finalNewline = true } = options;
  const text = await readPackageText(path);
  if (finalNewline && text !== "" && !text.endsWith("\n")) {
    throw new Error(`${path}: truncated (the last line has no newline)`);
  }
  const records: T[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    if (lines[index].trim() === "") continue;
    const where = `${path}:${index + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(lines[index]);
    } catch (error) {
      throw new Error(`${where}: bad JSON (${(error as Error).message})`);
    }
    if (typeof record !== "object" || record === null || Array.isArray(record)) {
      throw new Error(`${where}: expected a JSON object`);
    }
    records.push(check(record as Record<string, unknown>, where));
  }
  return records;
}
