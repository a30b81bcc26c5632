/**
 * One file from the Hub, resumable and verified: bytes go to `<file>.part` beside where the
 * file will be, a later attempt asks for the rest with `Range`, and only bytes that match
 * the Hub's checksum (LFS SHA-256, else git blob id) are renamed to the file's own name.
 */
import { dirname, join } from "node:path";
import type { FileRecord } from "./model_cache_snapshot.ts";
import { Digest, digestFile, feedFile } from "./model_cache_digest.ts";
import type { RepoFile } from "./hub_files.ts";
import { failureReason, httpProblem, hubGet, silenceTimeout } from "./hub_http.ts";

/** How far one file's download is. */
export interface DownloadProgress {
  file: string;
  bytes: number;
  total: number;
  /** Over this attempt only (resumed bytes are not counted). */
  bytesPerSecond: number;
  done: boolean;
}

/** Where from, where to, and how. */
export interface DownloadOptions {
  url: string;
  /** The snapshot folder being built; the file goes to its `rfilename` inside. */
  folder: string;
  endpoint: string;
  token?: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Give up after this long without a byte (default 60 s). */
  silenceMs?: number;
}

const PROGRESS_EVERY_MS = 500;

/** Download `file` (resuming a `.part` an earlier attempt left); its size and SHA-256. */
export async function downloadFile(file: RepoFile, options: DownloadOptions): Promise<FileRecord> {
  const target = join(options.folder, file.rfilename);
  const part = `${target}.part`;
  const done = await verifiedRecord(target, file);
  if (done) return done;
  await Deno.mkdir(dirname(target), { recursive: true });
  const partSize = (await Deno.stat(part).catch(() => null))?.size ?? 0;
  const { sha256, gitBlobId, bytesPerSecond } = partSize === file.size
    ? { ...await digestFile(part, { gitBlob: !file.lfs }), bytesPerSecond: 0 }
    : await fetchInto(part, { file, offset: partSize < file.size ? partSize : 0, options });
  const expected = file.lfs?.sha256 ?? file.blobId;
  const actual = file.lfs ? sha256 : gitBlobId;
  if (actual !== expected) {
    await Deno.remove(part);
    throw new Error(
      `${file.rfilename}: checksum mismatch (expected ${
        file.lfs ? "sha256" : "git blob id"
      } ${expected}, got ${actual}); the download was discarded`,
    );
  }
  await Deno.rename(part, target);
  options.onProgress?.({
    file: file.rfilename,
    bytes: file.size,
    total: file.size,
    bytesPerSecond,
    done: true,
  });
  return { size: file.size, sha256 };
}

/** The record of a file an earlier attempt completed, or null (a bad one is removed). */
async function verifiedRecord(target: string, file: RepoFile): Promise<FileRecord | null> {
  const found = await digestFile(target, { gitBlob: !file.lfs }).catch(() => null);
  if (!found) return null;
  if ((file.lfs ? found.sha256 : found.gitBlobId) === (file.lfs?.sha256 ?? file.blobId)) {
    return { size: found.size, sha256: found.sha256 };
  }
  await Deno.remove(target);
  return null;
}

interface Transfer {
  file: RepoFile;
  /** Bytes already in the part file. */
  offset: number;
  options: DownloadOptions;
}

/** Fetch the rest of the file into `part` (all of it if the Range is ignored); its digests. */
async function fetchInto(
  part: string,
  { file, offset, options }: Transfer,
): Promise<ReturnType<Digest["finish"]> & { bytesPerSecond: number }> {
  const newDigest = () => new Digest(file.lfs ? undefined : file.size);
  let digest = newDigest();
  if (offset > 0) await feedFile(part, digest);
  const silence = silenceTimeout(options.silenceMs ?? 60_000);
  let bytes = offset;
  try {
    const response = await hubGet(options.url, {
      endpoint: options.endpoint,
      token: options.token,
      from: offset,
      signal: silence.signal,
    });
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw new Error(`${file.rfilename}: ${options.endpoint} answered ${httpProblem(response)}`);
    }
    const resumed = response.status === 206;
    if (resumed && !response.headers.get("content-range")?.startsWith(`bytes ${offset}-`)) {
      await response.body?.cancel();
      throw new Error(`${file.rfilename}: the Hub sent another range than bytes ${offset}-`);
    }
    if (!resumed) [digest, bytes] = [newDigest(), 0];
    const out = await Deno.open(
      part,
      resumed ? { append: true } : { write: true, create: true, truncate: true },
    );
    const [started, first] = [performance.now(), bytes];
    let reported = started;
    try {
      for await (const chunk of response.body!) {
        silence.touch();
        for (let written = 0; written < chunk.length;) {
          written += await out.write(chunk.subarray(written));
        }
        digest.update(chunk);
        bytes += chunk.length;
        if (performance.now() - reported > PROGRESS_EVERY_MS) {
          reported = performance.now();
          const bytesPerSecond = (bytes - first) / ((reported - started) / 1000);
          options.onProgress?.({
            file: file.rfilename,
            bytes,
            total: file.size,
            bytesPerSecond,
            done: false,
          });
        }
      }
    } catch (error) {
      throw new Error(
        `${file.rfilename}: download stopped at ${bytes} of ${file.size} bytes (${
          failureReason(error)
        }); pull again to resume`,
      );
    } finally {
      out.close();
    }
    const seconds = (performance.now() - started) / 1000;
    return { ...digest.finish(), bytesPerSecond: seconds > 0 ? (bytes - first) / seconds : 0 };
  } finally {
    silence.stop();
  }
}
