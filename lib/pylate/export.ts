/**
 * `deno task export`: one phase of the study as a folder PyLate trains on any number of GPUs
 * and nodes. The folder holds the model at step 0 as a PyLate folder (`parent/`: the
 * parent's encoder under the phase's head and inputs, exactly what the suite would start
 * from), the phase's data in step order (training_data.ts), its settings
 * (export_settings.ts), the training script and `launch.sh`, which runs it with torchrun and
 * leaves the trained model in `model/`. Built under a temporary name and renamed into place.
 */
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../cache/code_version.ts";
import { loadCheckpoint, saveModelFolder } from "../checkpoints/checkpoint.ts";
import type { ColbertInputConfig } from "../models/colbert_inputs.ts";
import { disposeParams } from "../models/params.ts";
import { phaseIdentity, type StudyContext } from "../phases/phase.ts";
import { studentFrom } from "../phases/student.ts";
import { writeJsonAtomic } from "../util/atomic_write.ts";
import { type ExportSettings, exportSettings } from "./export_settings.ts";
import { phaseJobOf, type PhaseRequest } from "./phase_job.ts";
import { writeTrainingData } from "./training_data.ts";

/** The Python side, copied into every export so the folder can travel to a cluster alone. */
export const PYLATE_SCRIPTS_DIR = join(REPO_ROOT, "scripts", "pylate");
const SCRIPTS = [
  "train.py",
  "planned_batches.py",
  "gloo_gather.py",
  "suite_trainer.py",
  "requirements.txt",
  "launch.sh",
];

/** Write the export of `request`'s phase as the new folder `folder`; returns its settings. */
export async function exportPhase(
  context: StudyContext,
  request: PhaseRequest,
  folder: string,
): Promise<ExportSettings> {
  if (await Deno.stat(folder).then(() => true, () => false)) {
    throw new Error(`${folder}: already exists (export writes a new folder)`);
  }
  const phase = await phaseJobOf(context, request);
  const { key } = await phaseIdentity(context, phase.job);
  await Deno.mkdir(dirname(folder), { recursive: true });
  const building = await Deno.makeTempDir({ dir: dirname(folder), prefix: ".tmp-export-" });
  try {
    const { model: parent } = await loadCheckpoint(phase.job.parent!.dir);
    const inputs = phase.job.settings.inputs as ColbertInputConfig;
    const student = studentFrom(parent, "colbert", { inputs, seed: phase.job.seed });
    await saveModelFolder(join(building, "parent"), student, {
      tokenizer: context.tokenizer,
      metadata: { exportedFor: key, phase: phase.phase, parentKey: phase.job.parent!.key },
    });
    const data = await writeTrainingData(building, context, phase, student);
    disposeParams(student.params);
    const settings = exportSettings(phase, {
      key,
      profile: context.profile.name,
      model: "parent",
      data,
    });
    await writeJsonAtomic(join(building, "settings.json"), settings);
    for (const name of SCRIPTS) {
      await Deno.copyFile(join(PYLATE_SCRIPTS_DIR, name), join(building, name));
    }
    await Deno.chmod(join(building, "launch.sh"), 0o755);
    await Deno.chmod(building, 0o755); // a temporary folder is private; the export is not
    await Deno.rename(building, folder);
    return settings;
  } catch (error) {
    await Deno.remove(building, { recursive: true }).catch(() => {});
    throw error;
  }
}
