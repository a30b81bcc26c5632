/**
 * Result tables: one small typed structure, written as Markdown (for people), CSV (for
 * spreadsheets and dataframes) and JSON (the source of truth, with the column types).
 *
 * The three files are renderings of the same Table, so a checker can re-render the JSON
 * and compare (see validate.ts). A table is checked before anything is written: a NaN, a
 * missing cell or a wrong type stops the write with an error naming table, row and column
 * (JSON.stringify would silently turn NaN into null).
 *
 * @example
 * const table: Table = {
 *   name: "main", title: "nDCG@10",
 *   columns: [
 *     { key: "model", header: "model", kind: "text" },
 *     { key: "avg", header: "Avg", kind: "meanSpread", digits: 3 },
 *   ],
 *   rows: [{ group: "ColBERT-Zero", cells: { model: "(c)", avg: { mean: 0.5, std: 0.01, n: 3 } } }],
 * };
 * tableToCsv(table); // "group,model,Avg mean,Avg std\r\nColBERT-Zero,(c),0.5,0.01\r\n"
 */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic_write.ts";
import type { MeanSpread } from "./stats.ts";
import { markdownCell, markdownTable } from "../util/markdown_table.ts";

/**
 * How a column's cells are typed and shown: free text; a number with `digits` decimals;
 * an integer (thousands grouped in Markdown); a number in scientific notation; or a
 * mean ± sample standard deviation over seeds.
 */
export type ColumnKind = "text" | "number" | "integer" | "scientific" | "meanSpread";

/** One column: its key in the rows, its header, its kind and display precision. */
export interface Column {
  key: string;
  header: string;
  kind: ColumnKind;
  /** Decimals shown in Markdown for number, scientific and meanSpread (default 2). */
  digits?: number;
  /** Cells may be null ("not applicable", e.g. no paper number for a row); shown as "—". */
  optional?: boolean;
}

/** One cell: text, a number, a mean ± spread over seeds, or null where optional. */
export type Cell = string | number | MeanSpread | null;

/** One row: its cells by column key, and the group it belongs to (paper-style row groups). */
export interface Row {
  group?: string;
  cells: Record<string, Cell>;
}

/** A result table; `name` is the file stem of `<name>.md/.csv/.json`. */
export interface Table {
  name: string;
  title: string;
  columns: Column[];
  rows: Row[];
  /** Sentences printed under the Markdown table (sources, settings, what "±" means). */
  notes?: string[];
}

/** A flat, primitive view of a table: the CSV's header and rows (group and spread split). */
export interface FlatTable {
  headers: string[];
  rows: (string | number | null)[][];
}

const NUMERIC_KINDS: readonly ColumnKind[] = ["number", "integer", "scientific", "meanSpread"];

/** Throw an Error naming `source`, the row and the column if `table` is not well-formed. */
export function checkTable(table: Table, source = `table "${table?.name}"`): void {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (typeof table !== "object" || table === null) fail("not a table object");
  if (!/^[a-z0-9_]+$/.test(table.name ?? "")) fail(`name "${table.name}" is not [a-z0-9_]+`);
  if (typeof table.title !== "string") fail("title is not a string");
  if (!Array.isArray(table.columns) || table.columns.length === 0) fail("no columns");
  if (!Array.isArray(table.rows) || table.rows.length === 0) fail("no rows");
  const keys = new Set<string>();
  const headers = new Set<string>();
  for (const [i, column] of table.columns.entries()) {
    if (typeof column.key !== "string" || keys.has(column.key)) {
      fail(`column ${i}: key "${column.key}" is missing or repeated`);
    }
    if (typeof column.header !== "string" || headers.has(column.header)) {
      fail(`column ${i}: header "${column.header}" is missing or repeated`);
    }
    if (![...NUMERIC_KINDS, "text"].includes(column.kind)) {
      fail(`column "${column.key}": unknown kind "${column.kind}"`);
    }
    keys.add(column.key);
    headers.add(column.header);
  }
  for (const [r, row] of table.rows.entries()) {
    const at = `row ${r + 1}`;
    if (typeof row?.cells !== "object" || row.cells === null) fail(`${at}: no cells`);
    if (row.group !== undefined && typeof row.group !== "string") fail(`${at}: group not text`);
    const extra = Object.keys(row.cells).filter((key) => !keys.has(key));
    if (extra.length > 0) fail(`${at}: cells for unknown columns ${extra.join(", ")}`);
    for (const column of table.columns) {
      const problem = cellProblem(row.cells[column.key], column);
      if (problem) fail(`${at}, column "${column.header}": ${problem}`);
    }
  }
}

/** What is wrong with `value` as a cell of `column`, or undefined if it is fine. */
function cellProblem(value: Cell | undefined, column: Column): string | undefined {
  if (value === undefined) return "missing";
  if (value === null) return column.optional ? undefined : "empty in a required column";
  const finite = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  switch (column.kind) {
    case "text":
      return typeof value === "string" ? undefined : `expected text, got ${JSON.stringify(value)}`;
    case "meanSpread": {
      if (typeof value !== "object") return `expected {mean, std, n}, got ${value}`;
      const { mean, std, n } = value;
      if (!finite(mean)) return `mean is ${mean}`;
      if (!(Number.isInteger(n) && n >= 1)) return `n is ${n}`;
      if (n === 1 ? std !== null : !(finite(std) && std! >= 0)) return `std is ${std} for n = ${n}`;
      return undefined;
    }
    default:
      if (!finite(value)) {
        const shown = typeof value === "number" ? String(value) : JSON.stringify(value);
        return `expected a finite number, got ${shown}`;
      }
      if (column.kind === "integer" && !Number.isInteger(value)) {
        return `${value} is not an integer`;
      }
      return undefined;
  }
}

/** "mean ± std" with `digits` decimals; just the mean when there is one seed. */
export function formatMeanSpread(value: MeanSpread, digits = 2): string {
  const mean = value.mean.toFixed(digits);
  return value.std === null ? mean : `${mean} ± ${value.std.toFixed(digits)}`;
}

/** A cell as shown in Markdown (and notebooks). */
export function formatCell(value: Cell, column: Column): string {
  const digits = column.digits ?? 2;
  if (value === null) return "—";
  if (typeof value === "string") return value;
  if (typeof value === "object") return formatMeanSpread(value, digits);
  if (column.kind === "integer") return value.toLocaleString("en-US");
  if (column.kind === "scientific") return value.toExponential(digits);
  return value.toFixed(digits);
}

/** The table as a Markdown heading, pipe table (group label rows in bold) and notes. */
export function tableToMarkdown(table: Table): string {
  checkTable(table);
  const rows: string[][] = [];
  let group: string | undefined;
  for (const row of table.rows) {
    if (row.group !== undefined && row.group !== group) {
      rows.push(table.columns.map((_, i) => (i === 0 ? `**${row.group}**` : "")));
    }
    group = row.group;
    rows.push(table.columns.map((c) => formatCell(row.cells[c.key], c)));
  }
  const lines = [
    `### ${markdownCell(table.title)}`,
    "",
    markdownTable(table.columns.map((c) => c.header), rows, {
      align: table.columns.map((c) => (c.kind === "text" ? "left" : "right")),
    }),
  ];
  for (const note of table.notes ?? []) lines.push("", markdownCell(note));
  return lines.join("\n") + "\n";
}

/** The table flattened: a leading "group" column if any row has one; spreads as mean, std. */
export function flattenTable(table: Table): FlatTable {
  checkTable(table);
  const grouped = table.rows.some((row) => row.group !== undefined);
  const headers = grouped ? ["group"] : [];
  for (const c of table.columns) {
    if (c.kind === "meanSpread") headers.push(`${c.header} mean`, `${c.header} std`);
    else headers.push(c.header);
  }
  const rows = table.rows.map((row) => {
    const values: (string | number | null)[] = grouped ? [row.group ?? ""] : [];
    for (const c of table.columns) {
      const value = row.cells[c.key];
      if (c.kind !== "meanSpread") values.push(value as string | number | null);
      else if (value === null) values.push(null, null);
      else {
        const { mean, std } = value as MeanSpread;
        values.push(mean, std);
      }
    }
    return values;
  });
  return { headers, rows };
}

/** The table as RFC 4180 CSV: CRLF line ends, fields with , " CR or LF quoted. */
export function tableToCsv(table: Table): string {
  const { headers, rows } = flattenTable(table);
  const field = (value: string | number | null) => {
    const text = value === null ? "" : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [headers, ...rows].map((cells) => cells.map(field).join(",") + "\r\n").join("");
}

/** Write `<folder>/<name>.md`, `.csv` and `.json` atomically; returns the three paths. */
export async function writeTable(folder: string, table: Table): Promise<string[]> {
  checkTable(table);
  const path = (extension: string) => join(folder, `${table.name}.${extension}`);
  await writeJsonAtomic(path("json"), table);
  await writeFileAtomic(path("csv"), tableToCsv(table));
  await writeFileAtomic(path("md"), tableToMarkdown(table));
  return ["md", "csv", "json"].map(path);
}

/** Read and check a table written by `writeTable` (its `.json` file). */
export async function readTable(path: string): Promise<Table> {
  let table: Table;
  try {
    table = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new Error(`${path}: cannot read the table (${(error as Error).message})`);
  }
  checkTable(table, path);
  return table;
}
