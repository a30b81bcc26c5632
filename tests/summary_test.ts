import assert from "node:assert/strict";
import { mean, quantile } from "../lib/util/summary.ts";

Deno.test("mean sums left to right, as reduce did, and refuses no values", () => {
  assert.equal(mean([1, 2, 6]), 3);
  const values = [0.1, 0.2, 0.3, 1e-17, 0.7];
  assert.equal(mean(values), values.reduce((sum, v) => sum + v, 0) / values.length);
  assert.equal(mean(Int32Array.from([2, 4])), 3);
  assert.throws(() => mean([]), /no values/);
});

Deno.test("quantile is numpy's linear (type 7) definition", () => {
  // numpy.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 0.9, 1]) = [1, 1.75, 2.5, 3.7, 4]
  const sorted = [1, 2, 3, 4];
  const expected = [1, 1.75, 2.5, 3.7, 4];
  [0, 0.25, 0.5, 0.9, 1].forEach((q, i) => {
    assert.ok(Math.abs(quantile(sorted, q) - expected[i]) < 1e-12, `q = ${q}`);
  });
  assert.equal(quantile([5], 0.3), 5);
  assert.equal(quantile([1, Infinity, Infinity], 0.75), Infinity);
  assert.throws(() => quantile([], 0.5), /no values/);
  assert.throws(() => quantile([1], 1.5), /\[0, 1\]/);
});
