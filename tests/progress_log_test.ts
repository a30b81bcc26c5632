import assert from "node:assert/strict";
import { join } from "node:path";
import { followProgressLog, progressLogPrinter } from "../lib/train/progress_log.ts";
import { temporaryFolder } from "./temporary_folder.ts";

Deno.test("progress log: a follower prints each appended line once, the unfinished one at stop", async () => {
  await using folder = await temporaryFolder();
  const path = join(folder.path, "run.log");
  const seen: string[] = [];
  // Started before the file exists, as reproduce does before the kernel writes anything.
  const follow = followProgressLog(path, (line) => seen.push(line), 10);
  const print = progressLogPrinter(path);
  print("unsupervised | step 1/80 | loss 4.1589");
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(seen, ["unsupervised | step 1/80 | loss 4.1589"]);
  print("unsupervised | step 80/80 | loss 2.0000");
  await Deno.writeTextFile(path, "half a li", { append: true });
  await follow.stop();
  assert.deepEqual(seen, [
    "unsupervised | step 1/80 | loss 4.1589",
    "unsupervised | step 80/80 | loss 2.0000",
    "half a li",
  ]);
});
