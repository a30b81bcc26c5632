/**
 * What computed a result, as cache-key ingredients: the code (the module that defines the
 * phase and every local file it reaches), the packages and runtime those run on, and the
 * backend with the kernels it was given (backend.ts's own code, OpenBLAS's build and CPU
 * kernel, the WebGPU adapter). Two backends are not assumed to agree bit for bit, so a
 * result made on one is never served to a run on another.
 */
import * as tf from "@tensorflow/tfjs";
import { relative } from "node:path";
import { openBlas } from "../compute/openblas_ffi.ts";
import { codeVersion, packageVersions, REPO_ROOT } from "./code_version.ts";

/** The key ingredients every cached result carries besides its own settings and inputs. */
export interface ComputeIdentity {
  /** Version of the local code (code_version.ts); also what `cache gc` checks. */
  codeVersion: string;
  /** `name@version` of every package the code and the backend reach, and the runtime's. */
  packages: string[];
  /** The backend ({@link backendIdentity}). */
  backend: string;
}

// The backend's kernels are installed by backend.ts, which a phase module does not import.
const BACKEND_MODULE = "lib/compute/backend.ts";

/** The identity of results computed by `module` (a path or file URL) on `backend`. */
export async function computeIdentity(module: string, backend: string): Promise<ComputeIdentity> {
  const path = module.startsWith("file:") ? new URL(module).pathname : module;
  const entry = relative(REPO_ROOT, path.startsWith("/") ? path : `${REPO_ROOT}/${path}`);
  const packages = new Set([
    ...await packageVersions(entry),
    ...await packageVersions(BACKEND_MODULE),
  ]);
  return {
    codeVersion: await codeVersion(entry),
    packages: [...packages].sort(),
    backend: await backendIdentity(backend),
  };
}

/**
 * `backend` (as `currentBackend()` names it) with what decides its numbers: the code of
 * backend.ts and the kernels it installs, OpenBLAS's build and CPU kernel, the WebGPU adapter,
 * the tfjs-node package that the `tensorflow` backend loaded and the TensorFlow library under it.
 */
export async function backendIdentity(backend: string): Promise<string> {
  const parts = [backend, `code ${await codeVersion(BACKEND_MODULE)}`];
  if (backend.includes("openblas")) parts.push(openBlas()?.config ?? "OpenBLAS not loaded");
  if (backend === "webgpu") parts.push(webgpuAdapter());
  if (backend === "tensorflow") parts.push(await tfjsNodeVersion(), tensorflowVersion());
  return parts.join("; ");
}

function webgpuAdapter(): string {
  const info = (tf.backend() as { adapterInfo?: { vendor?: string; architecture?: string } })
    .adapterInfo;
  return `adapter ${info?.vendor ?? "?"} ${info?.architecture ?? "?"}`;
}

/** The C library's own version (the wheel it came from decides the numbers, not tfjs-node). */
function tensorflowVersion(): string {
  const binding = (tf.backend() as { binding?: { TF_Version?: string } }).binding;
  return `TensorFlow ${binding?.TF_Version ?? "?"}`;
}

async function tfjsNodeVersion(): Promise<string> {
  for (const name of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      const file = `${REPO_ROOT}/node_modules/${name}/package.json`;
      return `${name}@${JSON.parse(await Deno.readTextFile(file)).version}`;
    } catch {
      // Not installed: backend.ts tried the next one too.
    }
  }
  return "tfjs-node not found";
}
