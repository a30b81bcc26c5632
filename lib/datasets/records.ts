/**
 * The record shapes of the training files, one JSON object per line.
 *
 *   pairs (unsupervised, one file per source):
 *     {"query": "...", "document": "...", "group": "..."}
 *     `group` names the records that must never meet as in-batch negatives (siblings of
 *     one Debian source package, one mail thread...); unrelated records have distinct groups.
 *   supervised (WordNet train/dev):
 *     {"query": "...", "positive": "...", "negatives": ["...", ...], "lemma": "..."}
 *     `negatives` are hard negatives (other senses of `lemma`); mined ones are appended later.
 */

/** One unsupervised (query, document) pair. */
export type Pair = { query: string; document: string; group: string };

/** One supervised example with hard negatives. */
export type SupervisedExample = {
  query: string;
  positive: string;
  negatives: string[];
  lemma: string;
};

function requireText(record: Record<string, unknown>, key: string, where: string): string {
  const value = record[key];
  if (typeof value !== "string" || value.trim() === "") {
    throw new Error(`${where}: "${key}" must be a non-empty string`);
  }
  return value;
}

/** Check that a parsed JSON object is a {@link Pair}; the Error names `where`. */
export function asPair(record: Record<string, unknown>, where: string): Pair {
  return {
    query: requireText(record, "query", where),
    document: requireText(record, "document", where),
    group: requireText(record, "group", where),
  };
}

/** Check that a parsed JSON object is a {@link SupervisedExample}; the Error names `where`. */
export function asSupervisedExample(
  record: Record<string, unknown>,
  where: string,
): SupervisedExample {
  const negatives = record.negatives;
  if (!Array.isArray(negatives) || negatives.some((n) => typeof n !== "string")) {
    throw new Error(`${where}: "negatives" must be an array of strings`);
  }
  return {
    query: requireText(record, "query", where),
    positive: requireText(record, "positive", where),
    negatives: negatives as string[],
    lemma: requireText(record, "lemma", where),
  };
}

/** Every text of a training record (what the leakage check compares with evaluation text). */
export function recordTexts(record: Pair | SupervisedExample): string[] {
  return "document" in record
    ? [record.query, record.document]
    : [record.query, record.positive, ...record.negatives];
}
