/**
 * A ColBERT model trained by the suite and written as a PyLate folder, for the round-trip
 * fixture: PyLate must give it the scores the suite gives it.
 *
 *   deno run -A scripts/reference/suite_colbert.ts
 *   .venv-ref/bin/python scripts/reference/make_fixtures.py roundtrip \
 *     tests/fixtures/reference/suite_colbert tests/fixtures/reference/suite_colbert.json
 *
 * It starts from the tiny ModernBERT PyLate folder (the suite's own architecture, with a
 * 1,002-token vocabulary so the fixture stays small) and trains 30 steps of the suite's
 * in-batch contrastive loss on CISI titles against their abstracts, on the cpu backend.
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { initBackend } from "../../lib/compute/backend.ts";
import { saveModelFolder } from "../../lib/checkpoints/checkpoint.ts";
import { readDataset } from "../../lib/datasets/dataset.ts";
import { embedTexts } from "../../lib/models/embed.ts";
import { contrastiveLoss } from "../../lib/losses/contrastive.ts";
import { loadModelFolder } from "../../lib/checkpoints/model_folder.ts";
import { AdamW, clipByGlobalNorm } from "../../lib/train/adamw.ts";
import { gradientsOf } from "../../lib/train/loop.ts";

const FIXTURES = fileURLToPath(new URL("../../tests/fixtures/reference/", import.meta.url));
const CISI = fileURLToPath(new URL("../../../shared/data/cisi", import.meta.url));
const STEPS = 30;
const BATCH = 8;

await initBackend("cpu");
const { model, tokenizer } = await loadModelFolder(join(FIXTURES, "pylate_modernbert_tiny"));
const documents = [...(await readDataset(CISI)).corpus.values()].filter((d) => d.title && d.text);
const optimizer = new AdamW(model.params);
for (let step = 0; step < STEPS; step++) {
  const batch = documents.slice(step * BATCH, (step + 1) * BATCH);
  const { loss, grads } = await gradientsOf(model, () => {
    const queries = embedTexts(model, tokenizer, {
      texts: batch.map((d) => d.title),
      side: "query",
    });
    const positives = embedTexts(model, tokenizer, {
      texts: batch.map((d) => d.text),
      side: "document",
    });
    return contrastiveLoss(queries, [positives], { temperature: 0.05 });
  });
  const clipped = await clipByGlobalNorm(grads, 1);
  optimizer.apply(clipped.grads, 1e-3);
  tf.dispose([...new Set([...grads.values(), ...clipped.grads.values()])]);
  console.log(`step ${step + 1}/${STEPS}: loss ${loss.toFixed(4)}`);
}
const out = join(FIXTURES, "suite_colbert");
await Deno.remove(out, { recursive: true }).catch(() => {});
await saveModelFolder(out, model, {
  tokenizer,
  metadata: { trainedBy: "scripts/reference/suite_colbert.ts", steps: STEPS, batch: BATCH },
});
console.log(`wrote ${out}`);
