/** Shared test helper: very small encoders (the suite's ModernBERT, and a BERT), trained in seconds. */
import type { ModernBertConfig } from "../lib/models/modernbert.ts";
import { parseBertConfig } from "../lib/models/bert.ts";
import { type EncoderShape, suiteModernBert } from "../lib/models/suite_encoder.ts";

/** The sizes of the tests' encoder (bert-base-uncased's vocabulary, 2 layers of 32). */
export const TINY_SHAPE: EncoderShape = {
  vocabSize: 30522,
  hidden: 32,
  layers: 2,
  heads: 2,
  intermediate: 48,
  maxLength: 64,
};

/** A tiny ModernBERT config, `overrides` applied to {@link TINY_SHAPE}. */
export function tinyEncoder(overrides: Partial<EncoderShape> = {}): ModernBertConfig {
  return suiteModernBert({ ...TINY_SHAPE, ...overrides });
}

/** A tiny BERT (bert-base-uncased's vocabulary, 2 layers of 16), all-MiniLM-L6-v2's architecture. */
export const TINY_BERT = parseBertConfig({
  model_type: "bert",
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 32,
  max_position_embeddings: 64,
}, "test config");
