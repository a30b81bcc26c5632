/**
 * A Hugging Face Hub client speaking the protocol huggingface.co serves, so it works there
 * unchanged (and against any mirror `HF_ENDPOINT` names):
 *
 *   GET {endpoint}/api/models/{owner}/{name}/revision/{revision}?blobs=true
 *       -> { sha: commit, siblings: [{ rfilename, size, blobId, lfs?: { sha256, size } }] }
 *   GET {endpoint}/{owner}/{name}/resolve/{commit}/{rfilename}    (Range: bytes=N- -> 206)
 *
 * A pull downloads the files a model needs into the cache's partial folder for that commit,
 * verifies each, then moves the folder into place as the commit's snapshot.
 */
import type { ModelCache } from "./model_cache.ts";
import { hubRepoKey } from "./model_cache.ts";
import type { FileRecord } from "./model_cache_snapshot.ts";
import { downloadFile, type DownloadProgress } from "./hub_download.ts";
import { filesToDownload, isSafePath, type RepoFile } from "./hub_files.ts";
import { httpProblem, hubGet } from "./hub_http.ts";

/** Where models come from unless `HF_ENDPOINT` says otherwise. */
export const DEFAULT_HUB_ENDPOINT = "https://huggingface.co";

const API_TIMEOUT_MS = 60_000;

/** How to reach the Hub; unset fields come from `HF_ENDPOINT` and `HF_TOKEN`. */
export interface HubOptions {
  endpoint?: string;
  token?: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** Give up on a download after this long without a byte (default 60 s). */
  silenceMs?: number;
}

/** A repository at one commit: the commit and its files. */
export interface RevisionInfo {
  sha: string;
  siblings: RepoFile[];
}

/** The endpoint in use: the option, else `HF_ENDPOINT`, else huggingface.co. */
export function hubEndpoint(options: HubOptions = {}): string {
  return (options.endpoint ?? Deno.env.get("HF_ENDPOINT") ?? DEFAULT_HUB_ENDPOINT)
    .replace(/\/+$/, "");
}

/** The commit `revision` (a branch, tag or commit) of `owner/name` names, and its files. */
export async function fetchRevision(
  repoId: string,
  revision: string,
  options: HubOptions = {},
): Promise<RevisionInfo> {
  const endpoint = hubEndpoint(options);
  const url = `${endpoint}/api/models/${repoId}/revision/${
    encodeURIComponent(revision)
  }?blobs=true`;
  const signal = AbortSignal.timeout(API_TIMEOUT_MS);
  const response = await hubGet(url, { endpoint, token: token(options), signal });
  if (!response.ok) {
    await response.body?.cancel();
    const gated = response.status === 401 || response.status === 403
      ? " (gated or private: set HF_TOKEN)"
      : "";
    throw new Error(`revision ${revision}: ${endpoint} answered ${httpProblem(response)}${gated}`);
  }
  const info = await response.json().catch(() => null) as RevisionInfo | null;
  if (!/^[0-9a-f]{40}$/.test(info?.sha ?? "") || !Array.isArray(info?.siblings)) {
    throw new Error(`${endpoint} sent no commit and file list for revision ${revision}`);
  }
  const unsafe = info!.siblings.find((file) => !isSafePath(file.rfilename));
  if (unsafe) throw new Error(`${endpoint} lists a file outside the model: ${unsafe.rfilename}`);
  return info!;
}

/**
 * Download `owner/name` at `revision` into the cache (resuming an earlier attempt) unless
 * the commit is there already. A branch or tag also gets its ref, written once the snapshot
 * is in place.
 */
export async function pullFromHub(
  cache: ModelCache,
  repoId: string,
  options: HubOptions & { revision?: string; expectSha256?: string } = {},
): Promise<{ path: string; fetched: boolean }> {
  const revision = options.revision ?? "main";
  const endpoint = hubEndpoint(options);
  const { sha, siblings } = await fetchRevision(repoId, revision, options);
  const key = hubRepoKey(repoId);
  const ref = revision === sha ? undefined : revision;
  const cached = await cache.find(key, sha);
  if (cached) {
    if (ref) await cache.setRef(key, ref, sha);
    return { path: cached, fetched: false };
  }
  const folder = cache.partialPath(key, sha);
  const files: Record<string, FileRecord> = {};
  const wanted = filesToDownload(siblings);
  if (wanted.length === 0) throw new Error(`${endpoint} lists no model files at ${sha}`);
  for (const file of wanted) {
    files[file.rfilename] = await downloadFile(file, {
      url: `${endpoint}/${repoId}/resolve/${sha}/${
        file.rfilename.split("/").map(encodeURIComponent).join("/")
      }`,
      folder,
      endpoint,
      token: token(options),
      onProgress: options.onProgress,
      silenceMs: options.silenceMs,
    });
  }
  const path = await cache.add(key, sha, {
    folder,
    files,
    source: `${endpoint}/${repoId}/tree/${sha}`,
    ref,
    expectSha256: options.expectSha256,
  });
  return { path, fetched: true };
}

function token(options: HubOptions): string | undefined {
  return options.token ?? Deno.env.get("HF_TOKEN");
}
