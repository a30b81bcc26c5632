/**
 * The files `deno task mutate` mutates when given none: the code the study's numbers rest on
 * (issue 18): MaxSim and search, the losses, the metrics, BM25, the cache and its key, the
 * encoder and its heads, ColBERT's inputs and prompts, the checkpoint and model-folder readers.
 */

/** Core source files, relative to the repository root. */
export const CORE_FILES: readonly string[] = [
  "lib/scores/maxsim.ts",
  "lib/retrieval/search.ts",
  "lib/losses/contrastive.ts",
  "lib/losses/cached_contrastive.ts",
  "lib/losses/distillation.ts",
  "lib/losses/cross_entropy.ts",
  "lib/losses/mlm.ts",
  "lib/retrieval/metrics.ts",
  "lib/retrieval/bm25.ts",
  "lib/cache/cache.ts",
  "lib/models/hf_ops.ts",
  "lib/models/modernbert_attention.ts",
  "lib/models/modernbert.ts",
  "lib/models/heads/colbert.ts",
  "lib/models/heads/dense.ts",
  "lib/models/heads/cross_encoder.ts",
  "lib/models/colbert_inputs.ts",
  "lib/models/embed.ts",
  "lib/checkpoints/checkpoint.ts",
  "lib/checkpoints/model_folder.ts",
];
