import assert from "node:assert/strict";
import { toDataFrame } from "../lib/results/data_frame.ts";
import type { Table } from "../lib/results/table.ts";

Deno.test("toDataFrame has the CSV's columns and values, nulls kept as missing", () => {
  const table: Table = {
    name: "main",
    title: "main",
    columns: [
      { key: "model", header: "model", kind: "text" },
      { key: "avg", header: "Avg", kind: "meanSpread", digits: 3 },
      { key: "paper", header: "paper", kind: "number", optional: true },
    ],
    rows: [
      {
        group: "(a)",
        cells: { model: "KD only", avg: { mean: 0.25, std: 0.5, n: 3 }, paper: 54.09 },
      },
      {
        group: "(c)",
        cells: { model: "ColBERT-Zero", avg: { mean: 0.75, std: null, n: 1 }, paper: null },
      },
    ],
  };
  const frame = toDataFrame(table);
  assert.deepEqual(frame.columns, ["group", "model", "Avg mean", "Avg std", "paper"]);
  assert.deepEqual(frame.shape, [2, 5]);
  assert.deepEqual(frame.column("model").values, ["KD only", "ColBERT-Zero"]);
  assert.deepEqual(frame.column("Avg mean").values, [0.25, 0.75]);
  assert.deepEqual(frame.column("Avg std").values, [0.5, null]);
  // A numeric operation works on it, which is what a notebook would use it for.
  assert.equal(frame.column("Avg mean").mean(), 0.5);
});
