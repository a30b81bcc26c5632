/** Shared test helper: a very small ModernBERT, the suite's own architecture, trained in seconds. */
import type { ModernBertConfig } from "../lib/models/modernbert.ts";
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
