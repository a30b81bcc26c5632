/**
 * How the `pretrained` profile's teacher was chosen (docs/study_notes.md): on the dev sets
 * only, nDCG@10 of BM25, the pretrained dense model, a cross-encoder fine-tuned from it with
 * the profile's teacherTraining settings (reranking BM25's top `rerankDepth`), and the dense
 * model fused with BM25 at several BM25 shares (z-scores over the union of both top-100s).
 *
 *   deno run -A scripts/probes/teacher_choice.ts [--queries 60]
 *
 * Trains into the normal checkpoint cache (the cross-encoder is a cached "teacher" phase).
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
import type { BeirDataset } from "../../lib/datasets/beir.ts";

const { values } = parseArgs({ args: Deno.args, options: { queries: { type: "string" } } });
const queries = Number(values.queries ?? 60);
const base = await createStudyContext({ profile: "pretrained" });
const context = { ...base, profile: { ...base.profile, teacherKind: "cross-encoder" as const } };
const crossEncoder = (await loadCheckpoint((await teacher(context)).dir)).model;
const dense = (await loadCheckpoint((await backbone(context)).dir)).model;
const ndcg = async (dataset: BeirDataset, retriever: Retriever) =>
  (100 * (await evaluateRetriever(dataset, retriever, { k: 10 }))["ndcg@10"]).toFixed(2);
for (const dataset of context.data.dev.map((d) => nanoSubset(d, { queries }))) {
  const { corpus } = dataset;
  console.log(`${dataset.name} (${dataset.qrels.size} queries), nDCG@10 x 100:`);
  console.log(`  BM25                       ${await ndcg(dataset, bm25Retriever(corpus))}`);
  console.log(
    `  dense model as is          ${await ndcg(
      dataset,
      neuralRetriever(dense, context.tokenizer, { corpus }),
    )}`,
  );
  console.log(
    `  cross-encoder reranking    ${await ndcg(
      dataset,
      teacherRetriever(context, crossEncoder, dataset),
    )}`,
  );
  for (const weight of [0.2, 0.3, 0.5, 0.7]) {
    const fused = hybridRetriever(dense, context.tokenizer, { corpus, weight, depth: 100 });
    console.log(`  fused, BM25's share ${weight.toFixed(1)}    ${await ndcg(dataset, fused)}`);
  }
}
