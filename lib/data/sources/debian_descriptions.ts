/**
 * Debian package descriptions as short -> long pairs.
 *
 * Input: the English translations index (`Translation-en`, deb822 stanzas of `Package`,
 * `Description-md5`, `Description-en`) and the `Packages` index, which maps each binary
 * package to its source package (`Source: name (version)`, absent when they are equal).
 *
 *   Description-en: Real-time strategy game of ancient warfare     <- the query
 *    0 A.D. (pronounced "zero ey-dee") is a free, open-source,      <- the document
 *    .                                                               <- a paragraph break
 *    The project is highly ambitious, ...
 *
 * Siblings (`foo`, `foo-dev`, `foo-doc`, `foo-data`) describe the same software with the
 * same paragraphs, so as in-batch negatives they would be false negatives: records of one
 * source package share a group, and so do records whose first long paragraph is identical
 * (`0ad` and `0ad-data` come from two source packages but share their text).
 */
import type { Pair } from "../../datasets/records.ts";
import { collapseWhitespace, wordCount } from "../../util/text.ts";

/** One deb822 stanza: field name -> value (continuation lines joined with "\n"). */
export type Stanza = { fields: Map<string, string>; where: string };

/** Parse deb822 text (blank-line separated stanzas); errors name `path` and the line. */
export function parseStanzas(text: string, path: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let current: Stanza | null = null;
  let lastField = "";
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") {
      current = null;
      continue;
    }
    const where = `${path}:${i + 1}`;
    if (line.startsWith(" ") || line.startsWith("\t")) {
      if (current === null) throw new Error(`${where}: continuation line outside a stanza`);
      current.fields.set(lastField, current.fields.get(lastField) + "\n" + line);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`${where}: expected "Field: value", found "${line}"`);
    if (current === null) {
      current = { fields: new Map(), where };
      stanzas.push(current);
    }
    lastField = line.slice(0, colon);
    current.fields.set(lastField, line.slice(colon + 1).trim());
  }
  return stanzas;
}

/** Binary package -> source package name, from a `Packages` index (a 50 MB file: a line scan). */
export function sourcePackages(packagesText: string): Map<string, string> {
  const sources = new Map<string, string>();
  let name = "";
  for (const line of packagesText.split("\n")) {
    if (line.startsWith("Package:")) {
      name = line.slice(8).trim();
      sources.set(name, name);
    } else if (line.startsWith("Source:") && name !== "") {
      sources.set(name, line.slice(7).trim().split(" ")[0]);
    } else if (line === "") name = "";
  }
  return sources;
}

/** Split a deb822 long description into paragraphs (" ." lines separate them). */
function paragraphs(longLines: string[]): string[] {
  const result: string[][] = [[]];
  for (const line of longLines) {
    if (line.trim() === ".") result.push([]);
    else result.at(-1)!.push(line);
  }
  return result.map((lines) => collapseWhitespace(lines.join(" "))).filter((p) => p !== "");
}

/** Union-find over string keys: records linked by any shared key share a group. */
class Groups {
  #parent = new Map<string, string>();
  find(key: string): string {
    const parent = this.#parent.get(key);
    if (parent === undefined || parent === key) return key;
    const root = this.find(parent);
    this.#parent.set(key, root);
    return root;
  }
  union(a: string, b: string): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    // The smaller key becomes the root, so group names do not depend on input order.
    if (ra < rb) this.#parent.set(rb, ra);
    else if (rb < ra) this.#parent.set(ra, rb);
  }
}

/** Options of {@link debianDescriptionPairs}. */
export type DescriptionOptions = {
  /** Binary -> source package map from {@link sourcePackages}; missing names are their own source. */
  sources?: Map<string, string>;
  /** Long descriptions shorter than this many words are dropped (too little to retrieve). */
  minWords?: number;
  /**
   * At most this many records per group: cross-compiler builds repeat one text hundreds of
   * times (2,388 records in cpp's group), which would crowd the source and its batches.
   */
  maxPerGroup?: number;
};

/** Short -> long description pairs from a `Translation-en` index, grouped by sibling. */
export function debianDescriptionPairs(
  translationText: string,
  path: string,
  options: DescriptionOptions = {},
): Pair[] {
  const { sources = new Map(), minWords = 5, maxPerGroup = 8 } = options;
  const records: { name: string; query: string; parts: string[] }[] = [];
  const seen = new Set<string>();
  for (const { fields, where } of parseStanzas(translationText, path)) {
    const name = fields.get("Package");
    const description = fields.get("Description-en");
    if (name === undefined || description === undefined) {
      throw new Error(`${where}: stanza without "Package" and "Description-en"`);
    }
    const [short, ...longLines] = description.split("\n");
    const parts = paragraphs(longLines);
    const query = collapseWhitespace(short);
    const key = `${name}\n${query}\n${parts.join("\n")}`;
    if (query === "" || wordCount(parts.join(" ")) < minWords || seen.has(key)) continue;
    seen.add(key);
    records.push({ name, query, parts });
  }
  // Key prefixes order sources first, so each group is named after its smallest source.
  const groups = new Groups();
  for (const { name, parts } of records) {
    const source = `a:${sources.get(name) ?? name}`;
    groups.union(`b:${name}`, source);
    groups.union(source, `c:${parts[0]}`);
  }
  const perGroup = new Map<string, number>();
  const pairs: Pair[] = [];
  for (const { name, query, parts } of records) {
    const group = groups.find(`b:${name}`).slice(2);
    const count = perGroup.get(group) ?? 0;
    if (count >= maxPerGroup) continue;
    perGroup.set(group, count + 1);
    pairs.push({ query, document: parts.join("\n"), group });
  }
  return pairs;
}
