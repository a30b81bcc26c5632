/**
 * What `deno task mutate` prints: a score line per file, then every surviving mutant as
 * `file:line:column mutation`, the form an editor jumps to.
 */
import { describeMutant } from "./mutants.ts";
import type { FileReport } from "./run_mutants.ts";

/** The text report of `reports`. */
export function formatReport(reports: readonly FileReport[]): string {
  const lines = ["mutation score per file (killed + timed out / run):"];
  for (const report of reports) {
    const counts = (status: string) => report.results.filter((r) => r.status === status).length;
    const score = report.score === null ? "-" : `${(100 * report.score).toFixed(1)}%`;
    const sampled = report.results.length < report.found ? ` (sample of ${report.found})` : "";
    lines.push(
      `  ${report.file}: ${score}  ${counts("killed")} killed, ${counts("timeout")} timed out, ` +
        `${counts("survived")} survived of ${report.results.length}${sampled}; ` +
        `${report.tests.length} test files` +
        (report.skipped ? `; skipped: ${report.skipped}` : ""),
    );
  }
  const survivors = reports.flatMap((report) =>
    report.results.filter((r) => r.status === "survived").map((r) =>
      `  ${report.file}:${describeMutant(r)}`
    )
  );
  lines.push(`surviving mutants (${survivors.length}):`, ...survivors);
  return lines.join("\n");
}

/** The JSON report of `reports` (`--json`): scores, tests and every mutant's status. */
export function jsonReport(reports: readonly FileReport[]): string {
  return JSON.stringify(
    reports.map((report) => ({
      file: report.file,
      score: report.score,
      found: report.found,
      tests: report.tests,
      skipped: report.skipped ?? null,
      mutants: report.results.map((r) => ({
        line: r.line,
        column: r.column,
        original: r.original,
        replacement: r.replacement,
        status: r.status,
      })),
    })),
    null,
    2,
  );
}
