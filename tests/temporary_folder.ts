/**
 * A temporary folder removed when its scope ends, even when a test fails:
 *
 *   await using folder = await temporaryFolder();
 *   await Deno.writeTextFile(join(folder.path, "x.txt"), "...");
 */

/** A fresh empty folder under the system temporary directory, deleted on dispose. */
export async function temporaryFolder(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir();
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}
