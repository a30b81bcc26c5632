/**
 * Static SVG/PNG files of plotly figures, drawn by plotly.js itself in headless Chromium
 * (apt package `chromium`, driven by puppeteer-core), so the files match the notebooks'
 * interactive figures exactly.
 *
 * One browser serves a whole batch: starting Chromium and parsing the 3.5 MB plotly bundle
 * cost seconds, drawing a figure tens of milliseconds. The page is a local file that loads
 * plotly.js-dist-min from node_modules by file URL; this measured faster than sending the
 * bundle through the DevTools protocol (addScriptTag), and every request that is not a
 * local file is aborted, so nothing is fetched. The browser profile is a fresh temporary
 * folder, removed afterwards.
 *
 * @example
 * await exportFigures([
 *   { figure: costFigure(pipelines), path: "results/figures/cost.svg" },
 *   { figure: costFigure(pipelines), path: "results/figures/cost.png", scale: 2 },
 * ]);
 */
import puppeteer, { type Browser } from "puppeteer-core";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeFileAtomic } from "../util/atomic_write.ts";
import type { PlotlyFigure } from "./plots.ts";

/** Where Debian's `chromium` package installs the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** One file to write: the figure, its path (.svg or .png) and its size in CSS pixels. */
export interface FigureFile {
  figure: PlotlyFigure;
  path: string;
  /** Defaults: the layout's width and height, else 720 x 480. */
  width?: number;
  height?: number;
  /** Pixel density of a PNG (2 = sharp on high-DPI screens); ignored for SVG. */
  scale?: number;
}

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const PLOTLY = new URL("../../node_modules/plotly.js-dist-min/plotly.min.js", import.meta.url);

/** Draw every figure with plotly.js in one headless Chromium and write the files atomically. */
export async function exportFigures(
  files: readonly FigureFile[],
  options: { executablePath?: string; launchTimeoutMs?: number } = {},
): Promise<void> {
  const { executablePath = CHROMIUM_PATH, launchTimeoutMs = LAUNCH_TIMEOUT_MS } = options;
  const formats = files.map((file) => {
    const format = /\.(svg|png)$/i.exec(file.path)?.[1].toLowerCase();
    if (!format) throw new Error(`${file.path}: a static figure must end in .svg or .png`);
    return format;
  });
  await requireFile(
    executablePath,
    `Chromium not found at ${executablePath}: install the apt package "chromium" ` +
      `(apt-get install -y chromium) or pass options.executablePath`,
  );
  await requireFile(PLOTLY, `${PLOTLY.pathname} is missing: run npm ci (plotly.js-dist-min)`);
  const profile = await Deno.makeTempDir({ prefix: "figure-export-" });
  const browser = await launchBrowser(executablePath, profile, launchTimeoutMs).catch(
    async (error) => {
      await Deno.remove(profile, { recursive: true });
      throw error;
    },
  );
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      if (request.url().startsWith("file:")) request.continue();
      else request.abort();
    });
    const html = join(profile, "figure.html");
    await Deno.writeTextFile(
      html,
      // Without a charset the bundle is read as Latin-1 and "×10" in tick labels turns to mojibake.
      `<!doctype html><html><head><meta charset="utf-8"><script src="${PLOTLY.href}"></script>` +
        `</head><body></body></html>`,
    );
    await page.goto(pathToFileURL(html).href);
    for (const [i, file] of files.entries()) {
      const { figure, scale = 1 } = file;
      const width = file.width ?? (figure.layout.width as number | undefined) ?? 720;
      const height = file.height ?? (figure.layout.height as number | undefined) ?? 480;
      let url: string;
      try {
        url = await page.evaluate(
          (figure, format, width, height, scale) => {
            const { Plotly } = globalThis as unknown as {
              Plotly: { toImage(figure: unknown, options: unknown): Promise<string> };
            };
            return Plotly.toImage(figure, { format, width, height, scale });
          },
          figure,
          formats[i],
          width,
          height,
          scale,
        );
      } catch (error) {
        const context = pageErrors.length > 0 ? ` (page: ${pageErrors.join("; ")})` : "";
        throw new Error(`${file.path}: plotly could not draw the figure: ${error}${context}`);
      }
      await writeFileAtomic(file.path, decodeDataUrl(url));
    }
  } finally {
    await browser.close();
    await Deno.remove(profile, { recursive: true });
  }
}

/**
 * How long one start of Chromium may take. puppeteer's default, 30 s, was once not enough at the
 * end of an hour-long study run (the start normally takes 1-8 s here).
 */
const LAUNCH_TIMEOUT_MS = 90_000;
const LAUNCH_ATTEMPTS = 2;

/**
 * Start Chromium with its profile in a fresh folder under `profile`; a start that fails or hangs
 * is tried once more (with another folder: a hung one may hold its lock) before it is an error.
 */
async function launchBrowser(
  executablePath: string,
  profile: string,
  timeout: number,
): Promise<Browser> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= LAUNCH_ATTEMPTS; attempt++) {
    try {
      return await puppeteer.launch({
        executablePath,
        headless: true,
        timeout,
        args: [...FLAGS, `--user-data-dir=${join(profile, `browser-${attempt}`)}`],
      });
    } catch (error) {
      failures.push((error as Error).message);
    }
  }
  throw new Error(
    `Chromium (${executablePath}) did not start in ${LAUNCH_ATTEMPTS} tries of ${
      timeout / 1000
    } s: ${failures.join("; ")}`,
  );
}

/** The bytes or text of plotly's data URL: URL-encoded SVG or base64 PNG. */
function decodeDataUrl(url: string): string | Uint8Array {
  const comma = url.indexOf(",");
  const body = url.slice(comma + 1);
  if (url.slice(0, comma).endsWith(";base64")) {
    return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  }
  return decodeURIComponent(body);
}

/** Throw `message` unless `path` is an existing file. */
async function requireFile(path: string | URL, message: string): Promise<void> {
  const info = await Deno.stat(path).catch(() => null);
  if (!info?.isFile) throw new Error(message);
}
