/**
 * Gives Deno's `node:util` the `isNullOrUndefined` that @tensorflow/tfjs-node 4.22.0 calls.
 *
 * tfjs-node's kernel backend (dist/nodejs_kernel_backend.js, dist/kernels/TopK.js) still calls
 * `util.isNullOrUndefined`, a Node helper deprecated for years and since removed; Deno's
 * `node:util` does not have it. Without it tfjs-node loads, but its first op throws
 * "(0 , util_1.isNullOrUndefined) is not a function". backend.ts imports this module before
 * tfjs-node; the CommonJS `require("util")` inside tfjs-node returns this same object.
 */
import util from "node:util";

(util as { isNullOrUndefined?: (value: unknown) => boolean }).isNullOrUndefined ??= (value) =>
  value === null || value === undefined;
