/**
 * TREC run files, the format trec_eval and pytrec_eval read: one retrieved document a line,
 *
 *   qid Q0 docid rank score tag
 *
 * whitespace separated. trec_eval ignores the 2nd and 4th columns and ranks by score
 * (descending, ties by document id descending), so the ranks written here follow that same
 * order (`rankDocuments`) and a reader of the ranks sees what trec_eval scores. Scores are
 * written as JavaScript's shortest round-trip decimal, so reading gives back the same
 * numbers. A query with no documents leaves no line, and so is absent when read back.
 *
 * @example
 * await writeTrecRun("bm25.run", new Map([["q1", new Map([["d7", 12.5]])]]), { tag: "bm25" });
 * // bm25.run: "q1 Q0 d7 1 12.5 bm25\n"
 * (await readTrecRun("bm25.run")).get("q1"); // Map { "d7" => 12.5 }
 */
import { writeFileAtomic } from "../util/atomic_write.ts";
import { numberedLines } from "../datasets/beir.ts";
import { readPackageText } from "../util/files.ts";
import { rankDocuments, type Run } from "./metrics.ts";

/** Options of {@link writeTrecRun}. */
export type WriteTrecRunOptions = {
  /** The run's name, written in the last column of every line. */
  tag?: string;
};

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Write `run` to `path` atomically in TREC format, each query's documents in rank order. */
export async function writeTrecRun(
  path: string,
  run: Run,
  options: WriteTrecRunOptions = {},
): Promise<void> {
  const { tag = "run" } = options;
  requireField(tag, "tag", path);
  const lines: string[] = [];
  for (const [queryId, scores] of run) {
    requireField(queryId, "query id", path);
    rankDocuments(scores).forEach((docId, index) => {
      const score = scores.get(docId)!;
      requireField(docId, "document id", path);
      if (!Number.isFinite(score)) {
        throw new Error(`${path}: score of (${queryId}, ${docId}) is ${score}, not finite`);
      }
      lines.push(`${queryId} Q0 ${docId} ${index + 1} ${score} ${tag}\n`);
    });
  }
  await writeFileAtomic(path, lines.join(""));
}

/** Read a TREC run file; a malformed line throws an Error naming the file and line. */
export async function readTrecRun(path: string): Promise<Run> {
  const run: Run = new Map();
  for (const { line, number } of numberedLines(await readPackageText(path))) {
    const where = `${path}:${number}`;
    const columns = line.trim().split(/\s+/);
    if (columns.length !== 6) {
      throw new Error(
        `${where}: expected 6 columns "qid Q0 docid rank score tag", found ${columns.length}`,
      );
    }
    const [queryId, , docId, rank, scoreText] = columns;
    if (!/^\d+$/.test(rank)) throw new Error(`${where}: rank "${rank}" is not an integer`);
    const score = Number(scoreText);
    if (!DECIMAL.test(scoreText) || !Number.isFinite(score)) {
      throw new Error(`${where}: score "${scoreText}" is not a finite number`);
    }
    const scores = run.get(queryId) ?? new Map<string, number>();
    // trec_eval rejects a document retrieved twice for one query; so does this reader.
    if (scores.has(docId)) throw new Error(`${where}: document ${docId} repeated for ${queryId}`);
    run.set(queryId, scores.set(docId, score));
  }
  return run;
}

/** Ids and tags become whitespace-separated columns: blanks would shift the columns. */
function requireField(value: string, what: string, path: string): void {
  if (value === "" || /\s/.test(value)) {
    throw new Error(`${path}: ${what} ${JSON.stringify(value)} is empty or has whitespace`);
  }
}
