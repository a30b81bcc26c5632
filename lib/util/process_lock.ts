/**
 * A readers-writer lock shared by every thread of this process and by no other process.
 *
 * Deno's threads (the main thread, its Workers, the test files `deno test --parallel` runs
 * side by side) share no JavaScript memory, but they share the native libraries they load.
 * Each thread opens its own descriptor of one file named after the process
 * (process_identity.ts) and takes an `flock` on it: shared by many, exclusive to one, across
 * threads of this process, and dropped by the kernel when the process dies. The file also
 * holds a little text every thread reads under the lock (set once, by the first one).
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processId, processState } from "./process_identity.ts";

/** Where lock files live: `$TMPDIR/colbert-locks-<uid>` (another user's are not ours to open). */
export const LOCK_DIR = join(tmpdir(), `colbert-locks-${userId()}`);

const LOCK_NAME = /-([0-9a-f]{8}\.\d+\.\d+)\.lock$/;

/** One lock of this process, opened by this thread. */
export class ProcessLock {
  readonly #file: Deno.FsFile;

  /** Open (creating it the first time in this process) the lock called `name`. */
  constructor(name: string) {
    Deno.mkdirSync(LOCK_DIR, { recursive: true });
    removeLocksOfGoneProcesses();
    const path = join(LOCK_DIR, `${name.replace(/\W/g, "_")}-${processId()}.lock`);
    this.#file = Deno.openSync(path, { read: true, write: true, create: true });
  }

  /** Run `work` while no thread holds the lock exclusively. */
  shared<T>(work: () => T): T {
    this.#file.lockSync(false);
    try {
      return work();
    } finally {
      this.#file.unlockSync();
    }
  }

  /** Run `work` alone; it may read and replace the lock's text. */
  exclusive<T>(work: (text: { read(): string; write(value: string): void }) => T): T {
    this.#file.lockSync(true);
    try {
      return work({ read: () => this.#read(), write: (value) => this.#write(value) });
    } finally {
      this.#file.unlockSync();
    }
  }

  #read(): string {
    const bytes = new Uint8Array(this.#file.statSync().size);
    this.#file.seekSync(0, Deno.SeekMode.Start);
    for (let done = 0; done < bytes.length;) {
      done += this.#file.readSync(bytes.subarray(done)) ?? bytes.length;
    }
    return new TextDecoder().decode(bytes);
  }

  #write(value: string): void {
    const bytes = new TextEncoder().encode(value);
    this.#file.truncateSync(0);
    this.#file.seekSync(0, Deno.SeekMode.Start);
    for (let done = 0; done < bytes.length;) done += this.#file.writeSync(bytes.subarray(done));
  }
}

function userId(): string {
  try {
    return String(Deno.uid() ?? "user");
  } catch {
    return "user"; // no --allow-sys
  }
}

/** Lock files of processes that no longer run: nobody can hold them, so they go. */
function removeLocksOfGoneProcesses(): void {
  for (const entry of Deno.readDirSync(LOCK_DIR)) {
    const owner = LOCK_NAME.exec(entry.name)?.[1];
    if (owner && processState(owner) === "gone") {
      try {
        Deno.removeSync(join(LOCK_DIR, entry.name));
      } catch {
        // Another process removed it first.
      }
    }
  }
}
