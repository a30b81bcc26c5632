import assert from "node:assert/strict";
import { SMALL, withOverrides } from "../lib/phases/profiles.ts";

Deno.test("withOverrides replaces numeric settings and leaves the profile itself alone", () => {
  const tuned = withOverrides(SMALL, ["unsupervised.learningRate=3e-4", "unsupervised.steps=120"]);
  assert.equal(tuned.unsupervised.learningRate, 3e-4);
  assert.equal(tuned.unsupervised.steps, 120);
  assert.equal(SMALL.unsupervised.steps, 80);
  assert.throws(
    () => withOverrides(SMALL, ["unsupervised.nothing=1"]),
    /'unsupervised.nothing' is not a numeric setting/,
  );
  assert.throws(() => withOverrides(SMALL, ["name=x"]), /expected path=number/);
  assert.throws(() => withOverrides(SMALL, ["student=3"]), /not a numeric setting/);
});
