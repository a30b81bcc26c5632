/**
 * The PyTorch side-by-side of the bench: bench/torch_step.py times the same training step and
 * encoding as train_step.ts and encode_step.ts, on the same shape, in a process of its own.
 *
 * PyTorch is no dependency of the suite, so the Python comes from `COLBERT_TORCH_PYTHON`
 * (default `python3`); where it has no torch or transformers, the rows say so.
 */
import type { TrainStepShape } from "./train_step.ts";

/** Environment variable naming the Python (with torch and transformers) that runs the script. */
export const TORCH_PYTHON_ENV = "COLBERT_TORCH_PYTHON";

/** One measurement as bench.ts tabulates it, or the error that stopped it. */
export type TorchMeasured = Record<string, number | string | undefined> & { error?: string };

/** What {@link measureTorch} times: the training step, the encoding, or both. */
export type TorchPart = "train" | "encode";

/**
 * The training step and the encoding of `shape` in PyTorch (those of `parts`), each with the
 * process's peak; a part not asked for is absent.
 */
export async function measureTorch(
  shape: TrainStepShape,
  parts: TorchPart[] = ["train", "encode"],
): Promise<{ train?: TorchMeasured; encode?: TorchMeasured }> {
  const python = Deno.env.get(TORCH_PYTHON_ENV) ?? "python3";
  const script = new URL("./torch_step.py", import.meta.url).pathname;
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(python, {
      args: [script, JSON.stringify({ ...shape, parts })],
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    const failure = { error: `${python}: ${(error as Error).message}` };
    return { train: failure, encode: failure };
  }
  try {
    const result = JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
    const common = {
      peakResidentBytes: result.peakResidentBytes,
      source: `torch, ${result.threads} threads, ${result.attention} attention`,
    };
    const part = (measured?: TorchMeasured) => measured && { ...measured, ...common };
    return { train: part(result.train), encode: part(result.encode) };
  } catch {
    const reason = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1);
    const failure = { error: `torch_step.py printed no result (${reason ?? "no output"})` };
    return { train: failure, encode: failure };
  }
}
