/**
 * The one place that picks the TensorFlow.js backend.
 *
 * `wasm` is the default on a CPU (SIMD, about 15x the plain `cpu` backend),
 * `webgpu` runs on Deno's `navigator.gpu` (the GPU path on a real GPU, a software
 * adapter under mesa's lavapipe otherwise), `tensorflow` is tfjs-node(-gpu) on TensorFlow's
 * own C library, where scripts/build_tfjs_node.sh built it (setup does), and `cpu` is the
 * slow, obvious reference.
 *
 * ```ts
 * const backend = await initBackend(); // COLBERT_BACKEND, else the first of DEFAULT_BACKENDS
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import { useBlasMatMul } from "./wasm_matmul_kernels.ts";
import { keepFreedMemory } from "./keep_freed_memory.ts";
import { shareUnchangedTensors } from "./tensorflow_shared_kernels.ts";
import { registerReductionGradients } from "./reduction_gradients.ts";

/** The backends this suite knows how to start. */
export const BACKENDS = ["wasm", "webgpu", "tensorflow", "cpu"] as const;

/** A backend name. */
export type BackendName = typeof BACKENDS[number];

/** Environment variable that chooses the backend when no option does. */
export const BACKEND_ENV = "COLBERT_BACKEND";

/**
 * The backends tried in order when neither an option nor {@link BACKEND_ENV} names one; the
 * first that starts is used: TensorFlow's own library where setup built tfjs-node (no heap
 * limit, its own threaded kernels, CUDA with tfjs-node-gpu), else wasm + OpenBLAS.
 */
export const DEFAULT_BACKENDS: readonly BackendName[] = ["tensorflow", "wasm"];

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

/**
 * Give mesa's Vulkan loader a valid XDG_RUNTIME_DIR before it looks for a WebGPU adapter.
 * Its Wayland probe prints "XDG_RUNTIME_DIR is invalid or not set" to stderr on every
 * adapter request where the variable is unset (containers, CI); with a private empty
 * folder it finds no display, as before, and stays quiet.
 */
function quietWaylandProbe(): void {
  if (Deno.env.get("XDG_RUNTIME_DIR")) return;
  // One folder per user, reused, so that processes do not leave one each behind.
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/xdg-runtime-${Deno.uid()}`;
  Deno.mkdirSync(dir, { recursive: true });
  Deno.chmodSync(dir, 0o700); // the mode Wayland asks of a runtime folder
  Deno.env.set("XDG_RUNTIME_DIR", dir);
}

async function registerWebgpu(): Promise<void> {
  quietWaylandProbe();
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

/**
 * What stops TensorFlow's library from loading into this process, if anything. It carries an
 * LLVM of its own; when another LLVM is already mapped (mesa's libLLVM, which its Vulkan
 * drivers bring in as soon as WebGPU looks for an adapter), the dynamic linker binds part of
 * TensorFlow's LLVM to that one (LD_DEBUG=bindings: 1,528 symbols to libLLVM-15 here) and the
 * process dies in LLVM's static initialisers (SIGSEGV). Loaded first, the two run side by side.
 */
function foreignLlvm(): string | undefined {
  let maps: string;
  try {
    maps = Deno.readTextFileSync("/proc/self/maps");
  } catch {
    return undefined; // not Linux: no such clash known
  }
  if (maps.includes("/tfjs_binding.node")) return undefined; // TensorFlow is loaded already
  return maps.match(/\/\S*libLLVM\S*/)?.[0];
}

// The tfjs-node package the tensorflow backend runs on, once it has started.
let tensorflowPackage: string | undefined;

/** True when the tensorflow backend runs on tfjs-node-gpu (CUDA), whose memory is the GPU's. */
export function tensorflowOnGpu(): boolean {
  return tensorflowPackage === "@tensorflow/tfjs-node-gpu";
}

async function registerTensorflow(): Promise<void> {
  const errors: string[] = [];
  for (const specifier of TFJS_NODE_PACKAGES) {
    try {
      import.meta.resolve(specifier); // throws where the package is not installed
    } catch (error) {
      errors.push(`${specifier}: ${(error as Error).message.split("\n")[0]}`);
      continue;
    }
    const llvm = foreignLlvm();
    if (llvm) {
      throw new Error(
        `backend 'tensorflow' must start before webgpu in a process: ${llvm} (mesa's Vulkan ` +
          "drivers) is loaded, and TensorFlow's own LLVM would bind to it and crash",
      );
    }
    await import("./node_util_shim.ts");
    // TensorFlow's C++ logging (oneDNN and CPU-feature notices) goes to stderr on load; keep
    // warnings and errors only, unless the user asked for a level.
    if (Deno.env.get("TF_CPP_MIN_LOG_LEVEL") === undefined) {
      Deno.env.set("TF_CPP_MIN_LOG_LEVEL", "1");
    }
    keepFreedMemory();
    try {
      await import(specifier);
      tensorflowPackage = specifier;
      shareUnchangedTensors();
      return;
    } catch (error) {
      errors.push(`${specifier}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  throw new Error(
    "backend 'tensorflow' needs @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node, built by " +
      "scripts/build_tfjs_node.sh (setup runs it; VARIANT=gpu for tfjs-node-gpu). Tried:\n  " +
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
 * `COLBERT_BACKEND`, else the first of {@link DEFAULT_BACKENDS} that starts. Throws a clear
 * error naming the backend when it is unknown or cannot start here.
 */
export async function initBackend(name?: string): Promise<BackendName> {
  const chosen = name ?? Deno.env.get(BACKEND_ENV);
  if (chosen === undefined) return await initDefault();
  if (!isBackendName(chosen)) {
    throw new Error(
      `unknown backend '${chosen}' (from ${name ? "the option" : BACKEND_ENV}); ` +
        `choose one of ${BACKENDS.join(", ")}`,
    );
  }
  await REGISTER[chosen]();
  registerReductionGradients();
  // Production mode silences tfjs's console advice, such as the "install our node backend"
  // banner of the cpu backend, which this suite chooses on purpose; it changes no kernel.
  tf.enableProdMode();
  const ok = await tf.setBackend(chosen);
  if (!ok) throw new Error(`backend '${chosen}' failed to initialise`);
  await tf.ready();
  // On wasm, matrix products go to the system OpenBLAS when it can be loaded (both cores,
  // ~10x tfjs's own kernels); COLBERT_BLAS=off keeps tfjs's kernels.
  if (chosen === "wasm") blasMatMul = useBlasMatMul();
  return chosen;
}

async function initDefault(): Promise<BackendName> {
  const errors: string[] = [];
  for (const name of DEFAULT_BACKENDS) {
    try {
      return await initBackend(name);
    } catch (error) {
      errors.push((error as Error).message);
    }
  }
  throw new Error(`no default backend starts here:\n${errors.join("\n")}`);
}

// tensorflow before webgpu: see foreignLlvm.
const PROBE_ORDER: readonly BackendName[] = ["wasm", "tensorflow", "webgpu", "cpu"];

/** The backends that start on this machine, in preference order (probes each one). */
export async function availableBackends(): Promise<BackendName[]> {
  const previous = tf.getBackend();
  const found: BackendName[] = [];
  for (const name of PROBE_ORDER) {
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
