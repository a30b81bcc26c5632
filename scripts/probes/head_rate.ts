/**
 * Pipeline (a)'s KD step from the pretrained backbone at several head rate scales (how much
 * faster than the encoder the fresh ColBERT projection learns; docs/study_notes.md), scored
 * on the small evaluation sets.
 *
 *   deno run -A scripts/probes/head_rate.ts 1 20
 *
 * Trains into the normal checkpoint cache; the profile's own scale is a cache hit.
 */
import { createStudyContext } from "../../lib/phases/context.ts";
import { backbone, distilled } from "../../lib/study/recipes.ts";
import { loadCheckpoint } from "../../lib/checkpoints/checkpoint.ts";
import { loadEvalSuite } from "../../lib/study/evaluation.ts";
import { evaluateRetriever } from "../../lib/retrieval/evaluate.ts";
import { neuralRetriever } from "../../lib/retrieval/neural_retriever.ts";
import { WITH_PROMPTS } from "../../lib/phases/input_variant.ts";
import { disposeParams } from "../../lib/models/params.ts";

const SMALL_SETS = ["debian-faq", "perlfaq", "python-faq", "r-faq"];
const base = await createStudyContext({ profile: "pretrained" });
const suite = (await loadEvalSuite(base)).filter((d) => SMALL_SETS.includes(d.name));
for (const scale of Deno.args.map(Number)) {
  const context = { ...base, profile: { ...base.profile, headRateScale: scale } };
  const parent = await backbone(context);
  const result = await distilled(context, WITH_PROMPTS, { seed: 1, parent });
  const { model } = await loadCheckpoint(result.dir);
  const scores: string[] = [];
  for (const dataset of suite) {
    const retriever = neuralRetriever(model, context.tokenizer, { corpus: dataset.corpus });
    const ndcg = (await evaluateRetriever(dataset, retriever, { k: 10 }))["ndcg@10"];
    scores.push(`${dataset.name} ${(100 * ndcg).toFixed(1)}`);
  }
  disposeParams(model.params);
  console.log(`head rate x${scale}: ${scores.join("  ")}`);
}
