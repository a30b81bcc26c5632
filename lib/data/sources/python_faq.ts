/**
 * The Python FAQ (Debian `python3.11-doc`, reStructuredText sources under
 * `usr/share/doc/python3.11/html/_sources/faq/*.rst.txt`): each heading underlined with
 * `-` is a question, the text up to the next heading its answer.
 *
 *   What is Python?
 *   ---------------
 *
 *   Python is an interpreted, interactive, object-oriented programming language. ...
 *
 * reST markup is reduced to text: roles (`:func:\`len\``) keep their target, links
 * (`\`text <url>\`_`) their text, literals lose their backquotes; directives (`.. x::`)
 * are dropped with their options; code blocks are kept as text.
 */
import type { QaPair } from "./qa_collection.ts";

/** Reduce reST inline markup to plain text. */
export function stripRst(text: string): string {
  return text
    .replace(/:[a-z:]+:`~?!?([^`<]*?)(?:\s*<[^>]*>)?`/g, "$1")
    .replace(/`([^`<]+?)\s*<[^>]+>`_{1,2}/g, "$1")
    .replace(/``([^`]+)``/g, "$1")
    .replace(/`([^`]+)`_{0,2}/g, "$1")
    .replace(/\*\*([^*]+)\*\*/g, "$1")
    .replace(/\*([^*\s][^*]*)\*/g, "$1");
}

const UNDERLINE = /^([-=^~"*])\1{2,}\s*$/;

/** The question-answer pairs of one Python FAQ reST file; `name` prefixes the ids. */
export function pythonFaqPairs(rst: string, name: string): QaPair[] {
  const lines = rst.replace(/\r/g, "").split("\n");
  const pairs: QaPair[] = [];
  let current: { question: string; answer: string[] } | null = null;
  const finish = () => {
    if (current) {
      pairs.push({
        id: `${name}:${pairs.length + 1}`,
        question: stripRst(current.question),
        answer: stripRst(current.answer.join("\n")),
      });
    }
    current = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const underline = lines[i + 1]?.match(UNDERLINE);
    if (underline && lines[i].trim() !== "" && !UNDERLINE.test(lines[i])) {
      finish();
      if (underline[1] === "-") current = { question: lines[i].trim(), answer: [] };
      i++;
    } else if (current !== null && !UNDERLINE.test(lines[i])) {
      if (/^\.\. /.test(lines[i]) || /^\s+:[a-z-]+:/.test(lines[i])) continue;
      current.answer.push(lines[i]);
    }
  }
  finish();
  return pairs;
}
