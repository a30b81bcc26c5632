/**
 * A program for the fault-injection suite: score cache entry `KEY` on the evaluation suite
 * through the evaluation cache, as the study does, and print the evaluation's key.
 *
 *   COLBERT_CACHE=... deno run -A tests/fault_evaluate.ts KEY [--profile tiny]
 */
import { parseArgs } from "node:util";
import { createStudyContext } from "../lib/phases/context.ts";
import { readPhaseResult } from "../lib/phases/phase.ts";
import { evaluatePhase, evaluationKey, loadEvalSuite } from "../lib/study/evaluation.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { profile: { type: "string", default: "tiny" } },
});
const context = await createStudyContext({ profile: values.profile, print: () => {} });
const suite = await loadEvalSuite(context);
const result = await readPhaseResult(context.cache, positionals[0]);
const scores = await evaluatePhase(context, suite, result);
const { key } = await evaluationKey(context, suite, result.key);
console.log(JSON.stringify({ key, average: scores.average }));
