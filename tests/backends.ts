/** Shared test helper: the backends that numeric kernels are checked on. */
import { availableBackends, type BackendName } from "../lib/compute/backend.ts";

let cached: Promise<BackendName[]> | undefined;

/**
 * `cpu` and `wasm` always, `webgpu` where an adapter exists (mesa's software Vulkan
 * driver gives one on CI), `tensorflow` where scripts/build_tfjs_node.sh built tfjs-node
 * (setup does). The promise itself is cached so concurrent callers never probe (and switch)
 * backends twice.
 */
export function testBackends(): Promise<BackendName[]> {
  cached ??= availableBackends();
  return cached;
}
