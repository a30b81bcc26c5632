import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { sha256Hex } from "../lib/util/checksum.ts";
import { filesToDownload } from "../lib/hub/hub_files.ts";
import { ModelCache } from "../lib/hub/model_cache.ts";
import { listModels } from "../lib/hub/model_cache_list.ts";
import { pullModel, resolveModel } from "../lib/hub/model_source.ts";
import { type HubFaults, serveHub } from "./hub_server.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const REPO = "owner/tiny-model";
const FIRST = "1".repeat(40);
const SECOND = "2".repeat(40);
const WEIGHTS = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251);
const FILES: Record<string, Uint8Array | string> = {
  "config.json": '{"model_type": "bert"}',
  "model.safetensors": WEIGHTS,
  "1_Pooling/config.json": '{"pooling_mode_mean_tokens": true}',
  "pytorch_model.bin": "the same weights for PyTorch",
  "tf_model.h5": "the same weights for TensorFlow",
  "onnx/model.onnx": "an export",
};

/** A served folder with REPO at FIRST (main) and SECOND, plus an empty cache. */
async function fixture(faults: HubFaults = {}) {
  const folder = await temporaryFolder();
  for (const [commit, extra] of [[FIRST, "first"], [SECOND, "second"]]) {
    const files = { ...FILES, "README.md": `the ${extra} commit` };
    for (const [name, content] of Object.entries(files)) {
      const path = join(folder.path, "served", REPO, commit, name);
      await Deno.mkdir(dirname(path), { recursive: true });
      await Deno.writeFile(
        path,
        typeof content === "string" ? new TextEncoder().encode(content) : content,
      );
    }
  }
  const hub = serveHub(join(folder.path, "served"), { refs: { [REPO]: { main: FIRST } }, faults });
  const cache = new ModelCache(join(folder.path, "cache"));
  return {
    hub,
    cache,
    options: { endpoint: hub.endpoint, cache },
    [Symbol.asyncDispose]: async () => {
      await hub[Symbol.asyncDispose]();
      await folder[Symbol.asyncDispose]();
    },
  };
}

/** Assert `promise` rejects with a one-line message matching `pattern`. */
async function rejectsWithLine(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
}

async function names(folder: string): Promise<string[]> {
  return [...await Array.fromAsync(Deno.readDir(folder))].map((entry) => entry.name).sort();
}

Deno.test("hub: other frameworks' weights and exports are skipped", () => {
  const file = (rfilename: string) => ({ rfilename, size: 1, blobId: "" });
  const listed = [
    "config.json",
    "model.safetensors",
    "pytorch_model.bin",
    "tf_model.h5",
    "flax_model.msgpack",
    "rust_model.ot",
    "onnx/model.onnx",
    "openvino/openvino_model.xml",
    "1_Pooling/config.json",
  ].map(file);
  assert.deepEqual(filesToDownload(listed).map((f) => f.rfilename), [
    "config.json",
    "model.safetensors",
    "1_Pooling/config.json",
  ]);
  const pytorchOnly = filesToDownload(["config.json", "pytorch_model.bin"].map(file));
  assert.equal(pytorchOnly.length, 2, "PyTorch weights are kept where nothing else exists");
});

Deno.test("hub: a pull downloads and verifies the model's files; a second resolve asks nothing", async () => {
  await using f = await fixture();
  const progress: string[] = [];
  const path = await resolveModel(`hf:${REPO}`, {
    ...f.options,
    token: "secret",
    onProgress: (p) => p.done && progress.push(p.file),
  });
  assert.equal(path, join(f.cache.root, "models--owner--tiny-model", "snapshots", FIRST));
  assert.deepEqual(await Deno.readFile(join(path, "model.safetensors")), WEIGHTS);
  assert.equal(await Deno.readTextFile(join(path, "README.md")), "the first commit");
  assert.deepEqual(await names(path), [
    "1_Pooling",
    "README.md",
    "config.json",
    "model.safetensors",
  ]);
  assert.deepEqual(progress.sort(), [
    "1_Pooling/config.json",
    "README.md",
    "config.json",
    "model.safetensors",
  ]);
  assert.equal(
    await Deno.readTextFile(join(f.cache.root, "models--owner--tiny-model", "refs", "main")),
    FIRST,
  );
  assert.ok(f.hub.requests.every((r) => r.authorization === "Bearer secret"));
  assert.deepEqual(await names(f.cache.root), ["models--owner--tiny-model"], ".partial is cleaned");

  const asked = f.hub.requests.length;
  assert.equal(await resolveModel(`hf:${REPO}`, f.options), path);
  assert.equal(await resolveModel(`hf:${REPO}@main`, f.options), path);
  assert.equal(f.hub.requests.length, asked, "a cached model makes no request");
});

Deno.test("hub: an interrupted download resumes with Range and ends equal", async () => {
  await using f = await fixture({ cutAfter: { file: "model.safetensors", bytes: 100_000 } });
  await rejectsWithLine(
    resolveModel(`hf:${REPO}`, f.options),
    /^hf:owner\/tiny-model: model.safetensors: download stopped at 100000 of 300000 bytes \(the connection was cut\); pull again to resume$/,
  );
  assert.deepEqual(await names(f.cache.root), [".partial"], "nothing half-written is visible");
  const path = await resolveModel(`hf:${REPO}`, f.options);
  assert.deepEqual(await Deno.readFile(join(path, "model.safetensors")), WEIGHTS);
  const ranged = f.hub.requests.filter((r) => r.range);
  assert.deepEqual(ranged.map((r) => [r.path, r.range]), [
    [`/${REPO}/resolve/${FIRST}/model.safetensors`, "bytes=100000-"],
  ]);
  const downloads = f.hub.requests.filter((r) => r.path.includes("/resolve/"));
  assert.equal(downloads.length, 5, "files completed before the cut are not fetched again");
  assert.deepEqual(await names(f.cache.root), ["models--owner--tiny-model"]);
});

Deno.test("hub: a checksum mismatch is one line naming the file and leaves no snapshot or ref", async () => {
  await using f = await fixture({ corrupt: "config.json" });
  await rejectsWithLine(
    resolveModel(`hf:${REPO}`, f.options),
    /^hf:owner\/tiny-model: config.json: checksum mismatch \(expected git blob id [0-9a-f]{40}, got [0-9a-f]{40}\); the download was discarded$/,
  );
  assert.deepEqual(await names(f.cache.root), [".partial"]);
  f.hub.faults.corrupt = "model.safetensors";
  await rejectsWithLine(
    resolveModel(`hf:${REPO}`, f.options),
    /^hf:owner\/tiny-model: model.safetensors: checksum mismatch \(expected sha256 [0-9a-f]{64}, got [0-9a-f]{64}\)/,
  );
  assert.deepEqual(await names(f.cache.root), [".partial"]);
  delete f.hub.faults.corrupt;
  assert.ok(await resolveModel(`hf:${REPO}`, f.options), "a later pull starts the bad file afresh");
});

Deno.test("hub: an unreachable endpoint is a one-line error saying what to do", async () => {
  await using folder = await temporaryFolder();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const endpoint = `http://127.0.0.1:${listener.addr.port}`;
  listener.close(); // nobody listens there now
  const cache = new ModelCache(folder.path);
  await assert.rejects(resolveModel(`hf:${REPO}`, { endpoint, cache }), (error: Error) => {
    assert.equal(
      error.message,
      `hf:${REPO}: cannot reach ${endpoint} (connection refused); not in the model cache ${folder.path}; pull it on a machine that reaches the Hub (deno task model pull hf:${REPO}) or pass a local folder`,
    );
    return true;
  });
});

Deno.test("hub: a pinned commit is fetched as it is and leaves main alone", async () => {
  await using f = await fixture();
  const pinned = await resolveModel(`hf:${REPO}@${SECOND}`, f.options);
  assert.equal(await Deno.readTextFile(join(pinned, "README.md")), "the second commit");
  const repo = join(f.cache.root, "models--owner--tiny-model");
  assert.deepEqual(await names(join(repo, "refs")).catch(() => []), [], "no ref for a commit");
  const main = await resolveModel(`hf:${REPO}`, f.options);
  assert.equal(await Deno.readTextFile(join(main, "README.md")), "the first commit");
  const asked = f.hub.requests.length;
  assert.deepEqual(await pullModel(`hf:${REPO}@${SECOND}`, f.options), {
    path: pinned,
    fetched: false,
  });
  assert.equal(f.hub.requests.length, asked, "a cached commit is not asked for again");
  assert.deepEqual(await pullModel(`hf:${REPO}`, f.options), { path: main, fetched: false });
  assert.equal(f.hub.requests.length, asked + 1, "pulling main asks the Hub what main is now");

  const listed = await listModels(f.cache);
  assert.deepEqual(listed.map(({ name, source }) => ({ name, source })), [
    { name: `hf:${REPO}`, source: `${f.hub.endpoint}/${REPO}/tree/${FIRST}` },
    { name: `hf:${REPO}@${SECOND}`, source: `${f.hub.endpoint}/${REPO}/tree/${SECOND}` },
  ]);
  const sha256 = await sha256Hex(WEIGHTS);
  assert.ok(listed.every((entry) => entry.sha256 === sha256));
});

Deno.test("hub: an unknown revision is the Hub's own answer in one line", async () => {
  await using f = await fixture();
  await rejectsWithLine(
    resolveModel(`hf:${REPO}@nope`, f.options),
    new RegExp(
      `^hf:${REPO}@nope: revision nope: ${f.hub.endpoint} answered 404 Not Found: Invalid rev id: nope$`,
    ),
  );
});
