/**
 * The R FAQ (Debian `r-doc-html`, `usr/share/R/doc/manual/R-FAQ.html`, Texinfo HTML):
 * each numbered section or subsection heading is a question, the text up to the next
 * section its answer.
 *
 *   <h3 class="section">7.31 Why does backslash behave strangely inside strings?</h3>
 *   <p>This question most often comes up ...</p>
 *
 * Navigation headers (`<div class="header">`) and tags are dropped, entities decoded.
 */
import type { QaPair } from "./qa_collection.ts";

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  rsquo: "\u2019",
  lsquo: "\u2018",
  rdquo: "\u201d",
  ldquo: "\u201c",
  hellip: "\u2026",
  ndash: "\u2013",
  mdash: "\u2014",
  copy: "\u00a9",
};

/** HTML to plain text: drop tags, decode the common named and numeric entities. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>.*?<\/\1>/gis, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, decimal) => String.fromCodePoint(Number(decimal)))
    .replace(/&([a-z]+);/gi, (match, name) => ENTITIES[name] ?? match);
}

const SECTION = /<h([34]) class="(?:sub)?section">\s*(\d+(?:\.\d+)+)\s+(.*?)<\/h\1>/gs;

/** The question-answer pairs of the R FAQ's HTML edition. */
export function rFaqPairs(html: string): QaPair[] {
  const headings = [...html.matchAll(SECTION)];
  return headings.map((heading, index) => {
    const start = heading.index! + heading[0].length;
    const end = index + 1 < headings.length ? headings[index + 1].index! : html.length;
    const answer = html.slice(start, end)
      .replace(/<div class="header">.*?<\/div>/gs, " ")
      .replace(/<h2 class="chapter">.*$/s, " ");
    return { id: heading[2], question: htmlToText(heading[3]), answer: htmlToText(answer) };
  });
}
