import assert from "node:assert/strict";
import { join } from "node:path";
import { writeFileAtomic } from "../lib/util/atomic_write.ts";
import { processId } from "../lib/util/process_identity.ts";
import { temporaryFolder } from "./temporary_folder.ts";

Deno.test("an atomic write removes what killed writers left of its target, not a live one's", async () => {
  await using folder = await temporaryFolder();
  const killed = new Deno.Command("sleep", { args: ["60"] }).spawn();
  const killedId = processId(killed.pid);
  killed.kill("SIGKILL");
  await killed.status;
  const live = new Deno.Command("sleep", { args: ["60"] }).spawn();
  try {
    const target = join(folder.path, "scores.json");
    const abandoned = `scores.json.tmp-${killedId}-0`;
    const inProgress = `scores.json.tmp-${processId(live.pid)}-3`;
    const otherTarget = `other.json.tmp-${killedId}-1`;
    for (const name of [abandoned, inProgress, otherTarget]) {
      await Deno.writeTextFile(join(folder.path, name), "half");
    }
    await writeFileAtomic(target, "{}");
    const names = [...Deno.readDirSync(folder.path)].map((entry) => entry.name).sort();
    assert.deepEqual(names, [otherTarget, "scores.json", inProgress].sort());
    assert.equal(await Deno.readTextFile(target), "{}");
  } finally {
    live.kill("SIGKILL");
    await live.status;
  }
});
