/**
 * Does a model folder hold what a phase trains? The encoder's architecture (every typed field
 * of config.json), the ColBERT dimension, and the inputs (markers, prompts, lengths, query
 * expansion, skiplist) must equal those of the model the suite would train in that phase;
 * each difference is named, so a refusal says what differs.
 */
import { type ColbertInputConfig, colbertLengths } from "../models/colbert_inputs.ts";
import type { ModelConfig } from "../models/model.ts";

/** One line per difference between `expected` and `actual` (none: they match). */
export function modelDifferences(expected: ModelConfig, actual: ModelConfig): string[] {
  const differences: string[] = [];
  const differ = (what: string, want: unknown, got: unknown) => {
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      differences.push(`${what}: expected ${JSON.stringify(want)}, found ${JSON.stringify(got)}`);
    }
  };
  differ("kind", expected.kind, actual.kind);
  const { json: _want, ...wantEncoder } = expected.transformer;
  const { json: _got, ...gotEncoder } = actual.transformer;
  for (const key of new Set([...Object.keys(wantEncoder), ...Object.keys(gotEncoder)])) {
    differ(
      `architecture ${key}`,
      (wantEncoder as Record<string, unknown>)[key],
      (gotEncoder as Record<string, unknown>)[key],
    );
  }
  differ("dimension (ColBERT projection)", expected.colbertDim, actual.colbertDim);
  const want = effectiveInputs(expected.inputs);
  const got = effectiveInputs(actual.inputs);
  for (const key of Object.keys(want) as (keyof typeof want)[]) differ(key, want[key], got[key]);
  return differences;
}

/** The inputs as PyLate's settings name them: what tokenisation actually uses. */
function effectiveInputs(inputs: ColbertInputConfig) {
  const lengths = colbertLengths(inputs);
  return {
    query_prefix: inputs.queryMarker,
    document_prefix: inputs.documentMarker,
    query_prompt: inputs.prompts ? inputs.queryPrompt : "",
    document_prompt: inputs.prompts ? inputs.documentPrompt : "",
    query_length: lengths.query,
    document_length: lengths.document,
    do_query_expansion: inputs.queryExpansion,
    attend_to_expansion_tokens: inputs.attendToExpansionTokens,
    skiplist_words: [...inputs.skiplistWords],
  };
}
