import assert from "node:assert/strict";
import { join } from "node:path";
import { CheckpointCache } from "../lib/cache/cache.ts";
import { buildFolder } from "../lib/cache/cache_leftovers.ts";
import { lockBuild } from "../lib/cache/build_lock.ts";
import { processId, processState } from "../lib/util/process_identity.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const META = { phase: "toy", parentKey: null, profile: "tiny", codeVersion: "v1" };
const write = (folder: string) => Deno.writeTextFile(join(folder, "w"), "x");

/** A process that runs until killed, and its id. */
function sleeper(): { id: string; stop(): Promise<void> } {
  const child = new Deno.Command("sleep", { args: ["60"] }).spawn();
  return {
    id: processId(child.pid),
    async stop() {
      child.kill("SIGKILL");
      await child.status;
    },
  };
}

/** The id of a process that ran and is gone (killed and reaped). */
async function goneId(): Promise<string> {
  const process = sleeper();
  await process.stop();
  return process.id;
}

function names(root: string): string[] {
  return [...Deno.readDirSync(root)].map((entry) => entry.name).sort();
}

Deno.test("process ids: this process and a child run; a killed, reaped child is gone", async () => {
  assert.equal(processState(processId()), "running");
  const child = sleeper();
  assert.equal(processState(child.id), "running");
  await child.stop();
  assert.equal(processState(child.id), "gone");
  assert.equal(processState("0badc0de.1.1"), "unknown", "another host");
  assert.equal(processState("not an id"), "unknown");
});

Deno.test("cache: a killed build's folder goes at the next build; running builds' stay", async () => {
  await using folder = await temporaryFolder();
  const cache = new CheckpointCache(folder.path);
  const running = sleeper();
  const dead = `.tmp-k1-${await goneId()}-abc123`;
  const live = `.tmp-k2-${running.id}-def456`;
  const mine = `.tmp-k3-${processId()}-ghi789`;
  const unrecorded = ".tmp-k4-jkl012";
  for (const name of [dead, live, mine, unrecorded]) {
    await Deno.mkdir(join(folder.path, name));
    await Deno.writeTextFile(join(folder.path, name, "weights"), "half");
  }
  assert.deepEqual(buildFolder(dead), { key: "k1", builder: "gone" });
  assert.deepEqual(buildFolder(live), { key: "k2", builder: "running" });
  assert.deepEqual(buildFolder(unrecorded), { key: "k4", builder: "unknown" });
  await cache.getOrBuild("other", META, write);
  assert.deepEqual(names(folder.path), [live, mine, unrecorded, "other"].sort());
  await running.stop();
  await cache.getOrBuild("other", META, write);
  assert.deepEqual(names(folder.path), [mine, unrecorded, "other"].sort());
});

Deno.test("cache: snapshots of a finished key go once no build of that key runs", async () => {
  await using folder = await temporaryFolder();
  const cache = new CheckpointCache(folder.path);
  await cache.getOrBuild("done", META, write);
  // A run killed after its rename but before it removed its snapshots, beside a racing build.
  await Deno.mkdir(cache.partialPath("done"));
  await Deno.mkdir(cache.partialPath("pending"));
  const running = sleeper();
  const racing = `.tmp-done-${running.id}-abc123`;
  await Deno.mkdir(join(folder.path, racing));
  await cache.getOrBuild("done", META, write);
  assert.deepEqual(names(folder.path), [".partial-done", ".partial-pending", racing, "done"]);
  await running.stop();
  await cache.getOrBuild("done", META, write);
  assert.deepEqual(names(folder.path), [".partial-pending", "done"], "pending may still resume");
});

Deno.test("cache gc: leftovers of gone builders go, a running build's folder and snapshots stay", async () => {
  await using folder = await temporaryFolder();
  const cache = new CheckpointCache(folder.path);
  await cache.getOrBuild("kept", META, write);
  const running = sleeper();
  const live = `.tmp-busy-${running.id}-abc123`;
  const dead = `.tmp-busy-${await goneId()}-def456`;
  for (const name of [live, dead, ".partial-busy", ".partial-idle", ".damaged-old-1"]) {
    await Deno.mkdir(join(folder.path, name));
  }
  await Deno.mkdir(join(folder.path, ".tmp-recent-unrecorded"));
  const removed = await cache.gc(() => true);
  assert.deepEqual(removed, [".damaged-old-1", ".partial-idle", dead]);
  assert.deepEqual(
    names(folder.path),
    [".partial-busy", ".tmp-recent-unrecorded", live, "kept"].sort(),
  );
  await running.stop();
});

Deno.test("cache: files in subfolders of an entry are checksummed too", async () => {
  await using folder = await temporaryFolder();
  const cache = new CheckpointCache(folder.path);
  const { info } = await cache.getOrBuild("model", META, async (dir) => {
    await Deno.mkdir(join(dir, "1_Dense"));
    await Deno.writeTextFile(join(dir, "1_Dense", "config.json"), "{}");
    await Deno.writeTextFile(join(dir, "config.json"), "{}");
  });
  assert.deepEqual(Object.keys(info.files).sort(), ["1_Dense/config.json", "config.json"]);
  await Deno.writeTextFile(join(cache.path("model"), "1_Dense", "config.json"), "{ }");
  assert.equal(await cache.get("model"), null, "a damaged file in a subfolder is detected");
});

Deno.test("cache: a build waits for another build of its key and uses its entry", async () => {
  await using folder = await temporaryFolder();
  let builds = 0;
  const slow = async (dir: string) => {
    builds++;
    await new Promise((resolve) => setTimeout(resolve, 30));
    await write(dir);
  };
  const [a, b] = await Promise.all([
    new CheckpointCache(folder.path).getOrBuild("shared", META, slow),
    new CheckpointCache(folder.path).getOrBuild("shared", META, slow),
  ]);
  assert.equal(builds, 1);
  assert.deepEqual([a.built, b.built].sort(), [false, true]);
  assert.deepEqual(names(folder.path), ["shared"], "no lock file left");
});

Deno.test("cache gc: the snapshots of a key whose lock is held stay", async () => {
  await using folder = await temporaryFolder();
  const cache = new CheckpointCache(folder.path);
  await Deno.mkdir(cache.partialPath("resuming"));
  const held = await lockBuild(folder.path, "resuming");
  assert.deepEqual(await cache.gc(() => true), []);
  await held[Symbol.asyncDispose]();
  assert.deepEqual(await cache.gc(() => true), [".partial-resuming"]);
});

Deno.test("cache: a lock file nobody holds goes at the next build; a held one stays", async () => {
  await using folder = await temporaryFolder();
  const cache = new CheckpointCache(folder.path);
  await Deno.writeTextFile(join(folder.path, ".lock-killed"), "");
  const held = await lockBuild(folder.path, "busy");
  await cache.getOrBuild("other", META, write);
  assert.deepEqual(names(folder.path), [".lock-busy", "other"]);
  await held[Symbol.asyncDispose]();
  assert.deepEqual(names(folder.path), ["other"]);
});

Deno.test("cache gc: an unrecorded build folder goes once it is a day old, not a minute before", async () => {
  await using folder = await temporaryFolder();
  const cache = new CheckpointCache(folder.path);
  const hour = 3600 * 1000;
  // 30 s either side of 24 h: a threshold off by a second per hour or a ms per second misses.
  for (
    const [name, age] of [[".tmp-old-abc", 24 * hour + 30_000], [
      ".tmp-new-def",
      24 * hour - 30_000,
    ]]
  ) {
    await Deno.mkdir(join(folder.path, name as string));
    await Deno.utime(join(folder.path, name as string), 0, new Date(Date.now() - (age as number)));
  }
  assert.deepEqual(await cache.gc(() => true), [".tmp-old-abc"]);
  assert.deepEqual(names(folder.path), [".tmp-new-def"]);
});

Deno.test("cache gc: the snapshots of a key whose lock file nobody holds go with the lock", async () => {
  await using folder = await temporaryFolder();
  const cache = new CheckpointCache(folder.path);
  // A build killed while holding its lock: the kernel dropped the flock, the file stayed.
  await Deno.writeTextFile(join(folder.path, ".lock-killed"), "");
  await Deno.mkdir(cache.partialPath("killed"));
  assert.deepEqual(await cache.gc(() => true), [".lock-killed", ".partial-killed"]);
  assert.deepEqual(names(folder.path), []);
});

Deno.test("cache: a missing cache folder lists nothing; one that is a file is an error", async () => {
  await using folder = await temporaryFolder();
  const missing = new CheckpointCache(join(folder.path, "never-made"));
  assert.deepEqual(await missing.list(), []);
  assert.deepEqual(await missing.gc(() => false), []);
  await Deno.writeTextFile(join(folder.path, "file"), "");
  await assert.rejects(
    new CheckpointCache(join(folder.path, "file")).list(),
    Deno.errors.NotADirectory,
  );
});

Deno.test("cache: a build that loses the rename to a verified entry returns it and removes its copy", async () => {
  await using folder = await temporaryFolder();
  await using elsewhere = await temporaryFolder();
  const cache = new CheckpointCache(folder.path);
  let winner: { created: string } | undefined;
  const result = await cache.getOrBuild("raced", META, async (dir) => {
    await write(dir);
    // Another run (on a filesystem that ignores locks) finishes the same key meanwhile.
    ({ info: winner } = await new CheckpointCache(elsewhere.path).getOrBuild("raced", META, write));
    await Deno.rename(join(elsewhere.path, "raced"), cache.path("raced"));
  });
  assert.equal(result.built, false);
  assert.equal(result.info.created, winner?.created);
  assert.deepEqual(names(folder.path), ["raced"], "the losing build's folder is gone");
});
