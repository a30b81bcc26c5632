import assert from "node:assert/strict";
import { keepFreedMemory } from "../lib/compute/keep_freed_memory.ts";

Deno.test("keepFreedMemory: glibc takes every setting (Linux), anything else is left alone", () => {
  const glibc = Deno.build.os === "linux" && Deno.build.env !== "musl";
  assert.equal(keepFreedMemory(), glibc);
});
