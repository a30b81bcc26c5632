/**
 * An encoder config from a profile's sizes and an architecture: the suite's own ModernBERT
 * (models/suite_encoder.ts), or a BERT with transformers' defaults otherwise, which is how
 * all-MiniLM-L6-v2 is built. For what is computed from sizes alone (FLOPs, the bench's models);
 * a pretrained model's real config comes from its folder.
 */
import { parseBertConfig } from "./bert.ts";
import type { EncoderConfig } from "./encoder.ts";
import { configSizes, type EncoderShape, suiteModernBert } from "./suite_encoder.ts";

/** The encoder architectures a shape can be built as. */
export type Architecture = "modernbert" | "bert";

/** The config of an encoder of `shape` built as `architecture`. */
export function encoderOfShape(shape: EncoderShape, architecture: Architecture): EncoderConfig {
  if (architecture === "modernbert") return suiteModernBert(shape);
  return parseBertConfig(configSizes(shape), `a BERT of ${shape.layers} x ${shape.hidden}`);
}
