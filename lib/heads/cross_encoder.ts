/**
 * Cross-encoder head (the teacher): the [CLS] vector of `[CLS] query [SEP] document [SEP]`
 * mapped to one relevance score by a linear layer.
 */
import type * as tf from "@tensorflow/tfjs";
import { linear } from "../ops.ts";
import type { ParamInit, Params } from "../params.ts";

/** Create `cross.score.weight` [hidden, 1] and its bias. */
export function initCrossEncoderHead(init: ParamInit, hidden: number): void {
  init.normal("cross.score.weight", [hidden, 1]);
  init.constant("cross.score.bias", [1], 0);
}

/** Token vectors [B, L, hidden] of query-document pairs -> scores [B]. */
export function crossEncoderHead(params: Params, hidden: tf.Tensor3D): tf.Tensor1D {
  const cls = hidden.slice([0, 0, 0], [-1, 1, -1]).reshape([hidden.shape[0], hidden.shape[2]]);
  return linear(params, "cross.score", cls).reshape([-1]) as tf.Tensor1D;
}
