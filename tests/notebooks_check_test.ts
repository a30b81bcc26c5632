/**
 * The notebooks type-check and lint like the rest of the code: each notebook's code cells,
 * in order, become one temporary .ts file that `deno check` and `deno lint` (with the
 * repository's deno.json) must pass. A problem is reported at its notebook, cell and line.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../lib/cache/code_version.ts";
import { notebookOrder } from "../cli/reproduce.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const NOTEBOOKS = join(REPO_ROOT, "notebooks");

/** A notebook's code as one module, and which cell each of its lines came from. */
interface NotebookScript {
  source: string;
  /** For line i + 1 of `source`: [cell index, line within the cell], or undefined. */
  origin: ([number, number] | undefined)[];
}

/**
 * The code cells of `notebook`, in order, as one module. Relative imports are made absolute
 * (file URLs of notebooks/) so the module can live in a temporary folder.
 */
function notebookScript(notebook: { cells: { cell_type: string; source: string | string[] }[] }) {
  const script: NotebookScript = { source: "", origin: [] };
  const folder = pathToFileURL(`${NOTEBOOKS}/`);
  notebook.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const text = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
    const code = text.replace(
      /((?:from|import)\s*\(?\s*)(["'])(\.{1,2}\/[^"']+)\2/g,
      (_, head, quote, path) => `${head}${quote}${new URL(path, folder).href}${quote}`,
    );
    for (const [line, content] of code.split("\n").entries()) {
      script.source += `${content}\n`;
      script.origin.push([index, line + 1]);
    }
  });
  return script;
}

/** Run deno with `args`; its output with temporary paths turned into notebook cells. */
async function deno(args: string[], where: Map<string, [string, NotebookScript]>) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  let text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  for (const [path, [name, script]] of where) {
    const pattern = new RegExp(`(?:file://)?${RegExp.escape(path)}:(\\d+):(\\d+)`, "g");
    text = text.replace(pattern, (_, line, column) => {
      const origin = script.origin[Number(line) - 1];
      return origin
        ? `notebooks/${name}, cell ${origin[0]} line ${origin[1]}:${column}`
        : `notebooks/${name}:${line}:${column}`;
    });
  }
  return { ok: code === 0, text };
}

Deno.test("notebooks: every notebook's code type-checks and lints", async () => {
  await using folder = await temporaryFolder();
  const where = new Map<string, [string, NotebookScript]>();
  for (const name of await notebookOrder(NOTEBOOKS)) {
    const script = notebookScript(JSON.parse(await Deno.readTextFile(join(NOTEBOOKS, name))));
    const path = join(folder.path, name.replace(/\.ipynb$/, ".ts"));
    await Deno.writeTextFile(path, script.source);
    where.set(path, [name, script]);
  }
  assert.ok(where.size > 0, "no notebooks found");
  const paths = [...where.keys()];
  const config = join(REPO_ROOT, "deno.json");
  const check = await deno(["check", "--quiet", "--config", config, ...paths], where);
  assert.ok(check.ok, `deno check failed on the notebooks:\n${check.text}`);
  const lint = await deno(["lint", "--config", config, ...paths], where);
  assert.ok(lint.ok, `deno lint failed on the notebooks:\n${lint.text}`);
});

Deno.test("notebooks: the check names the notebook cell of a problem", async () => {
  await using folder = await temporaryFolder();
  const script = notebookScript({
    cells: [
      { cell_type: "markdown", source: "# title" },
      { cell_type: "code", source: ['import { join } from "node:path";\n', "const unused = 1;"] },
    ],
  });
  assert.equal(script.source, 'import { join } from "node:path";\nconst unused = 1;\n');
  const path = join(folder.path, "x.ts");
  await Deno.writeTextFile(path, script.source);
  const lint = await deno(
    ["lint", "--config", join(REPO_ROOT, "deno.json"), path],
    new Map([[path, ["x.ipynb", script]]]),
  );
  assert.ok(!lint.ok);
  assert.match(lint.text, /notebooks\/x\.ipynb, cell 1 line 2:7/);
});

Deno.test("notebooks: the study notebooks are sources, without outputs", async () => {
  // Executed copies live under results/<profile>/notebooks/; an output here would be stale.
  const stale: string[] = [];
  for (const name of await notebookOrder(NOTEBOOKS)) {
    const notebook = JSON.parse(await Deno.readTextFile(join(NOTEBOOKS, name)));
    for (const [index, cell] of notebook.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      if (cell.outputs?.length || cell.execution_count !== null) {
        stale.push(`notebooks/${name}, cell ${index}`);
      }
    }
  }
  assert.deepEqual(
    stale,
    [],
    "clear them: jupyter nbconvert --clear-output --inplace notebooks/0*.ipynb",
  );
});
