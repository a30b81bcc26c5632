/**
 * The one place that picks the TensorFlow.js backend.
 *
 * `wasm` is the default on a CPU (SIMD, about 15x the plain `cpu` backend),
 * `webgpu` runs on Deno's `navigator.gpu` (the GPU path on a real GPU, a software
 * adapter under mesa's lavapipe otherwise), `tensorflow` is tfjs-node(-gpu), used only
 * where the user installed it, and `cpu` is the slow, obvious reference.
 *
 * ```ts
 * const backend = await initBackend(); // COLBERT_BACKEND or "wasm"
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { useBlasMatMul } from "./blas/wasm_matmul_kernels.ts";

/** The backends this suite knows how to start. */
export const BACKENDS = ["wasm", "webgpu", "tensorflow", "cpu"] as const;

/** A backend name. */
export type BackendName = typeof BACKENDS[number];

/** Environment variable that chooses the backend when no option does. */
export const BACKEND_ENV = "COLBERT_BACKEND";

/** True when `name` is one of {@link BACKENDS}. */
export function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

// Module names are kept in variables so that type checking does not require the
// optional packages to be installed.
const TFJS_NODE_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"];

async function registerWasm(): Promise<void> {
  await import("@tensorflow/tfjs-backend-wasm");
}

let blasMatMul = false;

async function registerWebgpu(): Promise<void> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) {
    throw new Error(
      "backend 'webgpu': no WebGPU adapter (navigator.gpu found none). On a CPU-only " +
        "Debian machine `apt-get install mesa-vulkan-drivers` provides a software adapter.",
    );
  }
  await import("@tensorflow/tfjs-backend-webgpu");
}

async function registerTensorflow(): Promise<void> {
  const errors: string[] = [];
  for (const specifier of TFJS_NODE_PACKAGES) {
    try {
      await import(specifier);
      return;
    } catch (error) {
      errors.push(`${specifier}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(
    "backend 'tensorflow' needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node, " +
      "whose install downloads libtensorflow (not possible offline). Tried:\n  " +
      errors.join("\n  "),
  );
}

const REGISTER: Record<BackendName, () => Promise<void>> = {
  wasm: registerWasm,
  webgpu: registerWebgpu,
  tensorflow: registerTensorflow,
  cpu: () => Promise.resolve(),
};

/**
 * Start a backend and make it current. The name comes from the argument, else from
 * `COLBERT_BACKEND`, else `wasm`. Throws a clear error naming the backend when it is
 * unknown or cannot start here.
 */
export async function initBackend(name?: string): Promise<BackendName> {
  const chosen = name ?? Deno.env.get(BACKEND_ENV) ?? "wasm";
  if (!isBackendName(chosen)) {
    throw new Error(
      `unknown backend '${chosen}' (from ${name ? "the option" : BACKEND_ENV}); ` +
        `choose one of ${BACKENDS.join(", ")}`,
    );
  }
  await REGISTER[chosen]();
  const ok = await tf.setBackend(chosen);
  if (!ok) throw new Error(`backend '${chosen}' failed to initialise`);
  await tf.ready();
  // On wasm, matrix products go to the system OpenBLAS when it can be loaded (both cores,
  // ~10x tfjs's own kernels); COLBERT_BLAS=off keeps tfjs's kernels.
  if (chosen === "wasm") blasMatMul = useBlasMatMul();
  return chosen;
}

/** The backends that start on this machine, in preference order (probes each one). */
export async function availableBackends(): Promise<BackendName[]> {
  const previous = tf.getBackend();
  const found: BackendName[] = [];
  for (const name of BACKENDS) {
    try {
      await initBackend(name);
      found.push(name);
    } catch {
      // Not available here: that is what this probe is for.
    }
  }
  if (previous) await tf.setBackend(previous);
  return found;
}

/** The backend currently in use, as recorded in every result's provenance ("wasm+openblas"). */
export function currentBackend(): string {
  const name = tf.getBackend();
  return name === "wasm" && blasMatMul ? "wasm+openblas" : name;
}
