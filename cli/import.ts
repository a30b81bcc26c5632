/**
 * `deno task import <folder> --as <phase> [train options] [--json]`: register a PyLate model
 * (typically `<export folder>/model/` after its launch.sh ran) in the checkpoint cache under
 * the key of that phase, named by the same options `deno task train` and `deno task export`
 * take (lib/pylate/import.ts). A folder whose architecture, dimension or inputs differ from
 * the phase's model is refused (exit 1) with what differs; nothing is registered.
 *
 *   deno task import /tmp/unsup/model --as unsupervised --profile tiny
 */
import { parseArgs } from "node:util";
import { createStudyContext } from "../lib/phases/context.ts";
import { importModel } from "../lib/pylate/import.ts";
import { runMain } from "./run_main.ts";
import { parseRequest, TRAIN_OPTIONS, UsageError } from "./train.ts";

const USAGE = "usage: deno task import FOLDER --as unsupervised|supervised|distillation " +
  "[train options] [--json]   (train options: see `deno task train`)";

async function main(args: string[]): Promise<number> {
  let request, values, folder;
  try {
    const parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { ...TRAIN_OPTIONS, as: { type: "string" } },
    });
    values = parsed.values;
    if (parsed.positionals.length !== 1) throw new UsageError("give exactly one model folder");
    if (!values.as) throw new UsageError("--as PHASE is required");
    folder = parsed.positionals[0];
    request = parseRequest([values.as], values);
  } catch (error) {
    console.error(`import: ${(error as Error).message.replaceAll("\n", " ")}\n${USAGE}`);
    return 2;
  }
  const context = await createStudyContext({
    profile: request.profile.name,
    backend: values.backend,
    print: (line) => console.error(line),
  });
  context.profile = request.profile;
  const result = await importModel(context, folder, { ...request, from: values.from });
  const summary = {
    key: result.key,
    phase: result.phase,
    label: result.provenance.label,
    trained_by: result.provenance.backend,
    steps: result.provenance.steps,
    final_loss: result.log.steps.at(-1)?.loss ?? null,
    dir: result.dir,
  };
  console.log(
    values.json
      ? JSON.stringify(summary)
      : Object.entries(summary).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n"),
  );
  return 0;
}

if (import.meta.main) await runMain("import", main);
