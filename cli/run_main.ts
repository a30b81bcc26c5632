/**
 * The entry point of a task: run `main` on the command line's arguments, exit with its code,
 * and turn an unexpected error into one line `<task>: <message>` and exit code 1.
 */
export async function runMain(task: string, main: (args: string[]) => Promise<number>) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(`${task}: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
