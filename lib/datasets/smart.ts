/**
 * Test collections in the SMART format (CISI, CACM, MED, CRAN...), read as a BeirDataset.
 *
 *   X.ALL   documents: `.I <id>` starts a record; field markers on their own line
 *           (`.T` title, `.A` author, `.B` year, `.W` text, `.X` references, ...) each
 *           start a field that runs until the next marker.
 *   X.QRY   queries, same layout; `.W` holds the query text.
 *   X.REL   judgments, one per line: `query-id doc-id ...` (whitespace separated).
 *
 * Quirks of CISI handled here (checked against /work/shared/data/cisi):
 * - markers sometimes carry trailing spaces (`.T `); text after a marker on the same line
 *   is kept as the field's first line.
 * - `.A` repeats when a document has several authors; `.B`, `.K`, `.C`, `.X` appear
 *   too. Only `.T` and `.W` are kept: authors, years and citation lists are not text a
 *   retriever should match (BEIR-style corpora carry title and text only).
 * - 55 of the 112 queries are whole abstracts with their own `.T`/`.A`/`.B`; the query is
 *   the `.W` field alone, as the README says.
 * - CISI.REL's 3rd and 4th columns are always `0 0.000000`: they are not grades. Every
 *   listed pair is relevant (binary judgments), so each gets grade 1. Its columns are
 *   separated by a mix of spaces and tabs, with leading blanks.
 * - Only 76 of the 112 queries have judgments; the others are read but never scored.
 * - Text is wrapped at ~70 columns with indentation: whitespace runs become one space.
 */
import { basename, join } from "node:path";
import { addJudgment, type BeirDataset, dropUnknownJudgments, numberedLines } from "./beir.ts";
import { readPackageText } from "../util/files.ts";
import { collapseWhitespace } from "../util/text.ts";

/** The three files of one SMART collection, e.g. CISI.ALL, CISI.QRY, CISI.REL. */
export type SmartFiles = { documents: string; queries: string; judgments: string };

type SmartRecord = { id: string; fields: Map<string, string>; where: string };
type RecordInProgress = { id: string; lines: Map<string, string[]>; where: string };

const MARKER = /^\.([A-Z])(?:\s+(.*))?$/;
/** Markers used by the classic SMART collections; any other line starting with "." is text. */
const KNOWN_MARKERS = new Set(["I", "T", "A", "B", "W", "X", "K", "C", "N"]);

/** Find the `*.ALL`, `*.QRY`, `*.REL` files in `folder`; null when any is missing, error when doubled. */
export async function findSmartFiles(folder: string): Promise<SmartFiles | null> {
  const found = new Map<string, string>();
  for await (const entry of Deno.readDir(folder)) {
    const extension = entry.name.split(".").pop()?.toUpperCase() ?? "";
    if (!entry.isFile || !["ALL", "QRY", "REL"].includes(extension)) continue;
    const other = found.get(extension);
    if (other) {
      throw new Error(`${folder}: two *.${extension} files (${basename(other)}, ${entry.name})`);
    }
    found.set(extension, join(folder, entry.name));
  }
  const [documents, queries, judgments] = ["ALL", "QRY", "REL"].map((key) => found.get(key));
  if (!documents || !queries || !judgments) return null;
  return { documents, queries, judgments };
}

/** Read a SMART collection folder; errors name the file and line of a malformed record. */
export async function readSmart(
  folder: string,
  options: { onWarning?: (message: string) => void } = {},
): Promise<BeirDataset> {
  const { onWarning = console.warn } = options;
  const files = await findSmartFiles(folder);
  if (files === null) throw new Error(`${folder}: no *.ALL, *.QRY and *.REL files found`);
  const corpus = new Map<string, { title: string; text: string }>();
  for (const record of parseRecords(await readPackageText(files.documents), files.documents)) {
    // A record missing .W keeps its title: some SMART collections index title-only entries.
    const title = record.fields.get("T") ?? "";
    const text = record.fields.get("W") ?? "";
    if (title === "" && text === "") throw new Error(`${record.where}: document has no .T or .W`);
    if (corpus.has(record.id)) {
      throw new Error(`${record.where}: duplicate document .I ${record.id}`);
    }
    corpus.set(record.id, { title, text });
  }
  const queries = new Map<string, string>();
  for (const record of parseRecords(await readPackageText(files.queries), files.queries)) {
    const text = record.fields.get("W");
    if (!text) throw new Error(`${record.where}: query has no .W text`);
    if (queries.has(record.id)) throw new Error(`${record.where}: duplicate query .I ${record.id}`);
    queries.set(record.id, text);
  }
  const qrels = new Map<string, Map<string, number>>();
  for (const { line, number } of numberedLines(await readPackageText(files.judgments))) {
    const where = `${files.judgments}:${number}`;
    const [queryId, docId] = line.trim().split(/\s+/);
    if (docId === undefined) {
      throw new Error(`${where}: expected "query-id doc-id ...", found "${line}"`);
    }
    addJudgment(qrels, { queryId, docId, grade: 1 }, where);
  }
  const dataset = { name: basename(folder), corpus, queries, qrels };
  return dropUnknownJudgments(dataset, files.judgments, onWarning);
}

/** Split SMART text into `.I` records whose fields are whitespace-normalised strings. */
function parseRecords(text: string, path: string): SmartRecord[] {
  const records: RecordInProgress[] = [];
  let field: string[] | null = null;
  for (const [index, rawLine] of text.split("\n").entries()) {
    const line = rawLine.replace(/\r$/, "");
    const where = `${path}:${index + 1}`;
    const marker = line.match(MARKER);
    if (marker && KNOWN_MARKERS.has(marker[1])) {
      const rest = marker[2]?.trim() ?? "";
      if (marker[1] === "I") {
        if (rest === "") throw new Error(`${where}: .I without an id`);
        records.push({ id: rest, lines: new Map(), where });
        field = null;
        continue;
      }
      const record = records.at(-1);
      if (record === undefined) {
        throw new Error(`${where}: field .${marker[1]} before the first .I`);
      }
      // A repeated marker (several .A) continues the same field.
      field = record.lines.get(marker[1]) ?? [];
      record.lines.set(marker[1], field);
      field.push(rest);
    } else if (line.trim() !== "") {
      if (field === null) throw new Error(`${where}: text outside any field: "${line.trim()}"`);
      field.push(line);
    }
  }
  return records.map(({ id, lines, where }) => {
    const fields = new Map<string, string>();
    for (const [name, parts] of lines) {
      fields.set(name, collapseWhitespace(parts.join(" ")));
    }
    return { id, fields, where };
  });
}
