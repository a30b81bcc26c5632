/**
 * The full-disk case of the fault-injection suite: a training run whose cache sits on a disk
 * too small for its checkpoint (a 4 MB tmpfs in a private mount namespace, `unshare -Urm`,
 * or, where namespaces are not allowed, a file-size limit (`ulimit -f`) that fails the write
 * the same way). The run must fail naming the error, leave no entry, half or whole, and no temporary
 * file; with room again, a rerun must give the uninterrupted run's entry.
 */
import { join } from "node:path";
import { runChild } from "./fault_child.ts";
import type { CacheState } from "./fault_results.ts";

/** What the full-disk run and its rerun did. */
export interface FullDiskOutcome {
  /** "tmpfs" or "file-size limit". */
  method: string;
  failedCode: number;
  failedLastLine: string;
  afterFailure: CacheState;
  rerunCode: number;
  afterRerun: CacheState;
  /** A copy of the cache after the rerun (the tmpfs goes with its namespace). */
  rerunCache: string;
}

const SCRIPT = `
set -u
deno="$1"; shift
export COLBERT_CACHE="$DISK/checkpoints"
if [ "$METHOD" = tmpfs ]; then
  mount -t tmpfs -o size=4m tmpfs "$DISK" || exit 90
  "$deno" run -A cli/train.ts "$@" > "$OUT/failed.out" 2> "$OUT/failed.err"
else
  (trap '' XFSZ; ulimit -f 4096; exec "$deno" run -A cli/train.ts "$@") \
    > "$OUT/failed.out" 2> "$OUT/failed.err"
fi
echo $? > "$OUT/failed.code"
mkdir -p "$COLBERT_CACHE"
"$deno" run -A tests/fault_results.ts "$COLBERT_CACHE" > "$OUT/failed.state"
if [ "$METHOD" = tmpfs ]; then mount -o remount,size=256m "$DISK"; fi
"$deno" run -A cli/train.ts "$@" > "$OUT/rerun.out" 2> "$OUT/rerun.err"
echo $? > "$OUT/rerun.code"
"$deno" run -A tests/fault_results.ts "$COLBERT_CACHE" > "$OUT/rerun.state"
cp -r "$COLBERT_CACHE" "$OUT/cache"
`;

/** Train `args` (after `cli/train.ts`) on a full disk, then with room; `dir` is scratch space. */
export async function fullDiskRun(args: string[], dir: string): Promise<FullDiskOutcome> {
  const disk = join(dir, "disk");
  const out = join(dir, "out");
  await Deno.mkdir(disk, { recursive: true });
  await Deno.mkdir(out, { recursive: true });
  const method = await canMountTmpfs() ? "tmpfs" : "file-size limit";
  const env = { DISK: disk, OUT: out, METHOD: method === "tmpfs" ? "tmpfs" : "limit" };
  const [shell, shellArgs] = method === "tmpfs"
    ? ["unshare", ["-Urm", "sh", "-c", SCRIPT, "sh"]]
    : ["sh", ["-c", SCRIPT, "sh"]];
  const script = await runChild([...shellArgs, Deno.execPath(), ...args], {
    command: shell,
    env,
  });
  if (script.code === 90) throw new Error(`could not mount a tmpfs: ${script.stderr}`);
  const read = (name: string) => Deno.readTextFile(join(out, name)).then((t) => t.trim(), () => "");
  const failedErr = (await read("failed.err")).split("\n");
  return {
    method,
    failedCode: Number(await read("failed.code")),
    failedLastLine: failedErr.at(-1) ?? "",
    afterFailure: JSON.parse(await read("failed.state") || "{}"),
    rerunCode: Number(await read("rerun.code")),
    afterRerun: JSON.parse(await read("rerun.state") || "{}"),
    rerunCache: join(out, "cache"),
  };
}

async function canMountTmpfs(): Promise<boolean> {
  try {
    const probe = await new Deno.Command("unshare", {
      args: ["-Urm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /tmp"],
      stdout: "null",
      stderr: "null",
    }).output();
    return probe.success;
  } catch {
    return false;
  }
}
