/**
 * Retrieval datasets in the BEIR folder layout, read and written.
 *
 *   folder/corpus.jsonl       {"_id": "d1", "title": "...", "text": "..."} per line
 *   folder/queries.jsonl      {"_id": "q1", "text": "..."} per line
 *   folder/qrels/<split>.tsv  header `query-id corpus-id score`, then one judgment per line
 *
 * What is an error and what is dropped, decided once here:
 * - errors (message names file:line): bad JSON, a line that is not an object, a missing or
 *   non-string `_id`/`text`, a `title` neither string nor null (null reads as ""), a
 *   duplicate id, a qrels line without exactly 3 tab-separated columns, a grade that is
 *   not an integer, a repeated (query, doc) pair, a missing or wrong qrels header.
 * - dropped with one counted warning per file: judgments whose query or document id is
 *   not in queries.jsonl / corpus.jsonl. BEIR's loader keeps only queries that have qrels
 *   and text; a judged document absent from the corpus can be retrieved by no model, so it
 *   only compresses every score alike, and usually means the qrels belong to another
 *   version of the corpus: the warning says so, the numbers stay comparable.
 *
 * Queries without judgments stay in `queries` (the files are read faithfully); evaluation
 * scores only the queries that appear in `qrels`, as BEIR does.
 */
import { basename, join } from "node:path";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { listFiles, readPackageText } from "../util/files.ts";
import { readJsonl, writeJsonl } from "../util/jsonl.ts";

/** Documents by id. `title` is "" where the dataset has none. */
export type Corpus = Map<string, { title: string; text: string }>;
/** Query text by query id. */
export type Queries = Map<string, string>;
/** Relevance grade by document id, by query id (0 = judged not relevant). */
export type Qrels = Map<string, Map<string, number>>;
/** One retrieval test collection: documents, queries and their judgments. */
export type BeirDataset = { name: string; corpus: Corpus; queries: Queries; qrels: Qrels };

/** Options of {@link readBeir}. */
export type ReadBeirOptions = {
  /** Which `qrels/<split>.tsv` to read. */
  split?: string;
  /** Receives the counted warnings about dropped judgments. */
  onWarning?: (message: string) => void;
};

const QRELS_HEADER = ["query-id", "corpus-id", "score"];

/** Read a BEIR folder; throws an Error naming the file and line of any malformed record. */
export async function readBeir(
  folder: string,
  options: ReadBeirOptions = {},
): Promise<BeirDataset> {
  const { split = "test", onWarning = console.warn } = options;
  const corpus: Corpus = new Map();
  for (const { record, where } of await readJsonLines(join(folder, "corpus.jsonl"))) {
    const id = requireString(record, "_id", where);
    const title = record.title ?? ""; // some corpora write a missing title as null
    if (typeof title !== "string") throw new Error(`${where}: "title" must be a string`);
    if (corpus.has(id)) throw new Error(`${where}: duplicate document _id "${id}"`);
    corpus.set(id, { title, text: requireString(record, "text", where) });
  }
  const queries: Queries = new Map();
  for (const { record, where } of await readJsonLines(join(folder, "queries.jsonl"))) {
    const id = requireString(record, "_id", where);
    if (queries.has(id)) throw new Error(`${where}: duplicate query _id "${id}"`);
    queries.set(id, requireString(record, "text", where));
  }
  const qrelsPath = join(folder, "qrels", `${split}.tsv`);
  const qrels = parseQrels(await readQrelsText(folder, qrelsPath), qrelsPath);
  return dropUnknownJudgments(
    { name: basename(folder), corpus, queries, qrels },
    qrelsPath,
    onWarning,
  );
}

/** Write `dataset` as a BEIR folder (each file atomically); `split` names the qrels file. */
export async function writeBeir(
  folder: string,
  dataset: BeirDataset,
  options: { split?: string } = {},
): Promise<void> {
  const { split = "test" } = options;
  const qrelsLines = [QRELS_HEADER.join("\t")];
  for (const [queryId, judged] of dataset.qrels) {
    for (const [docId, grade] of judged) {
      // Ids with tabs or newlines would silently shift the TSV columns on reading back.
      for (const id of [queryId, docId]) {
        if (/[\t\r\n]/.test(id)) {
          throw new Error(`writeBeir: id ${JSON.stringify(id)} has a tab or newline`);
        }
      }
      if (!Number.isInteger(grade)) {
        throw new Error(`writeBeir: grade ${grade} of (${queryId}, ${docId}) is not an integer`);
      }
      qrelsLines.push(`${queryId}\t${docId}\t${grade}`);
    }
  }
  const corpus = [...dataset.corpus].map(([id, { title, text }]) => ({ _id: id, title, text }));
  await writeJsonl(join(folder, "corpus.jsonl"), corpus);
  await writeJsonl(
    join(folder, "queries.jsonl"),
    [...dataset.queries].map(([id, text]) => ({ _id: id, text })),
  );
  await writeFileAtomic(
    join(folder, "qrels", `${split}.tsv`),
    qrelsLines.map((line) => line + "\n").join(""),
  );
}

/** The qrels file's text; when it is missing, the error lists the splits that do exist. */
async function readQrelsText(folder: string, path: string): Promise<string> {
  if (await Deno.stat(path).catch(() => null)) return readPackageText(path);
  const files = await listFiles(join(folder, "qrels"), /\.tsv$/).catch(() => []);
  const splits = files.map((name) => name.slice(0, -".tsv".length)).join(", ");
  throw new Error(`${path}: file not found${splits ? ` (qrels splits present: ${splits})` : ""}`);
}

/** Non-blank lines of `text` with their 1-based line numbers; tolerates CRLF files. */
export function numberedLines(text: string): { line: string; number: number }[] {
  return text.split("\n")
    .map((line, index) => ({ line: line.replace(/\r$/, ""), number: index + 1 }))
    .filter(({ line }) => line.trim() !== "");
}

/** Each object of a BEIR JSON Lines file with its "file:line". */
function readJsonLines(path: string) {
  return readJsonl(path, (record, where) => ({ record, where }), { finalNewline: false });
}

function requireString(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (value === undefined) throw new Error(`${where}: missing "${key}"`);
  if (typeof value !== "string") throw new Error(`${where}: "${key}" must be a string`);
  return value;
}

/** Parse qrels TSV text (header, then `query-id \t corpus-id \t integer grade` lines). */
function parseQrels(text: string, path: string): Qrels {
  const lines = numberedLines(text);
  const header = lines[0]?.line.split("\t").map((column) => column.trim());
  if (header === undefined || header.join("\t") !== QRELS_HEADER.join("\t")) {
    const found = header === undefined ? "an empty file" : JSON.stringify(lines[0].line);
    throw new Error(
      `${path}:${
        lines[0]?.number ?? 1
      }: expected header "query-id\\tcorpus-id\\tscore", found ${found}`,
    );
  }
  const qrels: Qrels = new Map();
  for (const { line, number } of lines.slice(1)) {
    const where = `${path}:${number}`;
    const columns = line.split("\t");
    if (columns.length !== 3) {
      throw new Error(`${where}: expected 3 tab-separated columns, found ${columns.length}`);
    }
    const [queryId, docId, gradeText] = columns.map((column) => column.trim());
    const grade = Number(gradeText);
    if (gradeText === "" || !Number.isInteger(grade)) {
      throw new Error(`${where}: score ${JSON.stringify(gradeText)} is not an integer`);
    }
    addJudgment(qrels, { queryId, docId, grade }, where);
  }
  return qrels;
}

/** Add one judgment to `qrels`; a repeated (query, doc) pair is an error at `where`. */
export function addJudgment(
  qrels: Qrels,
  judgment: { queryId: string; docId: string; grade: number },
  where: string,
): void {
  const { queryId, docId, grade } = judgment;
  const judged = qrels.get(queryId) ?? new Map<string, number>();
  if (judged.has(docId)) throw new Error(`${where}: repeated judgment for (${queryId}, ${docId})`);
  qrels.set(queryId, judged.set(docId, grade));
}

/**
 * Drop judgments whose query or document id is not in the dataset, reporting one counted
 * warning that names `source` (see the module comment for why these are not errors).
 */
export function dropUnknownJudgments(
  dataset: BeirDataset,
  source: string,
  onWarning: (message: string) => void,
): BeirDataset {
  const unknownQueries = new Set<string>();
  const unknownDocs = new Set<string>();
  let dropped = 0;
  const qrels: Qrels = new Map();
  for (const [queryId, judged] of dataset.qrels) {
    const kept = new Map<string, number>();
    for (const [docId, grade] of judged) {
      if (!dataset.queries.has(queryId)) unknownQueries.add(queryId);
      else if (!dataset.corpus.has(docId)) unknownDocs.add(docId);
      else kept.set(docId, grade);
    }
    dropped += judged.size - kept.size;
    if (kept.size > 0) qrels.set(queryId, kept);
  }
  if (dropped > 0) {
    const named = [describe(unknownQueries, "query"), describe(unknownDocs, "document")];
    onWarning(`${source}: dropped ${dropped} judgment(s) naming ${named.join(" and ")}`);
  }
  return { ...dataset, qrels };
}

/** "2 unknown query id(s) (e.g. "q9", "q10")": a count plus a few examples to grep for. */
function describe(ids: Set<string>, kind: string): string {
  const shown = [...ids].slice(0, 3).map((id) => JSON.stringify(id));
  const examples = ids.size === 0 ? "" : ` (e.g. ${shown.join(", ")})`;
  return `${ids.size} unknown ${kind} id(s)${examples}`;
}
