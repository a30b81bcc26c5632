/**
 * The four dictd dictionaries used as unsupervised sources, each turned into
 * headword -> definition pairs.
 *
 * Entry layouts (from the Debian packages):
 *   gcide   `Calotype \Cal"o*type\, n. [etymology]` then indented senses, each closed by
 *           a source tag such as `[1913 Webster]`; `{braces}` mark cross-references.
 *   foldoc  headword and synonym lines, a blank line, the definition, a `(1995-03-28)` date.
 *   jargon  headword, a pronunciation/part-of-speech line, a blank line, the definition.
 *   vera    the acronym, then its indented expansion.
 *
 * GCIDE folds in part of WordNet (senses tagged `[WordNet 1.5]`); WordNet is this study's
 * supervised source and its test split is evaluation data, so GCIDE entries citing WordNet
 * are dropped here rather than left for the leakage check to find one by one.
 */
import type { DictdEntry } from "./dictd.ts";
import type { Pair } from "../../datasets/records.ts";
import { collapseWhitespace } from "../../util/text.ts";

/** The dictd dictionaries this study reads. */
export const DICTIONARIES = ["gcide", "foldoc", "jargon", "vera"] as const;
/** One of {@link DICTIONARIES}. */
export type DictionaryName = typeof DICTIONARIES[number];

/** A pair, or the reason an entry gives none (counted in the data card). */
export type EntryOutcome = Pair | { skipped: string };

const SOURCE_TAG = /\[(?:[^\[\]]*Webster[^\[\]]*|PJC|Century Dict\.|[^\[\]]*WordNet[^\[\]]*)\]/g;

/** Split an entry into header lines (before the first blank line) and the rest. */
function splitHeader(text: string): { header: string[]; body: string } {
  const lines = text.replace(/\r/g, "").split("\n");
  const blank = lines.findIndex((line) => line.trim() === "");
  if (blank < 0) return { header: lines.slice(0, 1), body: lines.slice(1).join("\n") };
  return { header: lines.slice(0, blank), body: lines.slice(blank + 1).join("\n") };
}

function gcide(entry: DictdEntry): { query: string; document: string } | string {
  if (entry.text.includes("[WordNet")) return "cites WordNet (the supervised source)";
  const firstLine = entry.text.split("\n")[0];
  const pronunciation = firstLine.match(/^(.*?)\s\\[^\\]*\\/);
  const query = pronunciation ? pronunciation[1] : entry.headwords[0];
  const rest = pronunciation ? entry.text.slice(pronunciation[0].length) : entry.text;
  const document = rest.replace(SOURCE_TAG, " ").replace(/^[\s,]+/, "");
  return { query, document };
}

function foldocOrJargon(entry: DictdEntry): { query: string; document: string } {
  const { header, body } = splitHeader(entry.text);
  // FOLDOC closes each entry with its last-edit date, which is not part of the definition.
  return { query: header[0], document: body.replace(/\(\d{4}-\d{2}-\d{2}\)\s*$/, "") };
}

function vera(entry: DictdEntry): { query: string; document: string } {
  const [first, ...rest] = entry.text.split("\n");
  return { query: first, document: rest.join("\n") };
}

const PARSERS: Record<
  DictionaryName,
  (entry: DictdEntry) => { query: string; document: string } | string
> = { gcide, foldoc: foldocOrJargon, jargon: foldocOrJargon, vera };

/** Turn one dictd entry of `dictionary` into a headword -> definition pair. */
export function dictionaryPair(dictionary: DictionaryName, entry: DictdEntry): EntryOutcome {
  if (entry.headwords.every((headword) => /^00-?database/.test(headword))) {
    return { skipped: "database metadata entry" };
  }
  const parsed = PARSERS[dictionary](entry);
  if (typeof parsed === "string") return { skipped: parsed };
  const query = collapseWhitespace(parsed.query);
  const document = collapseWhitespace(parsed.document.replace(/[{}]/g, ""));
  if (query === "" || document === "") return { skipped: "empty headword or definition" };
  // Each entry is its own group: dictionaries have no known sibling structure.
  return { query, document, group: `${dictionary}:${entry.headwords[0]}` };
}
