/**
 * The training objectives of the study, one file each: in-batch contrastive (and its
 * GradCache form for large batches), distillation from a teacher, masked language modelling.
 *
 * ```ts
 * import { contrastiveLoss, distillationLoss } from "./losses/mod.ts";
 * ```
 */
export * from "./cached_contrastive.ts";
export * from "./contrastive.ts";
export * from "./cross_entropy.ts";
export * from "./distillation.ts";
export * from "./mlm.ts";
