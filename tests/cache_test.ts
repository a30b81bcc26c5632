import assert from "node:assert/strict";
import { join } from "node:path";
import { cacheKey, type CacheKeySpec, canonicalJson, CheckpointCache } from "../lib/cache/cache.ts";
import { codeVersion, localModuleGraph } from "../lib/cache/code_version.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const META = { phase: "toy", parentKey: null, profile: "tiny", codeVersion: "v1" };
const spec = (config: unknown): CacheKeySpec => ({
  phase: "toy",
  config,
  parentKey: null,
  dataChecksums: { a: "1" },
  codeVersion: "v1",
  packages: ["@tensorflow/tfjs@4.22.0", "deno@2.9.6"],
  backend: "wasm",
});

Deno.test("cache key: independent of key order, sensitive to every input", async () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: 0 } }), '{"a":{"c":0,"d":[2,1]},"b":1}');
  const base = spec({ lr: 1, steps: 2 });
  const key = await cacheKey(base);
  // Python: hashlib.sha256(json.dumps(spec, sort_keys=True, separators=(",", ":"))
  // .encode()).hexdigest()[:16] of the same spec.
  assert.equal(key, "3598bac931d5bf5f");
  assert.equal(key, await cacheKey(spec({ steps: 2, lr: 1 })));
  // One change per field of the spec, so a field left out of the hash fails here.
  const changed: CacheKeySpec = {
    phase: "other",
    config: { lr: 1, steps: 3 },
    parentKey: "abc",
    dataChecksums: { a: "2" },
    codeVersion: "v2",
    packages: ["@tensorflow/tfjs@4.22.1", "deno@2.9.6"],
    backend: "cpu",
  };
  assert.deepEqual(Object.keys(changed).sort(), Object.keys(base).sort());
  for (const field of Object.keys(changed) as (keyof CacheKeySpec)[]) {
    assert.notEqual(await cacheKey({ ...base, [field]: changed[field] }), key, field);
  }
  assert.match(key, /^[0-9a-f]{16}$/);
});

Deno.test("cache: a hit never rebuilds; a damaged entry is moved aside and rebuilt", async () => {
  const cache = new CheckpointCache(await Deno.makeTempDir());
  let builds = 0;
  const produce = async (folder: string) => {
    builds++;
    await Deno.writeTextFile(join(folder, "weights.bin"), `weights ${builds}`);
  };
  const first = await cache.getOrBuild("k1", META, produce);
  assert.equal(first.built, true);
  const second = await cache.getOrBuild("k1", META, produce);
  assert.equal(second.built, false);
  assert.equal(builds, 1);
  await Deno.writeTextFile(join(cache.path("k1"), "weights.bin"), "bit rot");
  const third = await cache.getOrBuild("k1", META, produce);
  assert.equal(third.built, true);
  assert.equal(await Deno.readTextFile(join(cache.path("k1"), "weights.bin")), "weights 2");
  const names = [...Deno.readDirSync(cache.root)].map((e) => e.name);
  assert.ok(names.some((n) => n.startsWith(".damaged-k1-")), "the damaged copy is kept aside");
});

Deno.test("cache: the warning tells a changed file from a missing one", async () => {
  await using folder = await temporaryFolder();
  const cache = new CheckpointCache(folder.path);
  const produce = (dir: string) => Deno.writeTextFile(join(dir, "w"), "x");
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => warnings.push(message);
  try {
    await cache.getOrBuild("changed", META, produce);
    await Deno.writeTextFile(join(cache.path("changed"), "w"), "y");
    assert.equal(await cache.get("changed"), null);
    await cache.getOrBuild("lost", META, produce);
    await Deno.remove(join(cache.path("lost"), "w"));
    assert.equal(await cache.get("lost"), null);
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /changed\/w is damaged \(checksum mismatch\)/);
  assert.match(warnings[1], /lost\/w is damaged \(missing\)/);
});

Deno.test("cache: a failed build leaves nothing behind", async () => {
  const cache = new CheckpointCache(await Deno.makeTempDir());
  await assert.rejects(
    cache.getOrBuild("k", META, async (folder) => {
      await Deno.writeTextFile(join(folder, "half"), "x");
      throw new Error("killed mid-build");
    }),
    /killed mid-build/,
  );
  assert.deepEqual([...Deno.readDirSync(cache.root)], []);
});

Deno.test("cache: two runs racing on one key leave one valid entry", async () => {
  const cache = new CheckpointCache(await Deno.makeTempDir());
  const slow = (text: string) => async (folder: string) => {
    await new Promise((r) => setTimeout(r, 20));
    await Deno.writeTextFile(join(folder, "w"), text);
  };
  const [a, b] = await Promise.all([
    cache.getOrBuild("race", META, slow("a")),
    cache.getOrBuild("race", META, slow("b")),
  ]);
  assert.equal([a.built, b.built].filter(Boolean).length, 1);
  assert.ok(await cache.get("race"));
  assert.deepEqual((await cache.list()).map((e) => e.key), ["race"]);
});

Deno.test("cache: list, remove, gc", async () => {
  const cache = new CheckpointCache(await Deno.makeTempDir());
  const write = (folder: string) => Deno.writeTextFile(join(folder, "w"), "x");
  await cache.getOrBuild("old", { ...META, codeVersion: "v0" }, write);
  // list() orders by creation time in milliseconds: two builds in the same one would tie.
  await new Promise((resolve) => setTimeout(resolve, 5));
  await cache.getOrBuild("new", META, write);
  // A temporary folder of a version that did not record its builder: gone after a day.
  await Deno.mkdir(join(cache.root, ".tmp-left-over"));
  await Deno.utime(join(cache.root, ".tmp-left-over"), 0, new Date(Date.now() - 2 * 86_400_000));
  const listed = await cache.list();
  assert.deepEqual(listed.map((e) => [e.key, e.phase, e.profile]), [["old", "toy", "tiny"], [
    "new",
    "toy",
    "tiny",
  ]]);
  assert.ok(listed[0].bytes > 0);
  const removed = await cache.gc((info) => info.codeVersion === "v1");
  assert.deepEqual(removed, [".tmp-left-over", "old"]);
  await cache.remove("new");
  assert.deepEqual(await cache.list(), []);
});

Deno.test("code version follows local imports and changes when one of them does", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "a.ts"), 'import { b } from "./b.ts";\nexport const a = b;\n');
  await Deno.writeTextFile(
    join(dir, "b.ts"),
    'import * as tf from "@tensorflow/tfjs";\nexport const b = 1;\n',
  );
  await Deno.writeTextFile(join(dir, "c.ts"), "export const c = 1;\n");
  assert.deepEqual((await localModuleGraph(join(dir, "a.ts"))).map((p) => p.slice(dir.length)), [
    "/a.ts",
    "/b.ts",
  ]);
  const before = await codeVersion(join(dir, "a.ts"), dir);
  await Deno.writeTextFile(join(dir, "c.ts"), "export const c = 2;\n");
  assert.equal(await codeVersion(join(dir, "a.ts"), dir), before, "unrelated edit");
  await Deno.writeTextFile(join(dir, "b.ts"), "export const b = 2;\n");
  assert.notEqual(await codeVersion(join(dir, "a.ts"), dir), before, "edit of an import");
});

Deno.test("code version ignores type-only imports", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    join(dir, "a.ts"),
    'import type { T } from "./t.ts";\nimport { type U, v } from "./v.ts";\nexport const a: T = v;\n',
  );
  await Deno.writeTextFile(join(dir, "t.ts"), "export type T = number;\n");
  await Deno.writeTextFile(join(dir, "v.ts"), "export type U = 1;\nexport const v = 1;\n");
  assert.deepEqual((await localModuleGraph(join(dir, "a.ts"))).map((p) => p.slice(dir.length)), [
    "/a.ts",
    "/v.ts",
  ]);
});
