/**
 * `deno task import <folder> --as <phase> [train options] [--json]`: register a PyLate model
 * (typically `<export folder>/model/` after its launch.sh ran) in the checkpoint cache under
 * the key of that phase, named by the same options `deno task train` and `deno task export`
 * take (lib/pylate/import.ts). A folder whose architecture, dimension or inputs differ from
 * the phase's model is refused (exit 1) with what differs; nothing is registered.
 *
 *   deno task import /tmp/unsup/model --as unsupervised --profile tiny
 */
import { importModel } from "../lib/pylate/import.ts";
import { parsePhaseRequest, PHASE_OPTIONS, requestContext } from "./phase_request.ts";
import { parseCommandLine, printSummary, runMain, UsageError } from "./run_main.ts";

const USAGE = "usage: deno task import FOLDER --as unsupervised|supervised|distillation " +
  "[train options] [--json]   (train options: see `deno task train`)";

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine({
    args,
    allowPositionals: true,
    options: { ...PHASE_OPTIONS, as: { type: "string" } },
  });
  if (positionals.length !== 1) throw new UsageError("give exactly one model folder");
  if (!values.as) throw new UsageError("--as PHASE is required");
  const request = parsePhaseRequest(values.as, values);
  const context = await requestContext(request, values.backend);
  const result = await importModel(context, positionals[0], { ...request, from: values.from });
  printSummary({
    key: result.key,
    phase: result.phase,
    label: result.provenance.label,
    trained_by: result.provenance.backend,
    steps: result.provenance.steps,
    final_loss: result.log.steps.at(-1)?.loss ?? null,
    dir: result.dir,
  }, values.json);
  return 0;
}

if (import.meta.main) await runMain("import", main, USAGE);
