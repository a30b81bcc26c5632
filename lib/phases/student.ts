/**
 * The model a phase trains, made from its parent's: the same model when the head stays
 * (a ColBERT phase after a ColBERT phase), else the parent's encoder under a fresh head
 * (a ColBERT phase after a dense one: pipeline (a)'s KD step, PyLate's conversion).
 * The input config (prompts, lengths) is the phase's own, which is how the prompt
 * ablation fine-tunes without prompts a model pre-trained with them.
 */
import type { ColbertInputConfig } from "../models/colbert_inputs.ts";
import { type Model, type ModelKind, withHead } from "../models/model.ts";
import { disposeParams } from "../models/params.ts";

/** The student of a phase, of head `kind` and input config `inputs`, from `parent`. */
export function studentFrom(
  parent: Model,
  kind: ModelKind,
  { inputs, seed }: { inputs: ColbertInputConfig; seed: number },
): Model {
  if (parent.config.kind === kind) {
    return { config: { ...parent.config, inputs }, params: parent.params };
  }
  const model = withHead(parent, kind, { seed });
  disposeParams(parent.params);
  return { config: { ...model.config, inputs }, params: model.params };
}
