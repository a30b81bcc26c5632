/**
 * The standard mutations of a TypeScript source, one small plausible bug each: an operator
 * swapped (arithmetic, comparison, logical), a constant 0 <-> 1 (or n -> n + 1), a boolean
 * flipped, a negation removed, an `if`/`while` condition negated, Math.max <-> Math.min, a
 * statement dropped. Found on the code characters only (code_mask.ts). Binary operators are
 * matched with a space on each side, as `deno fmt` writes them, so a generic `Map<K, V>` or
 * an arrow is never taken for a comparison. Type declarations and imports are skipped.
 */
import { codeOnly, NOT_CODE } from "./code_mask.ts";

/** One mutation: replace `source.slice(start, end)` with `replacement`. */
export interface Mutant {
  /** 1-based line and column of `start`. */
  line: number;
  column: number;
  start: number;
  end: number;
  original: string;
  replacement: string;
}

const BINARY: Record<string, string> = {
  "+": "-",
  "-": "+",
  "*": "/",
  "/": "*",
  "%": "*",
  "**": "*",
  "<": "<=",
  "<=": "<",
  ">": ">=",
  ">=": ">",
  "===": "!==",
  "!==": "===",
  "==": "!=",
  "!=": "==",
  "&&": "||",
  "||": "&&",
  "??": "&&",
  "+=": "-=",
  "-=": "+=",
  "*=": "/=",
  "/=": "*=",
};
const BINARY_PATTERN = / (\*\*|===|!==|==|!=|<=|>=|&&|\|\||\?\?|\+=|-=|\*=|\/=|[-+*/%<>]) /g;
const UPDATE_PATTERN = /(?<=[\w\])])(\+\+|--)|(\+\+|--)(?=[\w$])/g;
const NUMBER_PATTERN = /(?<![\w$.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w$.])/g;
const MAX_BUMPED = 1000;
const BOOLEAN_PATTERN = /(?<![\w$.])(true|false)(?![\w$])/g;
const NOT_PATTERN = /(?<![\w$)\]!])!(?=[\w$(])/g;
const MATH_PATTERN = /\bMath\.(max|min)(?=\()/g;
const CONDITION_PATTERN = /\b(?:if|while) \(/g;
// A whole statement on one line whose removal still parses: a call, an assignment, an
// update, a throw, a break or a continue.
const STATEMENT_PATTERN =
  /^(?:throw |break;|continue;|await [\w$.]+\(|[\w$.[\]]+(?:\(| [-+*/]?= |\+\+;|--;))/;
// Lines that declare types or bind imports: nothing to mutate there.
const DECLARATION_PATTERN = /^(?:export )?(?:import |interface |type |declare )|^export (?:\{|\*)/;

/** Every mutant of `source`, in source order. */
export function mutantsOf(source: string): Mutant[] {
  const code = codeOnly(source);
  const skipped = declarationLines(code);
  const found: Omit<Mutant, "line" | "column">[] = [];
  const add = (start: number, original: string, replacement: string) =>
    found.push({ start, end: start + original.length, original, replacement });
  for (const match of code.matchAll(BINARY_PATTERN)) {
    add(match.index + 1, match[1], BINARY[match[1]]);
  }
  for (const match of code.matchAll(UPDATE_PATTERN)) {
    add(match.index, match[0], match[0] === "++" ? "--" : "++");
  }
  for (const match of code.matchAll(NUMBER_PATTERN)) {
    const value = Number(match[0]);
    // A large constant (a mask's -1e9, a seed) plus one behaves the same: not worth a run.
    if (!Number.isInteger(value) || value > MAX_BUMPED) continue;
    add(match.index, match[0], value === 1 ? "0" : String(value === 0 ? 1 : value + 1));
  }
  for (const match of code.matchAll(BOOLEAN_PATTERN)) {
    add(match.index, match[0], match[0] === "true" ? "false" : "true");
  }
  for (const match of code.matchAll(NOT_PATTERN)) add(match.index, "!", "");
  for (const match of code.matchAll(MATH_PATTERN)) {
    add(match.index + 5, match[1], match[1] === "max" ? "min" : "max");
  }
  for (const match of code.matchAll(CONDITION_PATTERN)) {
    const open = match.index + match[0].length - 1;
    const close = closingParen(code, open);
    if (close < 0) continue;
    const condition = source.slice(open + 1, close);
    add(open, `(${condition})`, `(!(${condition}))`);
  }
  let offset = 0;
  // A statement starts a line only after one ending in `;`, `{`, `}`, `:` or a comment;
  // anything else (`=>`, `+`, `(`) means the line continues an expression.
  let afterStatement = true;
  for (const line of code.split("\n")) {
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    if (
      afterStatement && text.endsWith(";") && STATEMENT_PATTERN.test(text) && balanced(text)
    ) {
      add(offset + indent, source.slice(offset + indent, offset + line.length), "");
    }
    if (text !== "") afterStatement = /[;{}:]$/.test(text) || text.endsWith(NOT_CODE);
    offset += line.length + 1;
  }
  return found
    .filter((m) => !skipped.has(lineOf(source, m.start)))
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map((m) => ({ ...m, ...position(source, m.start) }));
}

/** `source` with `mutant` planted. */
export function applyMutant(source: string, mutant: Mutant): string {
  return source.slice(0, mutant.start) + mutant.replacement + source.slice(mutant.end);
}

/** One line naming a mutant: `line:column original -> replacement` (a dropped statement too). */
export function describeMutant(mutant: Mutant): string {
  const shown = (text: string) => JSON.stringify(text.replace(/\s+/g, " "));
  if (mutant.replacement === "" && mutant.original.length > 1) {
    return `${mutant.line}:${mutant.column} drop ${shown(mutant.original)}`;
  }
  return `${mutant.line}:${mutant.column} ${shown(mutant.original)} -> ${
    shown(mutant.replacement)
  }`;
}

/** 1-based line numbers of type declarations and imports, to their closing line. */
function declarationLines(code: string): Set<number> {
  const skipped = new Set<number>();
  let depth = 0;
  let inside = false;
  code.split("\n").forEach((line, i) => {
    if (!inside && DECLARATION_PATTERN.test(line.trim())) inside = true;
    if (!inside) return;
    skipped.add(i + 1);
    for (const c of line) depth += "{([".includes(c) ? 1 : "})]".includes(c) ? -1 : 0;
    if (depth <= 0) {
      depth = 0;
      inside = false;
    }
  });
  return skipped;
}

function closingParen(code: string, open: number): number {
  let depth = 0;
  for (let j = open; j < code.length; j++) {
    if (code[j] === "(") depth++;
    if (code[j] === ")" && --depth === 0) return j;
  }
  return -1;
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const c of text) {
    depth += "{([".includes(c) ? 1 : "})]".includes(c) ? -1 : 0;
    if (depth < 0) return false;
  }
  return depth === 0;
}

function lineOf(source: string, index: number): number {
  return position(source, index).line;
}

function position(source: string, index: number): { line: number; column: number } {
  const before = source.slice(0, index);
  const line = before.split("\n").length;
  return { line, column: index - before.lastIndexOf("\n") };
}
