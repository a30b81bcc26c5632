import assert from "node:assert/strict";
import { join } from "node:path";
import type { Run } from "../lib/retrieval/metrics.ts";
import { readTrecRun, writeTrecRun } from "../lib/retrieval/trec_run.ts";
import { temporaryFolder } from "./temporary_folder.ts";

Deno.test("writeTrecRun then readTrecRun gives back the same run, scores bit for bit", async () => {
  await using folder = await temporaryFolder();
  const path = join(folder.path, "x.run");
  const run: Run = new Map([
    ["q1", new Map([["d1", 0.1 + 0.2], ["d2", -3.5], ["d3", 1e-7], ["d4", 123456789.125]])],
    ["q2", new Map([["d1", 2 / 3]])],
  ]);
  await writeTrecRun(path, run, { tag: "tfidf" });
  assert.deepEqual(await readTrecRun(path), run);
  const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
  assert.equal(lines.length, 5);
  assert.ok(lines.every((line) => line.endsWith(" tfidf")));
});

Deno.test("writeTrecRun ranks by score descending, ties by document id descending", async () => {
  await using folder = await temporaryFolder();
  const path = join(folder.path, "ties.run");
  const scores = new Map([["a", 1], ["b", 2], ["c", 1], ["d", 1], ["e", -3]]);
  await writeTrecRun(path, new Map([["q", scores]]));
  assert.equal(
    await Deno.readTextFile(path),
    ["q Q0 b 1 2 run", "q Q0 d 2 1 run", "q Q0 c 3 1 run", "q Q0 a 4 1 run", "q Q0 e 5 -3 run"]
      .map((line) => line + "\n").join(""),
  );
});

Deno.test("writeTrecRun rejects ids with blanks and scores that are not finite", async () => {
  await using folder = await temporaryFolder();
  const path = join(folder.path, "bad.run");
  const write = (queryId: string, docId: string, score: number) =>
    writeTrecRun(path, new Map([[queryId, new Map([[docId, score]])]]));
  await assert.rejects(write("q 1", "d", 1), /bad\.run: query id "q 1" is empty or has whitespace/);
  await assert.rejects(write("q", "d\t2", 1), /document id "d\\t2"/);
  await assert.rejects(write("q", "d", Infinity), /score of \(q, d\) is Infinity/);
  await assert.rejects(
    writeTrecRun(path, new Map(), { tag: "" }),
    /tag "" is empty or has whitespace/,
  );
});

Deno.test("readTrecRun names the file and line of a malformed line", async () => {
  await using folder = await temporaryFolder();
  const path = join(folder.path, "malformed.run");
  const cases: [string, RegExp][] = [
    ["q1 Q0 d1 1 0.5", /malformed\.run:2: expected 6 columns .* found 5/],
    ["q1 Q0 d1 first 0.5 run", /malformed\.run:2: rank "first" is not an integer/],
    ["q1 Q0 d1 1 0x10 run", /malformed\.run:2: score "0x10" is not a finite number/],
    ["q1 Q0 d0 2 0.5 run", /malformed\.run:2: document d0 repeated for q1/],
  ];
  for (const [line, error] of cases) {
    await Deno.writeTextFile(path, `q1 Q0 d0 1 0.9 run\n${line}\n`);
    await assert.rejects(readTrecRun(path), error);
  }
});

Deno.test("readTrecRun accepts tabs, blank lines and any 2nd column, as trec_eval does", async () => {
  await using folder = await temporaryFolder();
  const path = join(folder.path, "loose.run");
  await Deno.writeTextFile(path, "q1\t0\td1\t1\t2.5e1\tx\r\n\n  q1 Q0 d2 2 -.5 x\n");
  assert.deepEqual(await readTrecRun(path), new Map([["q1", new Map([["d1", 25], ["d2", -0.5]])]]));
});
