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
import { parseArgs } from "node:util";
import { createStudyContext } from "../lib/phases/context.ts";
import { exportPhase } from "../lib/pylate/export.ts";
import { runMain } from "./run_main.ts";
import { parseRequest, TRAIN_OPTIONS, UsageError } from "./train.ts";

const USAGE = "usage: deno task export unsupervised|supervised|distillation [train options] " +
  "--to FOLDER [--json]   (train options: see `deno task train`)";

async function main(args: string[]): Promise<number> {
  let request, values;
  try {
    const parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { ...TRAIN_OPTIONS, to: { type: "string" } },
    });
    values = parsed.values;
    if (!values.to) throw new UsageError("--to FOLDER is required");
    request = parseRequest(parsed.positionals, values);
  } catch (error) {
    console.error(`export: ${(error as Error).message.replaceAll("\n", " ")}\n${USAGE}`);
    return 2;
  }
  const context = await createStudyContext({
    profile: request.profile.name,
    backend: values.backend,
    print: (line) => console.error(line),
  });
  context.profile = request.profile;
  const settings = await exportPhase(context, { ...request, from: values.from }, values.to);
  const summary = {
    folder: values.to,
    phase: settings.phase,
    key: settings.key,
    label: settings.label,
  };
  if (values.json) console.log(JSON.stringify(summary));
  else {
    console.log(Object.entries(summary).map(([k, v]) => `${k}: ${v}`).join("\n"));
    console.log(`next: ${values.to}/launch.sh [processes per node] [torchrun flags]`);
  }
  return 0;
}

if (import.meta.main) await runMain("export", main);
