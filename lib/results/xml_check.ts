/**
 * A well-formedness check for XML files such as exported SVG figures (Deno has no
 * DOMParser): one root element, every tag closed in order, quoted attributes without
 * repeats, valid entity references, nothing but comments or processing instructions after
 * the root. It does not resolve DTDs or check against a schema.
 *
 * @example
 * xmlProblem('<svg><g></svg>', "svg"); // 'line 1: </svg> closes <g>'
 * xmlProblem('<svg><g/></svg>', "svg"); // undefined
 */

const NAME = /^[A-Za-z_:][\w.:-]*$/;
const ENTITY = /&(?![A-Za-z_][\w.-]*;|#[0-9]+;|#x[0-9A-Fa-f]+;)/;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*("[^"<]*"|'[^'<]*')/g;
// A start tag: name, whitespace-separated name="value" pairs, optional "/" before ">".
const START_TAG = /<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/y;

/** The first well-formedness problem of `text` (with its line), or undefined if none. */
export function xmlProblem(text: string, root?: string): string | undefined {
  const open: string[] = [];
  let rootSeen = false;
  let at = 0;
  const line = (position: number) => text.slice(0, position).split("\n").length;
  const problem = (position: number, what: string) => `line ${line(position)}: ${what}`;
  // Skips `<start ... end>`; returns the index after it, or -1 when it never ends.
  const skip = (start: number, end: string) => {
    const stop = text.indexOf(end, start);
    return stop < 0 ? -1 : stop + end.length;
  };
  while (at < text.length) {
    const next = text.indexOf("<", at);
    const content = text.slice(at, next < 0 ? text.length : next);
    if (ENTITY.test(content)) return problem(at, "a bare & (not an entity reference)");
    if (content.trim() !== "" && open.length === 0) {
      return problem(at, rootSeen ? "text after the root element" : "text before the root");
    }
    if (next < 0) break;
    let end: number;
    if (text.startsWith("<!--", next)) end = skip(next + 4, "-->");
    else if (text.startsWith("<![CDATA[", next)) {
      if (open.length === 0) return problem(next, "CDATA outside the root element");
      end = skip(next + 9, "]]>");
    } else if (text.startsWith("<?", next)) end = skip(next + 2, "?>");
    else if (text.startsWith("<!DOCTYPE", next)) {
      if (rootSeen) return problem(next, "DOCTYPE after the root element");
      const subset = text.indexOf("[", next);
      const hasSubset = subset >= 0 && subset < text.indexOf(">", next);
      end = skip(next, hasSubset ? "]>" : ">");
    } else if (text.startsWith("</", next)) {
      end = skip(next, ">");
      if (end < 0) return problem(next, "a closing tag never ends");
      const name = text.slice(next + 2, end - 1).trim();
      const expected = open.pop();
      if (expected === undefined) return problem(next, `</${name}> closes nothing`);
      if (name !== expected) return problem(next, `</${name}> closes <${expected}>`);
    } else {
      START_TAG.lastIndex = next;
      const tag = START_TAG.exec(text);
      if (tag === null) return problem(next, "a malformed tag (unquoted attribute or no >?)");
      const [whole, name, attributes, selfClosing] = tag;
      if (!NAME.test(name)) return problem(next, `bad element name "${name}"`);
      if (open.length === 0) {
        if (rootSeen) return problem(next, `a second root element <${name}>`);
        if (root !== undefined && name !== root) {
          return problem(next, `root is <${name}>, not <${root}>`);
        }
        rootSeen = true;
      }
      const seen = new Set<string>();
      for (const [, attribute, value] of attributes.matchAll(ATTRIBUTE)) {
        if (seen.has(attribute)) return problem(next, `<${name}> repeats attribute "${attribute}"`);
        if (ENTITY.test(value)) return problem(next, `<${name} ${attribute}> has a bare &`);
        seen.add(attribute);
      }
      if (!selfClosing) open.push(name);
      end = next + whole.length;
    }
    if (end < 0) return problem(next, "a comment, CDATA section or declaration never ends");
    at = end;
  }
  if (open.length > 0) return problem(text.length, `<${open.at(-1)}> is never closed`);
  return rootSeen ? undefined : "no root element";
}
