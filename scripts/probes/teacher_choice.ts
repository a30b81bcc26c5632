/**
 * How the `pretrained` profile's teacher was chosen (docs/study_notes.md): on the dev sets
 * only, nDCG@10 of BM25, the pretrained dense model, a cross-encoder fine-tuned from it with
 * the profile's cross-encoder recipe (reranking BM25's top `rerankDepth`), the dense model
 * fine-tuned as the profile's teacher, and that teacher fused with BM25 at several BM25 shares
 * (z-scores over the union of both top-100s).
 *
 *   deno run -A scripts/probes/teacher_choice.ts [--queries 300]
 *
 * Trains into the normal checkpoint cache (both teachers are cached "teacher" phases).
 */
import { parseArgs } from "node:util";
import { createStudyContext } from "../../lib/phases/context.ts";
import { teacher } from "../../lib/phases/teacher_phase.ts";
import { backbone } from "../../lib/study/recipes.ts";
import { teacherRetriever } from "../../lib/study/evaluation.ts";
import { nanoSubset } from "../../lib/phases/validation.ts";
import { evaluateRetriever, type Retriever } from "../../lib/retrieval/evaluate.ts";
import { bm25Retriever } from "../../lib/retrieval/bm25.ts";
import { neuralRetriever } from "../../lib/retrieval/neural_retriever.ts";
import { hybridRetriever } from "../../lib/retrieval/hybrid.ts";
import { loadCheckpoint } from "../../lib/checkpoints/checkpoint.ts";
import { PRETRAINED } from "../../lib/phases/profiles.ts";
import type { BeirDataset } from "../../lib/datasets/beir.ts";

// The cross-encoder recipe the profile once used: 60 steps of 8 queries x (1 + 5 negatives).
const CROSS_ENCODER = {
  steps: 60,
  batchSize: 8,
  learningRate: 3e-5,
  accumulation: 1,
  negatives: 5,
};

const { values } = parseArgs({ args: Deno.args, options: { queries: { type: "string" } } });
const queries = Number(values.queries ?? 300);
const context = await createStudyContext({ profile: "pretrained" });
const crossContext = {
  ...context,
  profile: {
    ...context.profile,
    teacherKind: "cross-encoder" as const,
    teacherTraining: CROSS_ENCODER,
  },
};
const load = async (dir: string) => (await loadCheckpoint(dir)).model;
const crossEncoder = await load((await teacher(crossContext)).dir);
const denseTeacher = await load((await teacher(context)).dir);
const dense = await load((await backbone(context)).dir);
const ndcg = async (dataset: BeirDataset, retriever: Retriever) =>
  (100 * (await evaluateRetriever(dataset, retriever, { k: 10 }))["ndcg@10"]).toFixed(2);
for (const dataset of context.data.dev.map((d) => nanoSubset(d, { queries }))) {
  const { corpus } = dataset;
  const neural = (model: typeof dense) => neuralRetriever(model, context.tokenizer, { corpus });
  console.log(`${dataset.name} (${dataset.qrels.size} queries), nDCG@10 x 100:`);
  console.log(`  BM25                       ${await ndcg(dataset, bm25Retriever(corpus))}`);
  console.log(`  dense model as is          ${await ndcg(dataset, neural(dense))}`);
  console.log(
    `  cross-encoder reranking    ${await ndcg(
      dataset,
      teacherRetriever(crossContext, crossEncoder, dataset),
    )}`,
  );
  console.log(`  dense teacher              ${await ndcg(dataset, neural(denseTeacher))}`);
  for (const weight of [0.1, 0.2, 0.3, 0.5]) {
    const fused = hybridRetriever(denseTeacher, context.tokenizer, { corpus, weight, depth: 100 });
    console.log(`  + BM25, share ${weight.toFixed(1)}       ${await ndcg(dataset, fused)}`);
  }
}
console.log(
  `(the profile's teacher: ${PRETRAINED.teacherKind}, BM25's share ${PRETRAINED.hybridBm25Weight})`,
);
