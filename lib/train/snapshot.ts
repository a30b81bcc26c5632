/**
 * Resumption snapshots: weights, Adam moments, step and log of a run in progress, in one
 * safetensors file plus a JSON file holding its checksum, both written atomically.
 *
 * A snapshot that fails its checksum (a crash mid-write, a damaged disk) is reported and
 * ignored: the run restarts from scratch rather than continue from corrupt state.
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic_write.ts";
import { sha256Hex } from "../util/checksum.ts";
import type { Model } from "../models/model.ts";
import {
  decodeSafetensors,
  encodeSafetensors,
  type NamedArray,
} from "../checkpoints/safetensors.ts";
import type { AdamW } from "./adamw.ts";
import type { TrainLog } from "./train_log.ts";

const TENSORS = "snapshot.safetensors";
const STATE = "snapshot.json";

/** Save the run's state into `dir`. */
export async function saveSnapshot(
  dir: string,
  { model, optimizer, log }: { model: Model; optimizer: AdamW; log: TrainLog },
): Promise<void> {
  const tensors = await optimizer.state();
  for (const [name, variable] of model.params) {
    tensors.set(`param.${name}`, {
      shape: variable.shape,
      data: (await variable.data()) as Float32Array,
    });
  }
  const bytes = encodeSafetensors({ tensors, metadata: {} });
  await writeFileAtomic(join(dir, TENSORS), bytes);
  await writeJsonAtomic(join(dir, STATE), {
    step: optimizer.step,
    sha256: await sha256Hex(bytes),
    log,
  });
}

/**
 * Restore weights and optimizer from `dir` and return the log so far, or null when there
 * is no usable snapshot.
 */
export async function loadSnapshot(
  dir: string,
  { model, optimizer }: { model: Model; optimizer: AdamW },
): Promise<TrainLog | null> {
  let state: { step: number; sha256: string; log: TrainLog };
  let bytes: Uint8Array;
  try {
    state = JSON.parse(await Deno.readTextFile(join(dir, STATE)));
    bytes = await Deno.readFile(join(dir, TENSORS));
  } catch {
    return null; // no snapshot yet
  }
  if (await sha256Hex(bytes) !== state.sha256) {
    console.warn(
      `${join(dir, TENSORS)}: snapshot checksum mismatch, ignoring it and starting over`,
    );
    return null;
  }
  const { tensors } = decodeSafetensors(bytes, join(dir, TENSORS));
  const moments = new Map<string, NamedArray>();
  for (const [name, array] of tensors) {
    if (name.startsWith("param.")) {
      const variable = model.params.get(name.slice("param.".length));
      if (!variable) throw new Error(`${join(dir, TENSORS)}: unknown parameter '${name}'`);
      variable.assign(tf.tensor(array.data, array.shape));
    } else {
      moments.set(name, array);
    }
  }
  optimizer.restore(moments, state.step);
  return state.log;
}

/** Delete the snapshot files once the run's final checkpoint is safely written. */
export async function removeSnapshot(dir: string): Promise<void> {
  for (const file of [STATE, TENSORS]) await Deno.remove(join(dir, file)).catch(() => {});
}
