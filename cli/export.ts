/**
 * `deno task export <phase> [train options] --to <folder>`: write everything PyLate needs to
 * train that phase as the suite would (lib/pylate/export.ts), then train it anywhere with
 * `<folder>/launch.sh [processes per node] [extra torchrun flags]` and bring the result back
 * with `deno task import <folder>/model --as <phase> [the same train options]`.
 *
 *   deno task export unsupervised --profile tiny --to /tmp/unsup
 *   deno task export distillation --prompts on --seed 2 --to runs/kd-seed2
 *
 * The phase's parent is trained (or fetched) through the cache first, as `deno task train`
 * would. `--json` prints one JSON line: the folder, the phase, its cache key.
 */
import { exportPhase } from "../lib/pylate/export.ts";
import { parsePhaseRequest, PHASE_OPTIONS, requestContext } from "./phase_request.ts";
import { parseCommandLine, printSummary, runMain, UsageError } from "./run_main.ts";

const USAGE = "usage: deno task export unsupervised|supervised|distillation [train options] " +
  "--to FOLDER [--json]   (train options: see `deno task train`)";

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine({
    args,
    allowPositionals: true,
    options: { ...PHASE_OPTIONS, to: { type: "string" } },
  });
  if (!values.to) throw new UsageError("--to FOLDER is required");
  if (positionals.length > 1) throw new UsageError("give exactly one phase");
  const request = parsePhaseRequest(positionals[0], values);
  const context = await requestContext(request, values.backend);
  const settings = await exportPhase(context, { ...request, from: values.from }, values.to);
  const { phase, key, label } = settings;
  printSummary({ folder: values.to, phase, key, label }, values.json);
  if (!values.json) {
    console.log(`next: ${values.to}/launch.sh [processes per node] [torchrun flags]`);
  }
  return 0;
}

if (import.meta.main) await runMain("export", main, USAGE);
