/**
 * ColBERT head: every token vector projected to `dim` (128 in the paper) by a bias-free
 * linear layer, then L2-normalised, so MaxSim's dot products are cosine similarities.
 */
import type * as tf from "@tensorflow/tfjs";
import { l2Normalize, linear } from "../ops.ts";
import type { ParamInit, Params } from "../params.ts";

/** Create `colbert.projection.weight` [hidden, dim]. */
export function initColbertHead(
  init: ParamInit,
  { hidden, dim }: { hidden: number; dim: number },
): void {
  init.normal("colbert.projection.weight", [hidden, dim]);
}

/** Token vectors [B, L, hidden] -> normalised token embeddings [B, L, dim]. */
export function colbertHead(params: Params, hidden: tf.Tensor3D): tf.Tensor3D {
  return l2Normalize(linear(params, "colbert.projection", hidden));
}
