/**
 * What a killed build leaves in the checkpoint cache, and whether it may go.
 *
 * A build works in `.tmp-<key>-<owner>-<random>`, where `<owner>` names the building process
 * (process_identity.ts) from the moment the folder exists, so a leftover is told from a live
 * build by looking at its owner, never by its age: a concurrent run's folder is never touched.
 * Folders named before owners were recorded (`.tmp-<key>-<random>`) are left to `gc`.
 */
import { processId, type ProcessState, processState } from "../util/process_identity.ts";

/** The name prefix of a folder this process builds `key` in. */
export function buildFolderPrefix(key: string): string {
  return `.tmp-${key}-${processId()}-`;
}

/** A temporary build folder's key and the state of its builder. */
export interface BuildFolder {
  key: string;
  builder: ProcessState;
}

/** The build folder behind `name`, or null when `name` is no build folder. */
export function buildFolder(name: string): BuildFolder | null {
  const match = /^\.tmp-([^-]+)-(?:([0-9a-f]{8}\.\d+\.\d+)-)?/.exec(name);
  if (!match) return null;
  return { key: match[1], builder: match[2] ? processState(match[2]) : "unknown" };
}

/** The key whose resumption snapshots folder `name` is, or null. */
export function partialFolderKey(name: string): string | null {
  return /^\.partial-(.+)$/.exec(name)?.[1] ?? null;
}
