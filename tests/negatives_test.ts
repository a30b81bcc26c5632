import assert from "node:assert/strict";
import { negativesByRank } from "../lib/phases/negatives.ts";

Deno.test("negativesByRank: result[n][i] is example i's n-th negative, the first `count` ranks only", () => {
  const perExample = [["a0", "a1", "a2"], ["b0", "b1", "b2"]];
  assert.deepEqual(negativesByRank(perExample, 2), [["a0", "b0"], ["a1", "b1"]]);
  assert.deepEqual(negativesByRank(perExample, 0), []);
});
