/**
 * Dictionaries in the dictd format (RFC 2229 servers), as shipped by Debian's dict-* packages.
 *
 *   NAME.index    one line per headword: `headword \t offset \t length`, the numbers
 *                 written in base64 digits (A-Z a-z 0-9 + /, most significant first)
 *   NAME.dict.dz  the entries' text, gzip (dictzip) compressed; an entry is the byte
 *                 range [offset, offset + length)
 *
 * Several headwords may point to the same entry (inflections, synonyms): they are merged
 * into one {@link DictdEntry}, in index order.
 */
import { gunzipFile, readBytes } from "../../util/files.ts";
import { decodeUtf8 } from "../../util/text.ts";

/** One dictionary entry with every headword that points to it. */
export type DictdEntry = { headwords: string[]; text: string; where: string };

/** What {@link readDictd} read: the entries, plus those whose bytes are not UTF-8. */
export type DictdContents = { entries: DictdEntry[]; undecodable: string[] };

const DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Decode a dictd base64 number ("Fz" = 5 * 64 + 51 = 371); errors name `where`. */
export function decodeDictdNumber(digits: string, where: string): number {
  if (digits === "") throw new Error(`${where}: empty number`);
  let value = 0;
  for (const digit of digits) {
    const index = DIGITS.indexOf(digit);
    if (index < 0) throw new Error(`${where}: "${digits}" is not a dictd base64 number`);
    value = value * 64 + index;
  }
  return value;
}

/**
 * Read a dictd dictionary. Errors name the index file and line (bad line, range past the
 * end of the data). Entries that are not valid UTF-8 are listed in `undecodable` (by
 * file:line) rather than thrown: the real GCIDE has 3 stray Windows-1252 bytes in 200k lines.
 */
export async function readDictd(indexPath: string, dictPath: string): Promise<DictdContents> {
  const index = decodeUtf8(await readBytes(indexPath), indexPath);
  const data = gunzipFile(dictPath, await readBytes(dictPath));
  const byRange = new Map<
    string,
    { headwords: string[]; start: number; end: number; where: string }
  >();
  const lines = index.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] === "") continue;
    const where = `${indexPath}:${i + 1}`;
    const columns = lines[i].split("\t");
    if (columns.length < 3) {
      throw new Error(`${where}: expected "headword\\toffset\\tlength", found "${lines[i]}"`);
    }
    const start = decodeDictdNumber(columns[1], where);
    const end = start + decodeDictdNumber(columns[2], where);
    if (end > data.length) {
      throw new Error(
        `${where}: entry ends at byte ${end}, past the ${data.length} bytes of ${dictPath}`,
      );
    }
    const key = `${start}:${end}`;
    const entry = byRange.get(key) ?? { headwords: [], start, end, where };
    entry.headwords.push(columns[0]);
    byRange.set(key, entry);
  }
  const entries: DictdEntry[] = [];
  const undecodable: string[] = [];
  for (const { headwords, start, end, where } of byRange.values()) {
    try {
      entries.push({ headwords, text: decodeUtf8(data.subarray(start, end), where), where });
    } catch {
      undecodable.push(where);
    }
  }
  return { entries, undecodable };
}
