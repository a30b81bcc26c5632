/**
 * What every task's entry point shares: command-line parsing whose mistakes are one-line
 * {@link UsageError}s, and {@link runMain}, which turns what escapes a task into a message and
 * an exit code (2 for a usage mistake or a setting out of range, 1 for anything else), never a
 * stack trace.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { SettingError } from "../lib/util/number_range.ts";

/** A command-line mistake: printed with the task's usage, exit code 2. */
export class UsageError extends Error {}

/** `parseArgs(config)`, with its mistakes (explained over several lines) as one UsageError line. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<
  typeof parseArgs<T>
> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message.replaceAll("\n", " "));
  }
}

/** Print `summary` as one JSON line (`json`) or as `key: value` lines. */
export function printSummary(summary: Record<string, unknown>, json = false): void {
  console.log(
    json
      ? JSON.stringify(summary)
      : Object.entries(summary).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join("\n"),
  );
}

/** The message and exit code of an error that escaped `task`. */
export function failure(task: string, error: unknown, usage?: string): [string, number] {
  const message = `${task}: ${(error as Error).message}`;
  if (error instanceof UsageError) return [usage ? `${message}\n${usage}` : message, 2];
  return [message, error instanceof SettingError ? 2 : 1];
}

/**
 * The entry point of a task: run `main` on the command line's arguments and exit with its code;
 * an error that escapes is printed by {@link failure} (with `usage` after a usage mistake).
 */
export async function runMain(
  task: string,
  main: (args: string[]) => Promise<number>,
  usage?: string,
): Promise<void> {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    const [message, code] = failure(task, error, usage);
    console.error(message);
    Deno.exit(code);
  }
}
