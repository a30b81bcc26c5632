/**
 * Man pages (Debian `manpages`, `manpages-dev`, `usr/share/man/manN/*.N.gz`, roff with the
 * man macros) as NAME description -> DESCRIPTION pairs:
 *
 *   .SH NAME
 *   read \- read from a file descriptor          <- the query: "read from a file descriptor"
 *   .SH DESCRIPTION
 *   .BR read ()                                   <- the document: the section as text,
 *   attempts to read up to ...                       titled "read(2)"
 *
 * Symbolic links and `.so` pages are aliases of another page and are skipped.
 */
import type { QaPair } from "./qa_collection.ts";
import { collapseWhitespace } from "../../util/text.ts";

const SPECIAL_CHARACTERS: Record<string, string> = {
  em: "\u2014",
  en: "\u2013",
  aq: "'",
  dq: '"',
  lq: "\u201c",
  rq: "\u201d",
  oq: "\u2018",
  cq: "\u2019",
  bu: "\u2022",
  co: "\u00a9",
  rg: "\u00ae",
  tm: "\u2122",
  mu: "\u00d7",
  "<=": "\u2264",
  ">=": "\u2265",
  "->": "\u2192",
  ti: "~",
  ha: "^",
  rs: "\\",
  "+-": "\u00b1",
};

/** Reduce roff escapes in one line of text to plain characters. */
export function roffEscapes(line: string): string {
  return line
    .replace(/\\f(?:\[[^\]]*\]|\(..|.)/g, "")
    .replace(/\\\((..)/g, (match, name) => SPECIAL_CHARACTERS[name] ?? match)
    .replace(/\\\[([^\]]+)\]/g, (match, name) => SPECIAL_CHARACTERS[name] ?? match)
    .replace(/\\\*(?:\(..|\[[^\]]*\]|.)/g, "")
    .replace(/\\[-e]/g, (match) => (match === "\\-" ? "-" : "\\"))
    .replace(/\\[&%c|^:)]/g, "")
    .replace(/\\[ ~0]/g, " ");
}

/** Split roff macro arguments, honouring double quotes. */
function macroArguments(text: string): string[] {
  return [...text.matchAll(/"((?:[^"]|"")*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** One roff source line as text: macros that set fonts keep their words, others vanish. */
function roffLine(line: string): string {
  if (!line.startsWith(".") && !line.startsWith("'")) return roffEscapes(line);
  const macro = line.match(/^[.']\s*(\S+)\s*(.*)$/);
  if (!macro) return "";
  const [name, rest] = [macro[1], macro[2]];
  // Alternating-font macros (.BR, .IR...) join their arguments without spaces.
  if (/^(BR|RB|IR|RI|BI|IB)$/.test(name)) return roffEscapes(macroArguments(rest).join(""));
  if (/^(B|I|SM|SB|SS|TP|IP|UR|MT)$/.test(name)) {
    return name === "IP" || name === "TP" ? "" : roffEscapes(macroArguments(rest).join(" "));
  }
  return "";
}

/** The NAME -> DESCRIPTION pair of one man page's roff source, or null when it has none. */
export function manPagePair(roff: string, id: string): QaPair | null {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of roff.replace(/\r/g, "").split("\n")) {
    const heading = line.match(/^\.SH\s+"?([^"]*)"?\s*$/);
    if (heading) {
      current = [];
      sections.set(heading[1].trim().toUpperCase(), current);
    } else if (current !== null && !line.startsWith('.\\"')) {
      current.push(roffLine(line));
    }
  }
  const name = collapseWhitespace((sections.get("NAME") ?? []).join(" "));
  const dash = name.search(/\s-\s/);
  const description = sections.get("DESCRIPTION");
  if (dash < 0 || description === undefined) return null;
  const title = id.replace(/\.([^.]+)$/, "($1)");
  return { id, title, question: name.slice(dash + 3), answer: description.join("\n") };
}
