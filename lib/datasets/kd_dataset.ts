/**
 * The knowledge-distillation dataset, in the shape of the paper's MS MARCO file: per
 * training query, 32 candidate documents from a first-stage retriever and the teacher's
 * scores of them. Computed once (the teacher is the expensive part) and cached as JSONL:
 *
 *   {"queryId": "q1", "query": "...", "documentIds": ["d4", "d9", ...], "scores": [7.1, ...]}
 *
 * `documentIds[0]` is always the query's labelled positive (inserted when the first stage
 * missed it), so the teacher's own quality can be read from the file; the others follow in
 * first-stage order. When the first stage returns fewer candidates than needed (BM25 only
 * returns documents sharing a term), random corpus documents, seeded by the query id, fill
 * the list: the KD loss needs every query to have the same number of documents.
 */
import type { Corpus } from "./beir.ts";
import { bm25Retriever, documentText } from "../retrieval/bm25.ts";
import { readJsonl, writeJsonl } from "../util/jsonl.ts";
import { hashString, seededRandom } from "../util/random.ts";
import type { Retriever } from "../retrieval/evaluate.ts";
import { rankDocuments } from "../retrieval/metrics.ts";
import type { LabelledQuery } from "../retrieval/mining.ts";
import { formatDuration } from "../train/progress.ts";

/** Documents per query in the paper's KD file. */
export const KD_CANDIDATES = 32;

/** One query of the KD dataset: candidate ids (positive first) and the teacher's scores. */
export interface KdRecord {
  queryId: string;
  query: string;
  documentIds: string[];
  scores: number[];
}

/** Raw teacher scores of `documents` for `query`, in order (e.g. teacher.ts's scoreCandidates). */
export type TeacherScorer = (
  query: string,
  documents: readonly string[],
) => Promise<ArrayLike<number>>;

/** Options of {@link buildKdDataset}. */
export interface BuildKdOptions {
  /** The teacher that labels every candidate. */
  teacher: TeacherScorer;
  /** Where the candidates come from (BM25 over the corpus by default; a model works too). */
  firstStage?: Retriever;
  /** Documents per query. */
  candidates?: number;
  /** Queries sent to the first stage at once. */
  chunkSize?: number;
  /** Receives the progress lines (console.log by default). */
  onProgress?: (line: string) => void;
  /** Least time between two progress lines; the last query always prints one. */
  progressIntervalMs?: number;
}

/** The dataset and how well the first stage did. */
export interface KdDataset {
  records: KdRecord[];
  /** Fraction of queries whose positive the first stage returned among its candidates. */
  firstStageRecall: number;
  /** Random documents added where the first stage returned too few, over all queries. */
  randomFilled: number;
}

/** Label the first stage's candidates of every query of `queries` with the teacher. */
export async function buildKdDataset(
  queries: readonly LabelledQuery[],
  corpus: Corpus,
  options: BuildKdOptions,
): Promise<KdDataset> {
  const { candidates = KD_CANDIDATES, chunkSize = 256, progressIntervalMs = 5000 } = options;
  const { onProgress = console.log } = options;
  if (!(Number.isInteger(candidates) && candidates >= 1 && candidates <= corpus.size)) {
    throw new Error(
      `kd_dataset.ts: ${candidates} candidates per query need a corpus at least that large ` +
        `(it has ${corpus.size} documents)`,
    );
  }
  const firstStage = options.firstStage ?? bm25Retriever(corpus);
  const corpusIds = [...corpus.keys()];
  const check = recordChecker({ candidates });
  const dataset: KdDataset = { records: [], firstStageRecall: 0, randomFilled: 0 };
  const start = performance.now();
  let lastPrint = -Infinity;
  for (let offset = 0; offset < queries.length; offset += chunkSize) {
    const chunk = queries.slice(offset, offset + chunkSize);
    const run = await firstStage.search(
      new Map(chunk.map((q) => [q.id, q.text])),
      candidates,
    );
    for (const query of chunk) {
      if (!corpus.has(query.positive)) {
        throw new Error(
          `kd_dataset.ts: query "${query.id}" has unknown positive "${query.positive}"`,
        );
      }
      const retrieved = rankDocuments(run.get(query.id) ?? new Map()).slice(0, candidates);
      if (retrieved.includes(query.positive)) dataset.firstStageRecall++;
      const documentIds = [query.positive, ...retrieved.filter((id) => id !== query.positive)]
        .slice(0, candidates);
      dataset.randomFilled += fillAtRandom(documentIds, corpusIds, candidates, query.id);
      const scores = Array.from(
        await options.teacher(query.text, documentIds.map((id) => documentText(corpus.get(id)!))),
      );
      dataset.records.push(
        check(
          { queryId: query.id, query: query.text, documentIds, scores },
          `teacher scores of query "${query.id}"`,
        ),
      );
      const done = dataset.records.length;
      const now = performance.now();
      if (now - lastPrint >= progressIntervalMs || done === queries.length) {
        lastPrint = now;
        const rate = done / ((now - start) / 1000);
        onProgress(
          `kd dataset | ${done}/${queries.length} queries | ${rate.toFixed(1)} queries/s | ` +
            `${formatDuration((queries.length - done) / rate)} left`,
        );
      }
    }
  }
  dataset.firstStageRecall /= Math.max(queries.length, 1);
  return dataset;
}

/** Append distinct random corpus ids to `ids` until it holds `size`; returns how many. */
function fillAtRandom(ids: string[], corpusIds: string[], size: number, seedKey: string): number {
  const missing = size - ids.length;
  const random = seededRandom(hashString(seedKey));
  const taken = new Set(ids);
  while (ids.length < size) {
    const id = corpusIds[Math.floor(random() * corpusIds.length)];
    if (!taken.has(id)) {
      taken.add(id);
      ids.push(id);
    }
  }
  return missing;
}

/** What {@link readKdDataset} and {@link writeKdDataset} check besides each record's shape. */
export interface KdCheckOptions {
  /** Documents every record must have. */
  candidates?: number;
  /** When given, every document id must be one of its ids. */
  corpus?: Corpus;
}

type RecordCheck = (record: Record<string, unknown>, where: string) => KdRecord;

/** A check of one record after another, which also refuses a query id seen before. */
function recordChecker(options: KdCheckOptions): RecordCheck {
  const firstSeen = new Map<string, string>();
  return (record, where) => {
    const checked = checkRecord(record, where, options);
    const earlier = firstSeen.get(checked.queryId);
    if (earlier) throw new Error(`${where}: query id "${checked.queryId}" repeats ${earlier}`);
    firstSeen.set(checked.queryId, where);
    return checked;
  };
}

function checkRecord(
  record: Record<string, unknown>,
  where: string,
  options: KdCheckOptions,
): KdRecord {
  const { candidates = KD_CANDIDATES, corpus } = options;
  const { queryId, query, documentIds, scores } = record;
  for (const [key, value] of [["queryId", queryId], ["query", query]]) {
    if (typeof value !== "string" || value === "") {
      throw new Error(`${where}: "${key}" must be a non-empty string`);
    }
  }
  if (!Array.isArray(documentIds) || documentIds.some((id) => typeof id !== "string")) {
    throw new Error(`${where}: "documentIds" must be an array of strings`);
  }
  if (!Array.isArray(scores) || scores.some((score) => typeof score !== "number")) {
    throw new Error(`${where}: "scores" must be an array of numbers`);
  }
  if (documentIds.length !== candidates || scores.length !== candidates) {
    throw new Error(
      `${where}: expected ${candidates} document ids and scores, found ` +
        `${documentIds.length} ids and ${scores.length} scores`,
    );
  }
  const bad = scores.findIndex((score) => !Number.isFinite(score));
  if (bad !== -1) throw new Error(`${where}: score ${bad} is ${scores[bad]}, not finite`);
  const seen = new Set<string>();
  for (const id of documentIds as string[]) {
    if (seen.has(id)) throw new Error(`${where}: document id "${id}" appears twice`);
    if (corpus && !corpus.has(id)) throw new Error(`${where}: unknown document id "${id}"`);
    seen.add(id);
  }
  return { queryId, query, documentIds, scores } as KdRecord;
}

/** Write `records` as JSONL (atomically), after checking each as the reader would. */
export async function writeKdDataset(
  path: string,
  records: readonly KdRecord[],
  options: KdCheckOptions = {},
): Promise<void> {
  const check = recordChecker(options);
  records.forEach((record, i) => check({ ...record }, `${path}: record ${i + 1}`));
  await writeJsonl(path, records);
}

/**
 * Read a KD dataset, strictly: an Error names the file and line of a record with the wrong
 * number of ids or scores, a non-finite score, a repeated document id, a document id absent
 * from `options.corpus`, or a query id already seen on an earlier line.
 */
export function readKdDataset(path: string, options: KdCheckOptions = {}): Promise<KdRecord[]> {
  return readJsonl(path, recordChecker(options));
}

/** How well the teacher ranks each record's labelled positive (`documentIds[0]`). */
export interface TeacherQuality {
  queries: number;
  /** Fraction of queries whose positive gets the strictly highest teacher score. */
  positiveTop: number;
  /** Mean of 1 / the positive's rank; a tie ranks the positive below (a constant teacher scores 1 / K). */
  mrr: number;
}

/** The teacher's quality on its own KD dataset: a row of the phase's report. */
export function teacherQuality(records: readonly KdRecord[]): TeacherQuality {
  if (records.length === 0) throw new Error("kd_dataset.ts: no records to summarise");
  let top = 0, reciprocalRanks = 0;
  for (const { scores } of records) {
    const rank = 1 + scores.slice(1).filter((score) => score >= scores[0]).length;
    if (rank === 1) top++;
    reciprocalRanks += 1 / rank;
  }
  return {
    queries: records.length,
    positiveTop: top / records.length,
    mrr: reciprocalRanks / records.length,
  };
}
