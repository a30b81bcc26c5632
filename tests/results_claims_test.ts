import assert from "node:assert/strict";
import {
  type ClaimedOrdering,
  judgeFindings,
  type Verdict,
  verdictsToMarkdown,
} from "../lib/results/claims.ts";
import { comparePaired, type DatasetScores, type PairedComparison } from "../lib/results/stats.ts";

/** A comparison with the given difference, p-value and ratio interval (the rest fixed). */
function comparison(
  difference: number,
  pValue: number,
  ratioInterval: [number, number] = [1, 1],
): PairedComparison {
  return {
    meanA: 0.4 + difference,
    meanB: 0.4,
    difference,
    differenceInterval: [difference - 0.01, difference + 0.01],
    pValue,
    exact: false,
    ratio: (0.4 + difference) / 0.4,
    ratioInterval,
    queries: 1234,
    datasets: 5,
    resamples: 10_000,
    confidence: 0.95,
  };
}

const pair = (difference: number, pValue: number): ClaimedOrdering => ({
  better: "(c) ColBERT-Zero",
  worse: "(a) KD only",
  result: comparison(difference, pValue),
});

const verdictOf = (evidence: Parameters<typeof judgeFindings>[0]): Verdict[] =>
  judgeFindings(evidence).map((v) => v.verdict);

Deno.test("ordering rule: every pair significant in the paper's direction, or a reversal", () => {
  const one = (orderings: ClaimedOrdering[]) => verdictOf({ zeroAgainstBaselines: orderings })[0];
  assert.equal(one([pair(0.012, 0.003)]), "reproduced");
  assert.equal(one([pair(0.012, 0.003), pair(0.02, 0.01)]), "reproduced");
  assert.equal(one([pair(0.012, 0.003), pair(0.004, 0.2)]), "inconclusive at this scale");
  assert.equal(one([pair(0.012, 0.05)]), "inconclusive at this scale"); // p must be < alpha
  assert.equal(one([pair(-0.012, 0.01)]), "not reproduced");
  // Two pairs: a reversal must pass alpha / 2 = 0.025.
  assert.equal(one([pair(0.012, 0.003), pair(-0.01, 0.03)]), "inconclusive at this scale");
  assert.equal(one([pair(0.012, 0.003), pair(-0.01, 0.02)]), "not reproduced");
  // Finding 4 uses the same rule.
  assert.deepEqual(verdictOf({ promptAlignment: [pair(0.01, 0.001)] }), ["reproduced"]);
  assert.throws(() => judgeFindings({ promptAlignment: [] }), /needs a pair/);
});

Deno.test("closeness rule on the ratio interval, mirrored between findings 2 and 3", () => {
  const evidence = (ratioInterval: [number, number]) => ({
    system: "(b) supervised + KD",
    full: "(c) ColBERT-Zero",
    result: comparison(-0.004, 0.2, ratioInterval),
  });
  const cases: [[number, number], Verdict, Verdict][] = [
    [[0.985, 1.01], "reproduced", "not reproduced"],
    [[0.95, 0.99], "inconclusive at this scale", "inconclusive at this scale"],
    [[0.9, 0.97], "not reproduced", "reproduced"],
    [[0.98, 0.99], "reproduced", "not reproduced"], // the lower end reaching rho counts
  ];
  for (const [interval, finding3, finding2] of cases) {
    assert.deepEqual(
      verdictOf({ kdOnly: evidence(interval), supervisedKd: evidence(interval) }),
      [finding2, finding3],
      `ratio interval ${interval}`,
    );
  }
  const strict = judgeFindings({ supervisedKd: evidence([0.985, 1.01]) }, { rho: 0.99 });
  assert.equal(strict[0].verdict, "inconclusive at this scale");
  assert.match(strict[0].rule, />= 0\.99/);
});

Deno.test("statements cite the deciding numbers", () => {
  const [first] = judgeFindings({ zeroAgainstBaselines: [pair(0.012, 0.003)] });
  assert.equal(first.finding, 1);
  assert.equal(
    first.statement,
    "(c) ColBERT-Zero − (a) KD only = +0.012 nDCG@10 (95% CI [+0.002, +0.022], p = 0.003; " +
      "0.412 vs 0.400, 1,234 queries in 5 datasets)",
  );
  const kdOnly = { ...comparison(-0.05, 0.01, [0.85, 0.95]), meanA: 0.5, meanB: 0.55 };
  const supervisedKd = {
    ...comparison(-0.01, 0.3, [0.95, 1.0]),
    meanA: 0.54,
    meanB: 0.55,
    ratio: 0.54 / 0.55,
  };
  const [, third] = judgeFindings({
    kdOnly: { system: "(a)", full: "(c)", result: kdOnly },
    supervisedKd: { system: "(b)", full: "(c)", result: supervisedKd, computeRatio: 0.0981 },
  });
  assert.match(third.statement, /^\(b\) reaches 98\.2% of \(c\)'s nDCG@10 \(0\.540 vs 0\.550/);
  assert.match(third.statement, /ratio \[95\.0%, 100\.0%\], threshold 98\.0%/);
  // (0.54 - 0.50) / (0.55 - 0.50) of the gap; the compute ratio is reported, not judged.
  assert.match(third.statement, /recovers 80\.0% of the gap/);
  assert.match(third.statement, /compute is 0\.098 of the full pipeline's/);
  const markdown = verdictsToMarkdown(
    judgeFindings({ zeroAgainstBaselines: [pair(0.012, 0.003)] }),
  );
  assert.match(
    markdown,
    /^\*\*Finding 1: reproduced\.\*\* Paper: ColBERT pre-trained .* Ours: .*_Rule: /,
  );
});

Deno.test("only findings with evidence are judged, in finding order", () => {
  const verdicts = judgeFindings({
    promptAlignment: [pair(0.01, 0.001)],
    zeroAgainstBaselines: [pair(0.01, 0.001)],
  });
  assert.deepEqual(verdicts.map((v) => v.finding), [1, 4]);
  assert.deepEqual(judgeFindings({}), []);
});

Deno.test("end to end: verdicts follow the per-query data, never a fixed outcome", () => {
  const system = (offset: number, noise: number) =>
    new Map([[
      "d",
      new Map(Array.from({ length: 100 }, (_, i) => [`q${i}`, 0.5 + offset + noise * Math.sin(i)])),
    ]]) as DatasetScores;
  const judge = (better: DatasetScores, worse: DatasetScores) =>
    verdictOf({
      zeroAgainstBaselines: [{ better: "x", worse: "y", result: comparePaired(better, worse) }],
    })[0];
  assert.equal(judge(system(0.05, 0.1), system(0, 0.1)), "reproduced");
  assert.equal(judge(system(0, 0.1), system(0.05, 0.1)), "not reproduced");
  assert.equal(judge(system(0, 0.1), system(0, 0.1)), "inconclusive at this scale");
  assert.equal(judge(system(0, 0.1), system(0, -0.1)), "inconclusive at this scale");
});

Deno.test("on the paper's own per-dataset numbers the rules return the paper's findings 1-3", () => {
  // nDCG@10 of (a), (b) and (c) on the 15 BEIR datasets (paper.md's main table); each
  // dataset is a stratum with one value, so the macro mean is the paper's average.
  const a = [
    42.51,
    37.01,
    79.52,
    34.58,
    51.75,
    87.67,
    18.15,
    75.04,
    61.45,
    28.31,
    76.7,
    47.54,
    40.68,
    84.82,
    45.57,
  ];
  const b = [
    41.5,
    36.51,
    77.46,
    33.77,
    52.45,
    86.26,
    18.66,
    74.9,
    62.24,
    37.27,
    80.07,
    48.27,
    41.6,
    89.71,
    46.17,
  ];
  const c = [
    42.62,
    37.28,
    78.69,
    36.13,
    53.07,
    85.24,
    19.88,
    76.5,
    61.66,
    35.72,
    79.41,
    47.48,
    41.34,
    90.59,
    45.8,
  ];
  const asScores = (values: number[]): DatasetScores =>
    new Map(values.map((v, i) => [`dataset${i}`, new Map([["all", v]])]));
  const verdicts = judgeFindings({
    // Exact p over the 2^15 sign patterns is 0.0413 (enumerated offline).
    zeroAgainstBaselines: [{
      better: "(c)",
      worse: "(a)",
      result: comparePaired(asScores(c), asScores(a)),
    }],
    kdOnly: { system: "(a)", full: "(c)", result: comparePaired(asScores(a), asScores(c)) },
    supervisedKd: { system: "(b)", full: "(c)", result: comparePaired(asScores(b), asScores(c)) },
  });
  assert.deepEqual(verdicts.map((v) => v.verdict), ["reproduced", "reproduced", "reproduced"]);
  assert.match(verdicts[1].statement, /reaches 97\.6% of/);
  assert.match(verdicts[2].statement, /reaches 99\.5% of .*recovers 77\.3% of the gap/);
});
