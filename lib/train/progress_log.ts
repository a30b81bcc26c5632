/**
 * The progress log: a plain text file that a study run appends its progress lines to and
 * `deno task reproduce` follows. A notebook executed by nbconvert shows its output only
 * when it has finished, so without this a phase of 13 minutes runs in silence; a file
 * needs no kernel cooperation, survives a crashed kernel, and keeps the lines for later.
 *
 * @example
 * // in the notebook's process (openStudy does this when the variable is set):
 * const print = progressLogPrinter(Deno.env.get(PROGRESS_LOG_ENV)!);
 * // in reproduce:
 * const follow = followProgressLog(path, (line) => console.log(`  ${line}`));
 * await runNotebook();
 * await follow.stop();
 */

/** Environment variable naming the progress log a study run appends to. */
export const PROGRESS_LOG_ENV = "COLBERT_PROGRESS_LOG";

/** A printer that appends each line to `path` (synchronously, so no line is lost on a crash). */
export function progressLogPrinter(path: string): (line: string) => void {
  return (line) => Deno.writeTextFileSync(path, `${line}\n`, { append: true });
}

/** A follower of a progress log; `stop` prints what is left and ends the polling. */
export interface ProgressFollower {
  stop(): Promise<void>;
}

/**
 * Print every complete line appended to `path` from now on, polling every `intervalMs`
 * (the file may not exist yet). Polling, not a file watcher: one read a second is
 * nothing, and it behaves the same on every file system.
 */
export function followProgressLog(
  path: string,
  print: (line: string) => void,
  intervalMs = 1000,
): ProgressFollower {
  let offset = 0;
  let partial = "";
  const decoder = new TextDecoder();
  const drain = async () => {
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return;
      throw error;
    }
    if (bytes.length <= offset) return;
    const text = partial + decoder.decode(bytes.subarray(offset));
    offset = bytes.length;
    const lines = text.split("\n");
    // The last piece is a line still being written (or "" after a newline): keep it for later.
    partial = lines.pop()!;
    for (const line of lines) print(line);
  };
  let pending = Promise.resolve();
  const timer = setInterval(() => {
    pending = pending.then(drain);
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      await drain();
      if (partial) print(partial);
      partial = "";
    },
  };
}
