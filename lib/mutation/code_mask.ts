/**
 * Which characters of a TypeScript source are code: everything but comments, string and
 * template text and regular-expression literals (the code inside a template's `${...}` is
 * code). Mutations are only planted in code, so a comment or a message is never "mutated".
 */

/** `source` with every non-code character replaced by NOT_CODE (newlines kept). */
export function codeOnly(source: string): string {
  const lexer = new Lexer(source);
  lexer.run();
  return lexer.out.join("");
}

/** What stands in for a character of a comment, string or regular expression. */
export const NOT_CODE = "\u0001";

// Words after which a `/` starts a regular expression rather than a division.
const REGEX_AFTER_WORD = new Set(["return", "typeof", "case", "in", "of", "else", "void", "await"]);

class Lexer {
  out: string[];
  #i = 0;
  // Brace depth at which each open `${` of a template began.
  #templates: number[] = [];
  #depth = 0;

  constructor(readonly source: string) {
    this.out = [...source];
  }

  run(): void {
    const s = this.source;
    while (this.#i < s.length) {
      const c = s[this.#i];
      const next = s[this.#i + 1];
      if (c === "/" && next === "/") this.#hide(s.indexOf("\n", this.#i));
      else if (c === "/" && next === "*") this.#hide(s.indexOf("*/", this.#i) + 2);
      else if (c === "'" || c === '"') this.#hide(this.#stringEnd(c));
      else if (c === "`") this.#template(this.#i + 1);
      else if (c === "/" && this.#regexAllowed()) this.#hide(this.#regexEnd());
      else if (c === "}" && this.#templates.at(-1) === this.#depth) {
        this.#templates.pop();
        this.#template(this.#i + 1, this.#i);
      } else {
        if (c === "{") this.#depth++;
        if (c === "}") this.#depth--;
        this.#i++;
      }
    }
  }

  /** Hide [i, end) (to the end of the source when `end` is not found). */
  #hide(end: number): void {
    const stop = end <= this.#i ? this.source.length : end;
    for (let j = this.#i; j < stop; j++) if (this.source[j] !== "\n") this.out[j] = NOT_CODE;
    this.#i = stop;
  }

  #stringEnd(quote: string): number {
    let j = this.#i + 1;
    while (j < this.source.length && this.source[j] !== quote) {
      j += this.source[j] === "\\" ? 2 : 1;
    }
    return j + 1;
  }

  /** Hide template text from `from` (or `hideFrom`) up to its end or its next `${`. */
  #template(from: number, hideFrom = from - 1): void {
    let j = from;
    while (j < this.source.length && this.source[j] !== "`") {
      if (this.source[j] === "\\") j += 2;
      else if (this.source[j] === "$" && this.source[j + 1] === "{") {
        this.#i = hideFrom;
        this.#hide(j + 2);
        this.#templates.push(this.#depth);
        return;
      } else j++;
    }
    this.#i = hideFrom;
    this.#hide(j + 1);
  }

  #regexAllowed(): boolean {
    let j = this.#i - 1;
    while (j >= 0 && /\s/.test(this.source[j])) j--;
    if (j < 0) return true;
    const before = this.source[j];
    if (/[\w$]/.test(before)) {
      const word = /[\w$]+$/.exec(this.source.slice(0, j + 1))![0];
      return REGEX_AFTER_WORD.has(word);
    }
    return !/[)\]]/.test(before);
  }

  #regexEnd(): number {
    let j = this.#i + 1;
    let inClass = false;
    while (j < this.source.length && this.source[j] !== "\n") {
      const c = this.source[j];
      if (c === "\\") j++;
      else if (c === "[") inClass = true;
      else if (c === "]") inClass = false;
      else if (c === "/" && !inClass) break;
      j++;
    }
    j++;
    while (/[a-z]/.test(this.source[j] ?? "")) j++;
    return j;
  }
}
