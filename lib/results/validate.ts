/**
 * CI checks of a results folder: every expected table and figure exists and is
 * well-formed, and every problem names its file.
 *
 * Tables: `<name>.json` must read back as a valid Table (finite numbers, every cell
 * present, see table.ts) and `<name>.md` and `<name>.csv` must be exactly its renderings,
 * so the three formats cannot disagree on rows, columns or values, and a stale or
 * hand-edited file is caught. Figures, by extension: `.svg` must be well-formed XML with
 * an <svg> root and no "NaN" in attributes (plotly writes NaN into paths drawn from bad data); `.png`
 * must have the PNG signature, a non-empty IHDR first and IEND last; `.json` must be a
 * plotly spec ({data: [...], layout: {...}}).
 *
 * @example
 * const problems = await findResultProblems("results", {
 *   tables: ["setup_cost", "main"], figures: ["figures/cost.svg", "figures/cost.png"],
 * });
 * if (problems.length > 0) throw new Error(problems.join("\n"));
 */
import { join } from "node:path";
import { readTable, tableToCsv, tableToMarkdown } from "./table.ts";
import { xmlProblem } from "./xml_check.ts";

/** What a results folder must hold: table names (file stems) and figure paths in it. */
export interface ExpectedResults {
  tables: readonly string[];
  figures: readonly string[];
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Every problem with the expected files in `folder`, one message each; empty when all is well. */
export async function findResultProblems(
  folder: string,
  expected: ExpectedResults,
): Promise<string[]> {
  const problems: string[] = [];
  for (const name of expected.tables) problems.push(...await tableProblems(folder, name));
  for (const figure of expected.figures) {
    problems.push(...await figureProblems(join(folder, figure)));
  }
  return problems;
}

/** Problems of table `name` in `folder`: its JSON, and its Markdown and CSV renderings. */
export async function tableProblems(folder: string, name: string): Promise<string[]> {
  const jsonPath = join(folder, `${name}.json`);
  let renderings: [string, string][];
  try {
    const table = await readTable(jsonPath);
    if (table.name !== name) return [`${jsonPath}: holds table "${table.name}", not "${name}"`];
    renderings = [["md", tableToMarkdown(table)], ["csv", tableToCsv(table)]];
  } catch (error) {
    return [
      await Deno.stat(jsonPath).then(() => (error as Error).message, () => `${jsonPath}: missing`),
    ];
  }
  const problems: string[] = [];
  for (const [extension, expected] of renderings) {
    const path = join(folder, `${name}.${extension}`);
    const found = await Deno.readTextFile(path).catch(() => null);
    if (found === null) problems.push(`${path}: missing`);
    else if (found !== expected) {
      problems.push(`${path}: ${firstDifference(expected, found, `${name}.json`)}`);
    }
  }
  return problems;
}

/** Problems of one figure file, judged by its extension. */
export async function figureProblems(path: string): Promise<string[]> {
  const bytes = await Deno.readFile(path).catch(() => null);
  if (bytes === null) return [`${path}: missing`];
  const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  let problem: string | undefined;
  if (extension === "svg") problem = svgProblem(new TextDecoder().decode(bytes));
  else if (extension === "png") problem = pngProblem(bytes);
  else if (extension === "json") problem = plotlyJsonProblem(new TextDecoder().decode(bytes));
  else problem = `unknown figure type ".${extension}" (expected .svg, .png or .json)`;
  return problem === undefined ? [] : [`${path}: ${problem}`];
}

/** Where `found` first departs from the rendering of the JSON. */
function firstDifference(expected: string, found: string, source: string): string {
  const want = expected.split("\n");
  const got = found.split("\n");
  const line = want.findIndex((text, i) => text !== got[i]);
  if (line < 0) {
    return `has ${got.length - want.length} extra lines after the rendering of ${source}`;
  }
  return `line ${line + 1} differs from the rendering of ${source}: ` +
    `expected ${JSON.stringify(want[line])}, found ${JSON.stringify(got[line] ?? "(end of file)")}`;
}

/** Why `text` is not a usable SVG figure, or undefined. */
function svgProblem(text: string): string | undefined {
  const xml = xmlProblem(text, "svg");
  if (xml !== undefined) return `not well-formed SVG (${xml})`;
  // Inside attributes only (path data, positions): a title may legitimately say "NaN".
  if (/="[^"]*NaN[^"]*"/.test(text)) return "contains NaN (drawn from a non-finite value)";
  return undefined;
}

/** Why `bytes` are not a complete PNG, or undefined (chunk CRCs are not checked). */
function pngProblem(bytes: Uint8Array): string | undefined {
  if (!PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return "not a PNG (bad signature)";
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunkType = (offset: number) =>
    new TextDecoder().decode(bytes.subarray(offset, offset + 4));
  if (bytes.length < 8 + 25 + 12 || chunkType(12) !== "IHDR") return "PNG without an IHDR chunk";
  if (view.getUint32(16) === 0 || view.getUint32(20) === 0) return "PNG of zero width or height";
  if (chunkType(bytes.length - 8) !== "IEND") return "PNG truncated (no IEND chunk at the end)";
  return undefined;
}

/** Why `text` is not a plotly figure spec, or undefined. */
function plotlyJsonProblem(text: string): string | undefined {
  let figure: { data?: unknown; layout?: unknown };
  try {
    figure = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (!Array.isArray(figure?.data) || figure.data.length === 0) return "no traces in data";
  if (typeof figure.layout !== "object" || figure.layout === null) return "no layout object";
  return undefined;
}

/**
 * Problems of the executed notebooks in `folder` (results/<profile>/notebooks/): one copy of
 * each notebook in `names`, every code cell executed, no error output.
 */
export async function executedNotebookProblems(
  folder: string,
  names: readonly string[],
): Promise<string[]> {
  const problems: string[] = [];
  for (const name of names) {
    const path = join(folder, name);
    const text = await Deno.readTextFile(path).catch(() => null);
    if (text === null) {
      problems.push(`${path}: missing (deno task reproduce executes it)`);
      continue;
    }
    let cells: { cell_type?: string; execution_count?: unknown; outputs?: unknown[] }[];
    try {
      cells = JSON.parse(text).cells;
      if (!Array.isArray(cells)) throw new Error("no cells");
    } catch (error) {
      problems.push(`${path}: not a notebook (${(error as Error).message})`);
      continue;
    }
    cells.forEach((cell, index) => {
      if (cell?.cell_type !== "code") return;
      if (typeof cell.execution_count !== "number") {
        problems.push(`${path}: cell ${index} was not executed`);
      }
      const outputs = Array.isArray(cell.outputs) ? cell.outputs : [];
      if (outputs.some((output) => (output as { output_type?: string })?.output_type === "error")) {
        problems.push(`${path}: cell ${index} ended in an error`);
      }
    });
  }
  return problems;
}
