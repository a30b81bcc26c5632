/**
 * What a ColBERT head on the pretrained backbone gives before any training (docs/study_notes.md):
 * nDCG@10 of the dense model as it is, and of MaxSim over its token vectors under a random
 * 128-dimensional projection (the head every ColBERT phase starts from) or under the identity
 * (384 dimensions, the token vectors themselves), on the small evaluation sets.
 *
 *   deno run -A scripts/probes/colbert_head_start.ts
 */
import * as tf from "@tensorflow/tfjs";
import { createStudyContext } from "../../lib/phases/context.ts";
import { backbone } from "../../lib/study/recipes.ts";
import { loadCheckpoint } from "../../lib/checkpoints/checkpoint.ts";
import { loadEvalSuite } from "../../lib/study/evaluation.ts";
import { type Model, withHead } from "../../lib/models/model.ts";
import { param } from "../../lib/models/params.ts";
import { evaluateRetriever } from "../../lib/retrieval/evaluate.ts";
import { neuralRetriever } from "../../lib/retrieval/neural_retriever.ts";
import { NO_PROMPTS, phaseInputs } from "../../lib/phases/input_variant.ts";

const SMALL_SETS = ["debian-faq", "perlfaq", "python-faq", "r-faq"];
const context = await createStudyContext({ profile: "pretrained" });
const { model: dense } = await loadCheckpoint((await backbone(context)).dir);
const suite = (await loadEvalSuite(context)).filter((d) => SMALL_SETS.includes(d.name));
const inputs = phaseInputs(context.profile, {
  variant: NO_PROMPTS,
  documentLength: context.profile.documentLength,
});

/** The backbone under a fresh ColBERT head of `dim` dimensions. */
function colbert(dim: number): Model {
  const model = withHead({ ...dense, config: { ...dense.config, colbertDim: dim } }, "colbert", {
    seed: 1,
  });
  return { ...model, config: { ...model.config, inputs } };
}

const identity = colbert(384);
param(identity.params, "colbert.projection.weight").assign(tf.eye(384));
const models: [string, Model][] = [
  ["dense model as is", dense],
  ["MaxSim, random 128-d head", colbert(128)],
  ["MaxSim, identity (384-d)", identity],
];
for (const [name, model] of models) {
  const scores: string[] = [];
  for (const dataset of suite) {
    const retriever = neuralRetriever(model, context.tokenizer, { corpus: dataset.corpus });
    const ndcg = (await evaluateRetriever(dataset, retriever, { k: 10 }))["ndcg@10"];
    scores.push(`${dataset.name} ${(100 * ndcg).toFixed(1)}`);
  }
  console.log(`${name.padEnd(28)} ${scores.join("  ")}`);
}
