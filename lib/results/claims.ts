/**
 * Verdicts on the paper's four findings, generated from our numbers by explicit rules:
 * "reproduced", "not reproduced" or "inconclusive at this scale", each with a sentence
 * citing the numbers that decided it. Nothing here knows the outcome in advance.
 *
 * Ordering claims (findings 1 and 4: "X scores above Y"), one paired test per pair:
 * - reproduced: EVERY claimed pair has the paper's sign with p < alpha (an intersection-
 *   union test, valid at alpha without a multiplicity correction);
 * - not reproduced: ANY pair has the opposite sign with p < alpha / pairs (Bonferroni,
 *   since one reversal out of several suffices);
 * - otherwise inconclusive: the differences are inside the query noise.
 *
 * Closeness claims (findings 2 and 3: "X gets (not) close to the full pipeline"), on the
 * ratio R = score(X) / score(full) and its paired bootstrap interval [lo, hi]. "Close"
 * means R >= rho. The default rho = 0.98 lies between the paper's own two ratios: KD only
 * 54.09 / 55.43 = 0.976 (called not close) and supervised + KD 55.12 / 55.43 = 0.994
 * (called close, "99.4%"). Claim "close": reproduced if lo >= rho, not reproduced if
 * hi < rho. Claim "not close": the mirror image. Otherwise inconclusive. The compute
 * ratio of finding 3 is reported, not judged: the profile's phase lengths set it.
 */
import type { PairedComparison } from "./stats.ts";

/** The three possible outcomes of a claim at our scale. */
export type Verdict = "reproduced" | "not reproduced" | "inconclusive at this scale";

/** The paper's findings (paper.md), by number. */
export const FINDINGS: Record<1 | 2 | 3 | 4, string> = {
  1: "ColBERT pre-trained end to end as a multi-vector model beats KD-only and dense-based baselines",
  2: "KD alone on top of a dense model does not get close to full pre-training",
  3: "supervised contrastive + KD recovers most of the gap (99.4% of the full score) " +
    "for about a tenth of the compute",
  4: "pre-training and fine-tuning must be aligned: removing prompts from a model " +
    "pre-trained with them hurts, and so does adding them to one pre-trained without",
};

/** A claimed ordering: the paper has `better` above `worse`; `result` = compare(better, worse). */
export interface ClaimedOrdering {
  better: string;
  worse: string;
  result: PairedComparison;
}

/** A system against the full pipeline: `result` = comparePaired(system, full). */
export interface ClosenessEvidence {
  system: string;
  full: string;
  result: PairedComparison;
}

/** Whatever the study measured; each finding is judged when its evidence is present. */
export interface FindingsEvidence {
  /** Finding 1: ColBERT-Zero (better) against KD-only and the dense-based baselines. */
  zeroAgainstBaselines?: ClaimedOrdering[];
  /** Finding 2: KD only against the full pipeline. */
  kdOnly?: ClosenessEvidence;
  /** Finding 3: supervised + KD against the full pipeline, and its compute over full's. */
  supervisedKd?: ClosenessEvidence & { computeRatio?: number };
  /** Finding 4: aligned prompt settings (better) against misaligned ones, per base. */
  promptAlignment?: ClaimedOrdering[];
}

/** Thresholds and wording of the rules. */
export interface ClaimOptions {
  /** Significance level (default 0.05). */
  alpha?: number;
  /** Closeness threshold on score(system) / score(full) (default 0.98). */
  rho?: number;
  /** Name of the score in sentences (default "nDCG@10"). */
  metric?: string;
  /** Decimals of scores in sentences (default 3). */
  digits?: number;
}

/** One finding's verdict, the sentence with its deciding numbers, and the rule used. */
export interface ClaimVerdict {
  finding: 1 | 2 | 3 | 4;
  claim: string;
  verdict: Verdict;
  statement: string;
  rule: string;
}

/** Judge every finding whose evidence is given, in finding order. */
export function judgeFindings(
  evidence: FindingsEvidence,
  options: ClaimOptions = {},
): ClaimVerdict[] {
  const { alpha = 0.05, rho = 0.98 } = options;
  const verdicts: ClaimVerdict[] = [];
  const add = (
    finding: 1 | 2 | 3 | 4,
    judged: { verdict: Verdict; statement: string },
    rule: string,
  ) => verdicts.push({ finding, claim: FINDINGS[finding], ...judged, rule });
  const orderingRule =
    `reproduced if every pair has the paper's sign with p < ${alpha}; not reproduced if any ` +
    `pair is reversed with p < ${alpha} / pairs; otherwise inconclusive`;
  const ratioRule = (claim: string, reproducedIf: string, failedIf: string) =>
    `"${claim}" means score / full score >= ${rho}; reproduced if the ` +
    `${reproducedIf}, not reproduced if the ${failedIf}; otherwise inconclusive`;
  if (evidence.zeroAgainstBaselines) {
    add(1, judgeOrderings(evidence.zeroAgainstBaselines, options), orderingRule);
  }
  if (evidence.kdOnly) {
    const rule = ratioRule("close", "interval's upper end is below it", "lower end reaches it");
    add(2, judgeCloseness(evidence.kdOnly, false, options), rule);
  }
  if (evidence.supervisedKd) {
    const judged = judgeCloseness(evidence.supervisedKd, true, options);
    const extra: string[] = [];
    const { result, computeRatio } = evidence.supervisedKd;
    const kdOnly = evidence.kdOnly?.result;
    if (kdOnly && result.meanB > kdOnly.meanA) {
      const share = (result.meanA - kdOnly.meanA) / (result.meanB - kdOnly.meanA);
      extra.push(`it recovers ${percent(share)} of the gap between KD only and the full pipeline`);
    }
    if (computeRatio !== undefined) {
      extra.push(
        `its compute is ${computeRatio.toFixed(3)} of the full pipeline's ` +
          `(set by the profile's phase lengths, so reported, not judged)`,
      );
    }
    const statement = [judged.statement, ...extra].join("; ");
    const rule = ratioRule("close", "interval's lower end reaches it", "upper end is below it");
    add(3, { verdict: judged.verdict, statement }, rule);
  }
  if (evidence.promptAlignment) {
    add(4, judgeOrderings(evidence.promptAlignment, options), orderingRule);
  }
  return verdicts;
}

/** The verdicts as Markdown, one paragraph per finding, for under a table. */
export function verdictsToMarkdown(verdicts: readonly ClaimVerdict[]): string {
  return verdicts.map((v) =>
    `**Finding ${v.finding}: ${v.verdict}.** Paper: ${v.claim}. Ours: ${v.statement}. ` +
    `_Rule: ${v.rule}._\n`
  ).join("\n");
}

/** The better side is shown above the worse: a positive difference with p < `alpha`. */
export function shownAbove(result: PairedComparison, alpha = 0.05): boolean {
  return result.difference > 0 && result.pValue < alpha;
}

/** Ordering rule over all claimed pairs (see the module comment). */
function judgeOrderings(
  orderings: readonly ClaimedOrdering[],
  options: ClaimOptions,
): { verdict: Verdict; statement: string } {
  const { alpha = 0.05 } = options;
  if (orderings.length === 0) throw new Error("judgeFindings: an ordering claim needs a pair");
  const confirmed = orderings.filter((o) => shownAbove(o.result, alpha));
  const reversed = orderings.filter((o) =>
    o.result.difference < 0 && o.result.pValue < alpha / orderings.length
  );
  const verdict: Verdict = reversed.length > 0
    ? "not reproduced"
    : confirmed.length === orderings.length
    ? "reproduced"
    : "inconclusive at this scale";
  const statement = orderings.map((o) => describeOrdering(o, options)).join("; ");
  return { verdict, statement };
}

/** Closeness rule on the ratio interval; `claimedClose` is the paper's side. */
function judgeCloseness(
  evidence: ClosenessEvidence,
  claimedClose: boolean,
  options: ClaimOptions,
): { verdict: Verdict; statement: string } {
  const { rho = 0.98, metric = "nDCG@10", digits = 3 } = options;
  const { system, full, result } = evidence;
  if (result.ratio === null || result.ratioInterval === null) {
    return {
      verdict: "inconclusive at this scale",
      statement: `${full} scores 0 ${metric}, so no ratio can be formed`,
    };
  }
  const [low, high] = result.ratioInterval;
  const close = low >= rho;
  const far = high < rho;
  const verdict: Verdict = !close && !far
    ? "inconclusive at this scale"
    : close === claimedClose
    ? "reproduced"
    : "not reproduced";
  const level = Math.round(result.confidence * 100);
  const statement = `${system} reaches ${percent(result.ratio)} of ${full}'s ${metric} ` +
    `(${result.meanA.toFixed(digits)} vs ${result.meanB.toFixed(digits)}, ${level}% CI of the ` +
    `ratio [${percent(low)}, ${percent(high)}], threshold ${percent(rho)}; ${scope(result)})`;
  return { verdict, statement };
}

/** "A - B = +0.012 nDCG@10 (95% CI [...], p = ...; 0.412 vs 0.400, 1,234 queries in 5 datasets)". */
export function describeOrdering(ordering: ClaimedOrdering, options: ClaimOptions): string {
  const { metric = "nDCG@10", digits = 3 } = options;
  const { better, worse, result } = ordering;
  const signed = (x: number) => (x >= 0 ? "+" : "") + x.toFixed(digits);
  const [low, high] = result.differenceInterval;
  const level = Math.round(result.confidence * 100);
  return `${better} − ${worse} = ${signed(result.difference)} ${metric} ` +
    `(${level}% CI [${signed(low)}, ${signed(high)}], ${formatP(result)}; ` +
    `${result.meanA.toFixed(digits)} vs ${result.meanB.toFixed(digits)}, ${scope(result)})`;
}

/** "1,234 queries in 5 datasets". */
function scope(result: PairedComparison): string {
  const count = (n: number, one: string, many: string) =>
    `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
  return `${count(result.queries, "query", "queries")} in ` +
    count(result.datasets, "dataset", "datasets");
}

/** "p = 0.034", "p = 1.0e-4", or "exact p = 0.125" when every sign pattern was counted. */
function formatP(result: PairedComparison): string {
  const p = result.pValue;
  return `${result.exact ? "exact " : ""}p = ${p < 0.001 ? p.toExponential(1) : p.toFixed(3)}`;
}

/** 0.9943 -> "99.4%". */
function percent(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
