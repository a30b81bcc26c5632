/**
 * Small notebook outputs for figures and tables in the Deno Jupyter kernel.
 *
 * A value with a `Symbol.for("Jupyter.display")` method (Deno.jupyter.$display) is shown
 * through the MIME bundle it returns, both as a cell's last expression and through
 * `await Deno.jupyter.display(value)`. Outside Jupyter (tests, `deno run`) it is a plain
 * object, so these helpers run anywhere.
 *
 * A figure's bundle carries the plotly JSON (interactive in JupyterLab; a few kB, since
 * plotly.js itself is not embedded), optionally the static SVG written by static_export.ts
 * for viewers that do not run plotly (GitHub's notebook view), and a text line.
 *
 * @example
 * // last line of a notebook cell:
 * displayFigure(costFigure(pipelines), { svg: await Deno.readTextFile("results/figures/cost.svg") });
 */
import type { PlotlyFigure } from "./plots.ts";
import { type Table, tableToMarkdown } from "./table.ts";

/** A MIME bundle: data by MIME type, as Jupyter's display_data message carries it. */
export type MediaBundle = Record<string, string | object>;

/** An object Deno's Jupyter kernel displays through its bundle. */
export interface Displayable {
  [key: symbol]: () => MediaBundle;
}

/** Bundles above this size are refused: large outputs bloat committed notebooks and get lost. */
export const MAX_OUTPUT_BYTES = 1_000_000;

const DISPLAY = Symbol.for("Jupyter.display");

/** The bundle of a figure: plotly JSON, an optional static SVG, and a text summary. */
export function figureBundle(figure: PlotlyFigure, options: { svg?: string } = {}): MediaBundle {
  const title = (figure.layout.title as { text?: string } | undefined)?.text ?? "figure";
  const bundle: MediaBundle = {
    "application/vnd.plotly.v1+json": { data: figure.data, layout: figure.layout },
    "text/plain": `${title} (${figure.data.length} traces)`,
  };
  if (options.svg !== undefined) bundle["image/svg+xml"] = options.svg;
  return limitSize(bundle, `figure "${title}"`);
}

/** The bundle of a table: its Markdown rendering, which is also readable as plain text. */
export function tableBundle(table: Table): MediaBundle {
  const markdown = tableToMarkdown(table);
  return limitSize({ "text/markdown": markdown, "text/plain": markdown }, `table "${table.name}"`);
}

/** A figure that shows itself when it is a cell's value or passed to Deno.jupyter.display. */
export function displayFigure(figure: PlotlyFigure, options: { svg?: string } = {}): Displayable {
  const bundle = figureBundle(figure, options);
  return { [DISPLAY]: () => bundle };
}

/** A table that shows itself as Markdown in a notebook. */
export function displayTable(table: Table): Displayable {
  const bundle = tableBundle(table);
  return { [DISPLAY]: () => bundle };
}

/** `bundle`, or an Error naming `what` when its JSON exceeds MAX_OUTPUT_BYTES. */
function limitSize(bundle: MediaBundle, what: string): MediaBundle {
  const bytes = new TextEncoder().encode(JSON.stringify(bundle)).length;
  if (bytes > MAX_OUTPUT_BYTES) {
    throw new Error(
      `${what}: notebook output of ${bytes} bytes exceeds ${MAX_OUTPUT_BYTES}; ` +
        `show fewer points (e.g. log the loss every k steps) or drop the SVG fallback`,
    );
  }
  return bundle;
}
