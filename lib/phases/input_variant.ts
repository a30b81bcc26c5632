/**
 * The input variants the paper compares: prompts on or off, and (its appendix) the same
 * extra length that prompts bring but without the prompt text, to tell the effect of the
 * words from the effect of the longer sequence.
 */
import { type ColbertInputConfig, colbertInputConfig } from "../models/colbert_inputs.ts";
import type { Profile } from "./profile_settings.ts";

/** Prompts on/off and extra tokens of length granted without prompt text. */
export interface InputVariant {
  prompts: boolean;
  /** Tokens added to both lengths without any prompt (the length control: 7). */
  extraLength: number;
}

/** With prompts ("search_query: " / "search_document: ") and their +7 tokens. */
export const WITH_PROMPTS: InputVariant = { prompts: true, extraLength: 0 };
/** Neither prompts nor extra length. */
export const NO_PROMPTS: InputVariant = { prompts: false, extraLength: 0 };
/** The length control: no prompt text, but the same +7 tokens of room. */
export const LENGTH_ONLY: InputVariant = { prompts: false, extraLength: 7 };

/** Short name of a variant for labels and tables. */
export function variantName(variant: InputVariant): string {
  if (variant.prompts) return variant.extraLength ? `prompts+${variant.extraLength}` : "prompts";
  return variant.extraLength ? `length+${variant.extraLength}` : "no prompts";
}

/** The ColBERT input config of a phase: profile lengths, the variant's prompts and extra length. */
export function phaseInputs(
  profile: Profile,
  { variant, documentLength }: { variant: InputVariant; documentLength: number },
): ColbertInputConfig {
  return colbertInputConfig({
    prompts: variant.prompts,
    queryLength: profile.queryLength + variant.extraLength,
    documentLength: documentLength + variant.extraLength,
  });
}
