import assert from "node:assert/strict";
import { MaxSimScorer } from "../lib/scores/maxsim_blas.ts";
import { checkNumber, describeRange, integers, positiveUpTo } from "../lib/util/number_range.ts";
import { checkProfile, SETTING_RANGES } from "../lib/phases/settings_check.ts";
import { PROFILES, TINY, withOverrides } from "../lib/phases/profiles.ts";

Deno.test("settings: every built-in profile is in range", () => {
  for (const profile of Object.values(PROFILES)) assert.equal(checkProfile(profile), profile);
});

Deno.test("settings: ranges say what is allowed, integers and open intervals included", () => {
  assert.equal(describeRange(integers(1, 10_000_000)), "an integer from 1 to 10,000,000");
  assert.equal(describeRange(positiveUpTo(1)), "a number above 0 and at most 1");
  assert.equal(checkNumber("x", 3, integers(1, 5)), 3);
  assert.throws(
    () => checkNumber("x", 2.5, integers(1, 5)),
    /^SettingError: x = 2.5: must be an integer from 1 to 5$/,
  );
  assert.throws(() => checkNumber("lr", 0, positiveUpTo(1)), /lr = 0: must be a number above 0/);
  assert.throws(() => checkNumber("lr", Number.NaN, positiveUpTo(1)), /lr = NaN/);
  assert.throws(() => checkNumber("n", "3", integers(1, 5)), /n = 3: must be an integer/);
});

Deno.test("settings: a --set out of range is one line naming the setting and its range", () => {
  const cases: [string, RegExp][] = [
    ["unsupervised.steps=-5", /unsupervised\.steps = -5: must be an integer from 1 to 10,000,000$/],
    ["unsupervised.steps=2.5", /unsupervised\.steps = 2\.5: must be an integer from 1/],
    ["supervised.learningRate=0", /supervised\.learningRate = 0: must be a number above 0/],
    ["unsupervised.temperature=-1", /unsupervised\.temperature = -1/],
    ["distillation.documentsPerQuery=1", /documentsPerQuery = 1: must be an integer from 2 to 32/],
    [
      "distillation.accumulation=3",
      /distillation\.accumulation = 3: must divide distillation\.batchSize = 4/,
    ],
    ["queryLength=200", /queryLength = 200: must be at most student\.maxLength - 7/],
    ["backbone.maxLength=97", /backbone\.maxLength = 97: must be at most student\.maxLength = 96/],
    ["student.heads=3", /student\.hidden = 32: must be student\.heads \(3\) times an even number/],
    ["seeds.0=-1", /seeds\.0 = -1: must be an integer from 0/],
    ["evalCorpus=0", /evalCorpus = 0: must be an integer from 1/],
  ];
  for (const [override, message] of cases) {
    assert.throws(
      () => withOverrides(TINY, [override]),
      (error: Error) => {
        assert.match(error.message, /^profile tiny \(with --set\): /);
        assert.match(error.message, message);
        assert.ok(!error.message.includes("\n"), "one line");
        return true;
      },
      override,
    );
  }
  assert.equal(withOverrides(TINY, ["backbone.steps=0", "validateEvery=0"]).backbone.steps, 0);
});

Deno.test("settings: a numeric setting without a range, or a range without a setting, is an error", () => {
  const extra = { ...TINY, newKnob: 3 } as typeof TINY;
  assert.throws(() => checkProfile(extra), /newKnob: no allowed range is known/);
  const { kdQueries: _, ...missing } = TINY;
  assert.throws(() => checkProfile(missing as typeof TINY), /kdQueries = undefined/);
  assert.throws(() => checkProfile({ ...TINY, seeds: [] }), /seeds: must name at least one seed/);
  assert.ok(Object.keys(SETTING_RANGES).length > 40);
});

Deno.test("settings: MaxSim's options are checked where they enter", () => {
  const queries = { vectors: new Float32Array(4), count: 1, length: 2, dim: 2 };
  assert.throws(
    () => new MaxSimScorer(queries, { chunkTokens: 0 }),
    /MaxSimOptions\.chunkTokens = 0: must be an integer from 1/,
  );
  assert.throws(
    () => new MaxSimScorer(queries, { threads: 1.5 }),
    /MaxSimOptions\.threads = 1\.5: must be an integer from 1 to 1024/,
  );
  new MaxSimScorer(queries, { chunkTokens: 8, threads: 2 }).close();
});
