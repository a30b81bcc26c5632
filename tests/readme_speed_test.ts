import assert from "node:assert/strict";
import { speedSection } from "../bench/readme_speed.ts";

Deno.test("speed section: each figure with its path, PyTorch's and the ratio", () => {
  const text = speedSection({
    train_tokens_per_s_6x384: 1500,
    train_tokens_per_s_6x384_torch: 1200,
    train_path_6x384: "tensorflow",
    encode_tokens_per_s_6x384: 3000,
    encode_path_6x384: "tensorflow",
  }, { date: "2026-12-02", load: "0.42" });
  assert.match(
    text,
    /^\| training step, batch 16 x \(32 \+ 128\) \| 1,500 \(tensorflow\) \| 1,200 \| 1\.25x \|$/m,
  );
  // Without torch the comparison says so instead of a ratio.
  assert.match(
    text,
    /^\| encoding 64 documents of 180 tokens \| 3,000 \(tensorflow\) \| not installed \| - \|$/m,
  );
  assert.match(text, /on 2026-12-02 \(load average 0\.42/);
});
