/**
 * One `deno test` run in the repository copy, stopped at the first failure and killed, with
 * every process it started, when it runs past its time limit. Type checking is skipped
 * (`--no-check`): a mutant is judged by what the tests observe, and checking every mutant
 * would cost more than running it.
 */

/** How a test run ended. */
export type TestOutcome = "passed" | "failed" | "timeout";

/** Run `tests` in `cwd`; "timeout" when it runs longer than `timeoutMs`. */
export async function runTests(
  cwd: string,
  tests: readonly string[],
  timeoutMs: number,
): Promise<{ outcome: TestOutcome; ms: number; output: string }> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--no-check", "--fail-fast", ...tests],
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // Its own process group, so a timeout kills the test runner's children too.
    detached: true,
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }, timeoutMs);
  const result = await child.output();
  clearTimeout(timer);
  const decoder = new TextDecoder();
  return {
    outcome: timedOut ? "timeout" : result.success ? "passed" : "failed",
    ms: performance.now() - started,
    output: decoder.decode(result.stdout) + decoder.decode(result.stderr),
  };
}
