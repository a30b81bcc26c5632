/**
 * Running an export on this machine: whether a Python has what `launch.sh` needs, and the
 * launch itself (torchrun over gloo on a CPU). Used by the round-trip notebook and its test.
 */
import { join } from "node:path";

/** True when `python` imports torch, pylate and datasets (scripts/pylate/requirements.txt). */
export async function pylateImportable(python: string): Promise<boolean> {
  const probe = new Deno.Command(python, {
    args: ["-c", "import torch, pylate, datasets"],
    stdout: "null",
    stderr: "null",
  });
  return await probe.output().then((output) => output.success, () => false); // no such Python
}

/** Run `<folder>/launch.sh <processes>` with `python`; throws with the end of its stderr. */
export async function launchExport(
  folder: string,
  options: { python: string; processes: number },
): Promise<void> {
  const launch = new Deno.Command(join(folder, "launch.sh"), {
    args: [String(options.processes)],
    env: { PYTHON: options.python, OMP_NUM_THREADS: "1", TOKENIZERS_PARALLELISM: "false" },
    stdout: "null",
    stderr: "piped",
  });
  const { success, stderr } = await launch.output();
  if (!success) {
    throw new Error(
      `${folder}/launch.sh failed:\n${new TextDecoder().decode(stderr).slice(-3000)}`,
    );
  }
}
