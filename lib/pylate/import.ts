/**
 * `deno task import`: a PyLate model trained elsewhere (from `deno task export`'s folder, or
 * any PyLate run) registered in the checkpoint cache under the key its phase has, so that
 * later phases, evaluations and notebooks use it as if the suite had trained it.
 *
 * The folder must be a PyLate ColBERT model whose architecture, dimension and inputs equal
 * those of the model the suite would train in that phase (model_check.ts); anything else is
 * refused with what differs, and nothing is registered. The entry records where and how the
 * model was trained: `provenance.json` (as every entry), the training log, PyLate's own
 * record (`pylate_training.json`) and `import.json` (the source folder and its checksums).
 */
import { resolve } from "node:path";
import { join } from "node:path";
import { saveCheckpoint } from "../checkpoints/checkpoint.ts";
import { checksums } from "../checkpoints/model_files.ts";
import { loadModelFolder } from "../checkpoints/model_folder.ts";
import type { ColbertInputConfig } from "../models/colbert_inputs.ts";
import { encoderFlopsPerToken } from "../models/encoder.ts";
import { disposeParams } from "../models/params.ts";
import { loadCheckpoint } from "../checkpoints/checkpoint.ts";
import {
  phaseIdentity,
  type PhaseResult,
  type Provenance,
  readPhaseResult,
  type StudyContext,
} from "../phases/phase.ts";
import { studentFrom } from "../phases/student.ts";
import { writeJsonAtomic } from "../util/atomic_write.ts";
import { modelDifferences } from "./model_check.ts";
import { phaseJobOf, type PhaseRequest } from "./phase_job.ts";
import { readTrainingRecord, RECORD_FILE, recordTrainLog } from "./training_record.ts";

/** Register the PyLate model folder `folder` as `request`'s phase; returns the new entry. */
export async function importModel(
  context: StudyContext,
  folder: string,
  request: PhaseRequest,
): Promise<PhaseResult> {
  const loaded = await loadModelFolder(folder);
  if (loaded.format !== "pylate") {
    throw new Error(`${folder}: not a PyLate ColBERT folder (it reads as ${loaded.format})`);
  }
  const record = await readTrainingRecord(folder);
  if (record && record.settings.phase !== request.phase) {
    throw new Error(
      `${
        join(folder, RECORD_FILE)
      }: trained as the ${record.settings.phase} phase, not ${request.phase}`,
    );
  }
  const phase = await phaseJobOf(context, request);
  const { job } = phase;
  const { model: parent } = await loadCheckpoint(job.parent!.dir);
  const inputs = job.settings.inputs as ColbertInputConfig;
  const student = studentFrom(parent, "colbert", { inputs, seed: job.seed });
  const expected = student.config;
  disposeParams(student.params);
  const differences = modelDifferences(expected, loaded.model.config);
  if (differences.length > 0) {
    disposeParams(loaded.model.params);
    throw new Error(
      `${folder}: not the model of phase '${job.label}' (nothing registered): ${
        differences.join("; ")
      }`,
    );
  }
  const { key, meta, dataChecksums } = await phaseIdentity(context, job);
  if (record && record.settings.key !== key) {
    context.print?.(
      `import: ${folder} was exported for key ${record.settings.key}; the options given (and ` +
        `this checkout) name key ${key}, where it is registered`,
    );
  }
  if (await context.cache.get(key)) {
    disposeParams(loaded.model.params);
    throw new Error(
      `the cache ${context.cache.root} already has ${key} (${job.label}); ` +
        `\`deno task cache rm ${key}\` first to replace it`,
    );
  }
  const model = {
    config: { ...expected, transformer: loaded.model.config.transformer },
    params: loaded.model.params,
  };
  const log = record
    ? recordTrainLog(record)
    : { steps: [], validation: [], tokens: 0, seconds: 0 };
  const provenance: Provenance = {
    phase: job.phase,
    label: job.label,
    profile: context.profile.name,
    seed: job.seed,
    backend: record
      ? `pylate ${record.versions.pylate} (torch ${record.versions.torch}, ${record.processes} processes on ${record.nodes} node(s), ${record.device})`
      : "pylate (no training record)",
    parentKey: job.parent?.key ?? null,
    dataChecksums,
    wallSeconds: log.seconds,
    tokens: log.tokens,
    flops: 3 * log.tokens * encoderFlopsPerToken(model.config.transformer, job.typicalLength),
    steps: log.steps.length,
    created: new Date().toISOString(),
  };
  const source = resolve(folder);
  const sourceFiles = await checksums(folder);
  const { info } = await context.cache.getOrBuild(key, meta, async (dir) => {
    await saveCheckpoint(dir, model, {
      tokenizer: loaded.tokenizer,
      metadata: { provenance, importedFrom: source },
    });
    await writeJsonAtomic(join(dir, "train_log.json"), log);
    await writeJsonAtomic(join(dir, "provenance.json"), provenance);
    if (record) await writeJsonAtomic(join(dir, RECORD_FILE), record);
    await writeJsonAtomic(join(dir, "import.json"), {
      source,
      sha256: sourceFiles,
      imported: new Date().toISOString(),
    });
  });
  disposeParams(model.params);
  return await readPhaseResult(context.cache, key, info);
}
