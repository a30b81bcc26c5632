/**
 * One build of a cache key at a time, across processes and threads: a run that finds another
 * building the same key waits for it and then uses its entry, instead of doing the same work
 * beside it (two `reproduce` runs on one cache share the training).
 *
 * The lock is an `flock` on `.lock-<key>` in the cache folder, which the kernel drops when its
 * holder dies. The holder removes the file when done, so none is left behind; a waiter that
 * then gets the lock of the removed file sees that the name no longer leads to it and tries
 * again with the current one.
 */
import { join } from "node:path";

/** The lock file of `key` in `root`. */
export function buildLockPath(root: string, key: string): string {
  return join(root, `.lock-${key}`);
}

/** The key whose build lock file `name` is, or null. */
export function buildLockKey(name: string): string | null {
  return /^\.lock-(.+)$/.exec(name)?.[1] ?? null;
}

/** Wait until no other thread or process builds `key` in `root`; dispose to let the next one in. */
export async function lockBuild(root: string, key: string): Promise<AsyncDisposable> {
  const path = buildLockPath(root, key);
  for (;;) {
    const file = await Deno.open(path, { read: true, write: true, create: true });
    await file.lock(true);
    if (await leadsTo(path, file)) {
      return {
        async [Symbol.asyncDispose]() {
          await Deno.remove(path).catch(() => {});
          file.close();
        },
      };
    }
    file.close();
  }
}

/**
 * Remove the lock file at `path` when nobody holds it (a holder killed before its removal);
 * returns whether it did.
 */
export async function removeUnusedBuildLock(path: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true });
  } catch {
    return false; // gone already
  }
  try {
    if (!await file.tryLock(true) || !await leadsTo(path, file)) return false;
    await Deno.remove(path);
    return true;
  } finally {
    file.close();
  }
}

/** Whether a thread or process holds the lock file at `path` (a build of its key runs). */
export async function buildLockHeld(path: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true });
  } catch {
    return false;
  }
  try {
    return !await file.tryLock(true);
  } finally {
    file.close();
  }
}

/** Whether `path` still names the file `file` has open. */
async function leadsTo(path: string, file: Deno.FsFile): Promise<boolean> {
  const named = await Deno.stat(path).catch(() => null);
  return named !== null && named.ino === (await file.stat()).ino;
}
