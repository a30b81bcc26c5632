/**
 * A command of the suite run as a real child process, for the fault-injection suite: its
 * exit, output and time, and optionally a SIGKILL after a delay, sent to its whole process
 * group (the helpers it started, apt-get or nbconvert, die with it, as they would when a
 * machine loses the run).
 */
import { REPO_ROOT } from "../lib/cache/code_version.ts";

// The environment as this module found it: under `deno test --parallel` another test file may
// set a variable for a moment (backend_test.ts sets COLBERT_BACKEND), which a child spawned
// then would inherit.
const ENVIRONMENT = Deno.env.toObject();

/** How a child ended. */
export interface ChildRun {
  /** Exit code (137 after SIGKILL). */
  code: number;
  /** Whether our SIGKILL ended it. */
  killed: boolean;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Options of {@link runChild}. */
export interface ChildOptions {
  /** Working folder (default: the repository). */
  cwd?: string;
  env?: Record<string, string>;
  /** Send SIGKILL when this resolves (if the child still runs); it is given the child's end. */
  killWhen?: (ended: Promise<unknown>) => Promise<void>;
  /** Wrap the command (e.g. `["unshare", "-Urm", "sh", "-c", ...]`); default: none. */
  command?: string;
}

/** Run `deno run -A <args>` (or `options.command` with `args`) and wait for its end. */
export async function runChild(args: string[], options: ChildOptions = {}): Promise<ChildRun> {
  const [command, commandArgs] = options.command
    ? [options.command, args]
    : [Deno.execPath(), ["run", "-A", ...args]];
  const started = performance.now();
  // setsid: a group of its own, so one kill reaches the helpers it starts.
  const child = new Deno.Command("setsid", {
    args: [command, ...commandArgs],
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...ENVIRONMENT, NO_COLOR: "1", ...options.env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  let killed = false;
  let ended = false;
  const output = child.output();
  const kill = options.killWhen?.(output.finally(() => ended = true)).then(() => {
    if (ended) return;
    killed = true;
    Deno.kill(-child.pid, "SIGKILL");
  });
  await kill;
  const { code, signal, stdout, stderr } = await output;
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return {
    code,
    killed: killed && signal === "SIGKILL",
    stdout: decode(stdout),
    stderr: decode(stderr),
    seconds: (performance.now() - started) / 1000,
  };
}

/** A {@link ChildOptions.killWhen} that fires `ms` after the start. */
export function after(ms: number): (ended: Promise<unknown>) => Promise<void> {
  return (ended) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      new Promise<void>((resolve) => timer = setTimeout(resolve, ms)),
      ended.then(() => clearTimeout(timer)),
    ]);
  };
}

/**
 * A {@link ChildOptions.killWhen} that fires `delayMs` after `ready()` first says yes (polled
 * every 20 ms while the child runs).
 */
export function once(
  ready: () => Promise<boolean>,
  delayMs: number,
): (ended: Promise<unknown>) => Promise<void> {
  return async (ended) => {
    let done = false;
    ended.then(() => done = true, () => done = true);
    while (!done && !await ready()) await new Promise((resolve) => setTimeout(resolve, 20));
    if (!done) await after(delayMs)(ended);
  };
}
