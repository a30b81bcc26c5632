/** Shared test helper: the backends that numeric kernels are checked on. */
import { availableBackends, type BackendName } from "../lib/backend.ts";

let cached: BackendName[] | undefined;

/**
 * `cpu` and `wasm` always, `webgpu` where an adapter exists (mesa's software Vulkan
 * driver gives one on CI). `tensorflow` joins when the user installed tfjs-node.
 */
export async function testBackends(): Promise<BackendName[]> {
  cached ??= await availableBackends();
  return cached;
}
