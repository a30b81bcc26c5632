/**
 * Well-formedness of XML files such as exported SVG figures (Deno has no DOMParser), by
 * saxes, the strict XML parser jsdom uses: one root element, every tag closed in order,
 * quoted attributes without repeats, only defined entities, nothing but comments or
 * processing instructions after the root. It does not check against a DTD or a schema.
 *
 * @example
 * xmlProblem("<svg><g></svg>", "svg"); // "1:14: unexpected close tag."
 * xmlProblem("<svg><g/></svg>", "svg"); // undefined
 */
import { SaxesParser } from "saxes";

/** The first well-formedness problem of `text` ("line:column: what"), or undefined if none. */
export function xmlProblem(text: string, root?: string): string | undefined {
  const parser = new SaxesParser();
  const problems: string[] = [];
  let rootName: string | undefined;
  parser.on("error", (error) => problems.push(error.message));
  parser.on("opentag", (tag) => (rootName ??= tag.name));
  parser.write(text).close();
  if (problems.length > 0) return problems[0];
  if (root !== undefined && rootName !== root) return `root is <${rootName}>, not <${root}>`;
  return undefined;
}
