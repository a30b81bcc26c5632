/**
 * The tensors a transformers base model (`BertModel`, `ModernBertModel`) must have, by
 * state-dict name and shape, so a folder is checked whole before any weight is used.
 */
import { bertParameterShapes } from "../models/bert.ts";
import type { EncoderConfig } from "../models/encoder.ts";

/** Name -> shape of every tensor of the base model described by `config`. */
export function expectedStateDict(config: EncoderConfig): Map<string, number[]> {
  if (config.modelType === "bert") return bertParameterShapes(config);
  const { hiddenSize: hidden, intermediateSize: inner } = config;
  const flag = (key: string) => config.json[key] === true;
  const shapes = new Map<string, number[]>();
  const norm = (name: string) => {
    shapes.set(`${name}.weight`, [hidden]);
    if (flag("norm_bias")) shapes.set(`${name}.bias`, [hidden]);
  };
  const linear = (name: string, size: [number, number], bias: boolean) => {
    shapes.set(`${name}.weight`, size);
    if (bias) shapes.set(`${name}.bias`, [size[0]]);
  };
  shapes.set("embeddings.tok_embeddings.weight", [config.vocabSize, hidden]);
  norm("embeddings.norm");
  for (let layer = 0; layer < config.numHiddenLayers; layer++) {
    const p = `layers.${layer}`;
    // Layer 0 reads the embedding norm's output directly (its attn_norm is an Identity).
    if (layer > 0) norm(`${p}.attn_norm`);
    linear(`${p}.attn.Wqkv`, [3 * hidden, hidden], flag("attention_bias"));
    linear(`${p}.attn.Wo`, [hidden, hidden], flag("attention_bias"));
    norm(`${p}.mlp_norm`);
    linear(`${p}.mlp.Wi`, [2 * inner, hidden], flag("mlp_bias"));
    linear(`${p}.mlp.Wo`, [hidden, inner], flag("mlp_bias"));
  }
  norm("final_norm");
  return shapes;
}
