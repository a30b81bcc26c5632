/**
 * `deno task import`'s checks, without torch: the model an export starts from (`parent/`, a
 * PyLate folder the suite wrote) is the phase's model and registers under the export's key;
 * folders with another architecture, dimension, prefixes or prompts, or not PyLate at all, are
 * refused with what differs, and nothing is registered.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { saveModelFolder } from "../lib/checkpoints/checkpoint.ts";
import { SUITE_FILE } from "../lib/checkpoints/model_files.ts";
import { loadModelFolder } from "../lib/checkpoints/model_folder.ts";
import { initBackend } from "../lib/compute/backend.ts";
import { createModel } from "../lib/models/model.ts";
import { suiteModernBert } from "../lib/models/suite_encoder.ts";
import { WITH_PROMPTS } from "../lib/phases/input_variant.ts";
import { TINY } from "../lib/phases/profiles.ts";
import { exportPhase } from "../lib/pylate/export.ts";
import { importModel } from "../lib/pylate/import.ts";
import { toyContext } from "./study_fixture.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const STUDENT = { kind: "colbert" as const, variant: WITH_PROMPTS };
const REQUEST = { phase: "unsupervised", seed: 1, trained: STUDENT, base: STUDENT };

/** A copy of the PyLate folder `from` at `to`, its PyLate settings edited, the suite's file gone. */
async function editedCopy(
  from: string,
  to: string,
  edit: (settings: Record<string, unknown>) => void,
): Promise<void> {
  await Deno.mkdir(join(to, "1_Dense"), { recursive: true });
  for (const sub of ["", "1_Dense"]) {
    for await (const entry of Deno.readDir(join(from, sub))) {
      if (entry.isFile && entry.name !== SUITE_FILE) {
        await Deno.copyFile(join(from, sub, entry.name), join(to, sub, entry.name));
      }
    }
  }
  const path = join(to, "config_sentence_transformers.json");
  const settings = JSON.parse(await Deno.readTextFile(path));
  edit(settings);
  await Deno.writeTextFile(path, JSON.stringify(settings));
}

Deno.test("import: the phase's own model registers; other models are refused, saying what differs", async () => {
  await initBackend("wasm");
  const context = await toyContext();
  await using folder = await temporaryFolder();
  const exported = join(folder.path, "export");
  const { key } = await exportPhase(context, REQUEST, exported);
  const parent = join(exported, "parent");
  const { model, tokenizer } = await loadModelFolder(parent);

  const refused = async (dir: string, pattern: RegExp) => {
    await assert.rejects(importModel(context, dir, REQUEST), pattern);
    assert.equal(await context.cache.get(key), null, `${dir}: nothing registered`);
  };
  const wide = join(folder.path, "wide");
  await saveModelFolder(wide, createModel({ ...model.config, colbertDim: 8 }, { seed: 2 }), {
    tokenizer,
  });
  await refused(wide, /dimension \(ColBERT projection\): expected 16, found 8/);
  const deep = join(folder.path, "deep");
  const twoLayers = suiteModernBert({ ...TINY.student, layers: 2 });
  await saveModelFolder(
    deep,
    createModel({ ...model.config, transformer: twoLayers }, {
      seed: 2,
    }),
    { tokenizer },
  );
  await refused(deep, /architecture numHiddenLayers: expected 1, found 2/);
  const prefixed = join(folder.path, "prefixed");
  await editedCopy(parent, prefixed, (settings) => {
    settings.query_prefix = "[unused5]";
  });
  await refused(prefixed, /query_prefix: expected "\[unused0\]", found "\[unused5\]"/);
  const unprompted = join(folder.path, "unprompted");
  await editedCopy(parent, unprompted, (settings) => {
    settings.prompts = {};
  });
  await refused(unprompted, /query_prompt: expected "search_query: ", found ""/);
  const dense = join(folder.path, "dense");
  await saveModelFolder(dense, createModel({ ...model.config, kind: "dense" }, { seed: 2 }), {
    tokenizer,
  });
  await refused(dense, /not a PyLate ColBERT folder \(it reads as sentence-transformers\)/);

  const result = await importModel(context, parent, REQUEST);
  assert.equal(result.key, key, "registered under the key the export named");
  assert.equal(result.provenance.backend, "pylate (no training record)");
  await assert.rejects(importModel(context, parent, REQUEST), /already has/);
});
