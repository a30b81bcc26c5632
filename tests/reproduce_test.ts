import assert from "node:assert/strict";
import { join } from "node:path";
import {
  chosenProfiles,
  executeNotebook,
  nbconvertArgs,
  notebookOrder,
  writeKernelSpec,
} from "../cli/reproduce.ts";
import { checkResults } from "../cli/check_results.ts";
import { temporaryFolder } from "./temporary_folder.ts";

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

Deno.test("reproduce: --profile repeated or comma-separated, each once; the defaults without", () => {
  assert.deepEqual(chosenProfiles(["tiny"]), ["tiny"]);
  assert.deepEqual(chosenProfiles(["tiny,small", "gpu", "tiny"]), ["tiny", "small", "gpu"]);
  assert.deepEqual(chosenProfiles([" small , tiny "]), ["small", "tiny"]);
  assert.deepEqual(chosenProfiles(undefined, ["small", "tiny"]), ["small", "tiny"]);
  assert.deepEqual(chosenProfiles([], ["tiny"]), ["tiny"]);
  // An unknown name fails before anything runs, naming the known ones; defaults are checked too.
  assert.throws(() => chosenProfiles(["tiny,nonesuch"]), /unknown profile 'nonesuch'.*tiny/);
  assert.throws(() => chosenProfiles(undefined, ["small", "nonesuch"]), /unknown profile/);
  assert.throws(() => chosenProfiles(["tiny,"]), /empty profile name/);
});

Deno.test("reproduce: executed copies go to the output folder, not over the sources", () => {
  const args = nbconvertArgs("notebooks/05_main_table.ipynb", "/repo/results/tiny/notebooks");
  assert.ok(!args.includes("--inplace"));
  assert.deepEqual(args.slice(args.indexOf("--output-dir"), args.indexOf("--output-dir") + 2), [
    "--output-dir",
    "/repo/results/tiny/notebooks",
  ]);
  assert.equal(args.at(-1), "notebooks/05_main_table.ipynb");
});

const hasJupyter = await new Deno.Command("jupyter", { args: ["nbconvert", "--version"] })
  .output().then((out) => out.success, () => false);

Deno.test({
  name: "reproduce: the kernel runs in the source notebook's folder; the source stays unexecuted",
  ignore: !hasJupyter,
  async fn() {
    await using dir = await temporaryFolder();
    const sources = join(dir.path, "notebooks");
    const output = join(dir.path, "results", "p", "notebooks");
    await Deno.mkdir(sources);
    const notebook = {
      cells: [{
        cell_type: "code",
        execution_count: null,
        id: "c0",
        metadata: {},
        outputs: [],
        // Written to a file: the kernel's last output can reach nbconvert after it stopped
        // listening (seen on a one-cell notebook), a file cannot be lost that way.
        source: [
          "const seen = `${Deno.cwd()} ${Deno.env.get('COLBERT_PROFILE')}`;\n",
          "await Deno.writeTextFile(Deno.env.get('CWD_FILE')!, seen);",
        ],
      }],
      metadata: { kernelspec: { display_name: "Deno", language: "typescript", name: "deno" } },
      nbformat: 4,
      nbformat_minor: 5,
    };
    const source = join(sources, "00_cwd.ipynb");
    const text = JSON.stringify(notebook, null, 1) + "\n";
    await Deno.writeTextFile(source, text);
    const env = {
      JUPYTER_PATH: await writeKernelSpec(join(dir.path, "jupyter")),
      COLBERT_PROFILE: "p",
      CWD_FILE: join(dir.path, "cwd.txt"),
      NO_COLOR: "1",
    };
    await executeNotebook(source, output, env);
    assert.equal(await Deno.readTextFile(source), text);
    const executed = JSON.parse(await Deno.readTextFile(join(output, "00_cwd.ipynb")));
    assert.equal(executed.cells[0].execution_count, 1);
    const seen = await Deno.readTextFile(env.CWD_FILE);
    assert.equal(seen, `${await Deno.realPath(sources)} p`);
  },
});

Deno.test("check-results: every results/<profile>/ and the README, or the folders given", async () => {
  await using dir = await temporaryFolder();
  const resultsRoot = join(dir.path, "results");
  const notebooks = join(dir.path, "notebooks");
  await Deno.mkdir(notebooks);
  await Deno.writeTextFile(join(notebooks, "00_a.ipynb"), "{}");
  const places = {
    resultsRoot,
    readme: join(dir.path, "README.md"),
    notebooks,
    defaultProfiles: ["small", "pretrained"],
  };
  const none = await checkResults([], places);
  assert.deepEqual(none.checked, []);
  assert.match(none.problems[0], /no profile's results/);
  for (const profile of ["small", "tiny"]) {
    await Deno.mkdir(join(resultsRoot, profile, "notebooks"), { recursive: true });
  }
  await Deno.writeTextFile(
    join(resultsRoot, "tiny", "study.json"),
    JSON.stringify({ profile: "small" }),
  );
  const all = await checkResults([], places);
  assert.deepEqual(all.checked, [join(resultsRoot, "small"), join(resultsRoot, "tiny")]);
  const about = (text: string) => all.problems.filter((p) => p.includes(text));
  assert.ok(about("/small/main.json: missing").length === 1);
  assert.ok(about("/tiny/notebooks/00_a.ipynb: missing").length === 1);
  assert.ok(about("study of profile 'small' in").length === 1);
  assert.ok(about("README.md").length === 1);
  const one = await checkResults([join(resultsRoot, "tiny")], places);
  assert.deepEqual(one.checked, [join(resultsRoot, "tiny")]);
  assert.ok(one.problems.every((p) => p.includes("/tiny/")));
});
