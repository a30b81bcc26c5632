import assert from "node:assert/strict";
import { join } from "node:path";
import { CHROMIUM_PATH, exportFigures } from "../lib/results/static_export.ts";
import { figureProblems } from "../lib/results/validate.ts";
import type { PlotlyFigure } from "../lib/results/plots.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const chromiumMissing = await Deno.stat(CHROMIUM_PATH).then(() => false, () => true);

const FIGURE: PlotlyFigure = {
  data: [{ type: "bar", name: "pipeline-zeta", x: ["KD × prompts"], y: [0.42] }],
  layout: { title: { text: "tiny figure" }, showlegend: true },
};

Deno.test({
  name: "plotly.js in headless Chromium writes a well-formed SVG and PNG in one batch",
  ignore: chromiumMissing, // apt package "chromium" not installed: nothing to drive
  async fn() {
    await using folder = await temporaryFolder();
    const svg = join(folder.path, "figures", "tiny.svg");
    const png = join(folder.path, "figures", "tiny.png");
    await exportFigures([
      { figure: FIGURE, path: svg, width: 400, height: 300 },
      { figure: FIGURE, path: png, width: 400, height: 300, scale: 2 },
    ]);
    assert.deepEqual(await figureProblems(svg), []);
    assert.deepEqual(await figureProblems(png), []);
    const text = await Deno.readTextFile(svg);
    assert.match(text, /^<svg class="main-svg"[^>]* width="400" height="300"/);
    assert.match(text, /pipeline-zeta/);
    assert.match(text, /tiny figure/);
    assert.match(text, /KD × prompts/); // UTF-8 survives (the page declares its charset)
    const header = new DataView((await Deno.readFile(png)).buffer, 16, 8);
    assert.deepEqual([header.getUint32(0), header.getUint32(4)], [800, 600]);
  },
});

Deno.test("a missing Chromium or an unknown format is a clear error, before any work", async () => {
  await assert.rejects(
    exportFigures([{ figure: FIGURE, path: "x.svg" }], { executablePath: "/nonexistent/chromium" }),
    /Chromium not found at \/nonexistent\/chromium: install the apt package "chromium"/,
  );
  await assert.rejects(
    exportFigures([{ figure: FIGURE, path: "figure.jpg" }]),
    /figure\.jpg: a static figure must end in \.svg or \.png/,
  );
});

Deno.test({
  name: "a Chromium start that hangs is tried once more; two that hang are an error naming it",
  ignore: chromiumMissing,
  async fn() {
    await using folder = await temporaryFolder();
    const starts = join(folder.path, "starts");
    // Hangs (prints no DevTools address) on its first start, is Chromium on the next.
    const flaky = join(folder.path, "flaky-chromium");
    await Deno.writeTextFile(
      flaky,
      `#!/bin/sh\nif [ ! -e ${starts} ]; then touch ${starts}; exec sleep 60; fi\n` +
        `exec ${CHROMIUM_PATH} "$@"\n`,
    );
    await Deno.chmod(flaky, 0o755);
    const svg = join(folder.path, "tiny.svg");
    await exportFigures([{ figure: FIGURE, path: svg }], {
      executablePath: flaky,
      launchTimeoutMs: 3_000,
    });
    assert.deepEqual(await figureProblems(svg), []);

    const hangs = join(folder.path, "hanging-chromium");
    await Deno.writeTextFile(hangs, "#!/bin/sh\nexec sleep 60\n");
    await Deno.chmod(hangs, 0o755);
    await assert.rejects(
      exportFigures([{ figure: FIGURE, path: join(folder.path, "never.svg") }], {
        executablePath: hangs,
        launchTimeoutMs: 1_000,
      }),
      /Chromium \(.*hanging-chromium\) did not start in 2 tries of 1 s/,
    );
  },
});
