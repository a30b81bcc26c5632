/**
 * A Markdown pipe table, the one writer of the suite's tables (result tables, data reports,
 * data cards, settings): header, alignment row, rows. A `|` inside a cell is escaped and a
 * line break becomes a space, so a cell can never shift the columns.
 *
 * @example
 * markdownTable(["model", "nDCG@10"], [["(c)", "42.40"]], { align: ["left", "right"] });
 * // "| model | nDCG@10 |\n| --- | ---: |\n| (c) | 42.40 |"
 */

/** How a column lines up: text left, numbers right. */
export type Align = "left" | "right";

/** Options of {@link markdownTable}. */
export interface MarkdownTableOptions {
  /** One per column; a missing entry is "left". */
  align?: readonly Align[];
}

/** The cell as Markdown table text: `|` escaped, line breaks as spaces. */
export function markdownCell(text: string): string {
  return text.replaceAll("|", "\\|").replace(/\r?\n/g, " ");
}

/** `header` and `rows` (cells as shown) as a Markdown table, lines joined by "\n". */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: MarkdownTableOptions = {},
): string {
  const line = (cells: readonly string[]) => `| ${cells.map(markdownCell).join(" | ")} |`;
  const rule = header.map((_, i) => (options.align?.[i] === "right" ? "---:" : "---"));
  return [line(header), `| ${rule.join(" | ")} |`, ...rows.map(line)].join("\n");
}
