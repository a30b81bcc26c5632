import assert from "node:assert/strict";
import { join } from "node:path";
import { notebookOrder, writeKernelSpec } from "../cli/reproduce.ts";

Deno.test("reproduce: its own kernelspec names this Deno; notebooks run in file-name order", async () => {
  const dir = await Deno.makeTempDir();
  assert.equal(await writeKernelSpec(join(dir, "jupyter")), join(dir, "jupyter"));
  const spec = JSON.parse(await Deno.readTextFile(join(dir, "jupyter/kernels/deno/kernel.json")));
  assert.deepEqual(spec.argv, [
    Deno.execPath(),
    "jupyter",
    "--kernel",
    "--conn",
    "{connection_file}",
  ]);
  for (const name of ["10_b.ipynb", "02_a.ipynb", "notes.ipynb", "00_x.txt"]) {
    await Deno.writeTextFile(join(dir, name), "{}");
  }
  assert.deepEqual(await notebookOrder(dir), ["02_a.ipynb", "10_b.ipynb"]);
  await Deno.remove(dir, { recursive: true });
});
