/**
 * Who left a file behind, and whether they are still running: an id naming this process
 * (host, pid and the pid's start time) that a later process cannot reuse, as a pid alone can,
 * and a check of such an id. Temporary folders and lock files carry the id in their name, so
 * a cleaner removes only what a finished or killed process left, never a live run's files.
 *
 * The start time comes from `/proc` (Linux); where there is none, and for ids of another
 * host (a cache on a shared disk), {@link processState} says "unknown" and nothing is removed.
 */

/** What {@link processState} knows of the process behind an id. */
export type ProcessState = "running" | "gone" | "unknown";

/** The id of process `pid` (default: this one): `<host tag>.<pid>.<start time>`. */
export function processId(pid = Deno.pid): string {
  return `${hostTag()}.${pid}.${startTime(pid) ?? 0}`;
}

/** Whether the process named by `id` (from {@link processId}) still runs on this host. */
export function processState(id: string): ProcessState {
  const match = /^([0-9a-f]{8})\.(\d+)\.(\d+)$/.exec(id);
  if (!match || match[1] !== hostTag() || !hasProc()) return "unknown";
  const started = startTime(Number(match[2]));
  return started !== null && String(started) === match[3] ? "running" : "gone";
}

let cachedTag: string | undefined;

/** 8 hex digits of FNV-1a over the host name: ids of another machine are recognised. */
function hostTag(): string {
  if (cachedTag) return cachedTag;
  let name = "unknown-host";
  try {
    name = Deno.hostname();
  } catch {
    // No --allow-sys: every id then carries the same tag, and /proc still tells the pids apart.
  }
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) hash = Math.imul(hash ^ byte, 0x01000193);
  return cachedTag = (hash >>> 0).toString(16).padStart(8, "0");
}

let procReadable: boolean | undefined;

function hasProc(): boolean {
  return procReadable ??= startTime(Deno.pid) !== null;
}

/**
 * Field 22 of `/proc/<pid>/stat` (clock ticks after boot), or null when no such process runs
 * (a zombie, killed but not yet reaped by its parent, counts as gone).
 */
function startTime(pid: number): number | null {
  let stat: string;
  try {
    stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z") return null;
  const ticks = Number(fields[19]);
  return Number.isInteger(ticks) ? ticks : null;
}
