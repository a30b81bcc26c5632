import assert from "node:assert/strict";
import { join } from "node:path";
import { readBuiltCards, readCards } from "../lib/data/data_layout.ts";
import { temporaryFolder } from "./temporary_folder.ts";

Deno.test("readBuiltCards leaves out a card whose files are absent (CISI without ../shared)", async () => {
  await using folder = await temporaryFolder();
  await Deno.mkdir(join(folder.path, "cards"));
  await Deno.mkdir(join(folder.path, "eval", "here"), { recursive: true });
  await Deno.writeTextFile(join(folder.path, "eval", "here", "corpus.jsonl"), "{}\n");
  const card = (name: string) => ({
    name,
    files: [{ path: `eval/${name}/corpus.jsonl`, bytes: 3, sha256: "x" }],
  });
  for (const name of ["here", "absent"]) {
    await Deno.writeTextFile(
      join(folder.path, "cards", `${name}.json`),
      JSON.stringify(card(name)),
    );
  }
  assert.deepEqual((await readCards(folder.path)).map((c) => c.name), ["absent", "here"]);
  assert.deepEqual((await readBuiltCards(folder.path)).map((c) => c.name), ["here"]);
});
