/**
 * The Debian FAQ (Debian `debian-faq`, `usr/share/doc/debian/FAQ/debian-faq.en.txt.gz`):
 * each numbered section heading is a question, the indented text under it the answer.
 *
 *   1.3. OK, now I know what Debian is... what is Linux?!     <- column 0, may wrap
 *                                                              <- a blank line
 *       In short, Linux is the kernel of a Unix-like ...       <- the answer, indented
 *
 * The table of contents lists the same headings indented, so only headings at column 0
 * count. The number is followed by a no-break space in this file (any space is accepted).
 */
import type { QaPair } from "./qa_collection.ts";

const HEADING = /^(\d+(?:\.\d+)+)\.\s+(.*)$/;
const CHAPTER = /^\d+\.\s/;

/** The question-answer pairs of the Debian FAQ's plain-text edition. */
export function debianFaqPairs(text: string): QaPair[] {
  const pairs: QaPair[] = [];
  let current: { id: string; question: string[]; answer: string[] } | null = null;
  let inHeading = false;
  for (const line of text.replace(/\r/g, "").split("\n")) {
    const heading = line.match(HEADING);
    if (heading) {
      if (current) pairs.push(toPair(current));
      current = { id: heading[1], question: [heading[2]], answer: [] };
      inHeading = true;
    } else if (CHAPTER.test(line)) {
      if (current) pairs.push(toPair(current));
      current = null;
    } else if (current !== null) {
      if (line.trim() === "") inHeading = false;
      else if (inHeading && !/^\s/.test(line)) current.question.push(line);
      else current.answer.push(line);
    }
  }
  if (current) pairs.push(toPair(current));
  return pairs;
}

function toPair(section: { id: string; question: string[]; answer: string[] }): QaPair {
  return {
    id: section.id,
    question: section.question.join(" "),
    answer: section.answer.join("\n"),
  };
}
