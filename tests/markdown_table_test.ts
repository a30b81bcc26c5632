import assert from "node:assert/strict";
import { markdownTable } from "../lib/util/markdown_table.ts";

Deno.test("markdownTable doc-comment example", () => {
  assert.equal(
    markdownTable(["model", "nDCG@10"], [["(c)", "42.40"]], { align: ["left", "right"] }),
    "| model | nDCG@10 |\n| --- | ---: |\n| (c) | 42.40 |",
  );
});

Deno.test("markdownTable escapes pipes and line breaks, so cells never shift columns", () => {
  assert.equal(markdownTable(["a"], [["x|y\r\nz"]]), "| a |\n| --- |\n| x\\|y z |");
});
