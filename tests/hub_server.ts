/**
 * A Hugging Face Hub stand-in on 127.0.0.1 for tests: it serves a folder laid out as
 * `<root>/<owner>/<name>/<commit>/<files>` through the Hub's own URLs (the revision API
 * with `?blobs=true`, and `resolve` with `Range`), counts requests, and can misbehave:
 * cut one download short once, or send wrong bytes for a file.
 *
 *   await using hub = await serveHub(root, { refs: { "owner/name": { main: COMMIT } } });
 *   await resolveModel("hf:owner/name", { endpoint: hub.endpoint, cache });
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { snapshotFiles } from "../lib/hub/model_cache_snapshot.ts";

/** Ways the server can misbehave. */
export interface HubFaults {
  /** Close the connection after this many bytes of `file`, on its next download only. */
  cutAfter?: { file: string; bytes: number };
  /** Serve `file` with its first byte flipped (on every download). */
  corrupt?: string;
}

/** One request the server answered. */
export interface LoggedRequest {
  path: string;
  range: string | null;
  authorization: string | null;
}

/** A running server; `faults` may be changed between requests. */
export interface ServedHub extends AsyncDisposable {
  endpoint: string;
  requests: LoggedRequest[];
  faults: HubFaults;
}

/** Files stored in LFS on the real Hub (by the usual .gitattributes). */
const LFS = /\.(safetensors|bin|h5|onnx|ot|msgpack)$/;

/** Serve `root`; `refs` maps each `owner/name` to its branches' commits. */
export function serveHub(
  root: string,
  options: { refs?: Record<string, Record<string, string>>; faults?: HubFaults } = {},
): ServedHub {
  const requests: LoggedRequest[] = [];
  const faults: HubFaults = { ...options.faults };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const { pathname } = new URL(request.url);
    const range = request.headers.get("range");
    requests.push({ path: pathname, range, authorization: request.headers.get("authorization") });
    const api = pathname.match(/^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/);
    if (api) {
      const repo = api[1];
      const revision = decodeURIComponent(api[2]);
      const commit = options.refs?.[repo]?.[revision] ?? revision;
      const folder = join(root, repo, commit);
      const files = await snapshotFiles(folder).catch(() => null);
      if (!files) return notFound(`Invalid rev id: ${revision}`);
      const siblings = await Promise.all(files.map((name) => sibling(folder, name)));
      return Response.json({ id: repo, sha: commit, siblings });
    }
    const resolve = pathname.match(/^\/([^/]+\/[^/]+)\/resolve\/([0-9a-f]{40})\/(.+)$/);
    if (!resolve) return notFound("Not found");
    const file = decodeURIComponent(resolve[3]);
    const bytes = await Deno.readFile(join(root, resolve[1], resolve[2], file)).catch(() => null);
    if (!bytes) return notFound("Entry not found");
    if (faults.corrupt === file) bytes[0] ^= 0xff;
    const from = Number(range?.match(/^bytes=(\d+)-$/)?.[1] ?? 0);
    const body = bytes.subarray(from);
    const headers: Record<string, string> = { "content-length": String(body.length) };
    if (range) headers["content-range"] = `bytes ${from}-${bytes.length - 1}/${bytes.length}`;
    const status = range ? 206 : 200;
    if (faults.cutAfter?.file !== file) return new Response(body, { status, headers });
    // Announcing the full length and closing early is how a dropped connection looks.
    const sent = body.subarray(0, faults.cutAfter.bytes);
    delete faults.cutAfter;
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(sent);
        controller.close();
      },
    });
    return new Response(stream, { status, headers });
  });
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    requests,
    faults,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** A file as the Hub's API lists it: LFS files by SHA-256, the rest by git blob id. */
async function sibling(folder: string, rfilename: string) {
  const bytes = await Deno.readFile(join(folder, rfilename));
  if (!LFS.test(rfilename)) return { rfilename, size: bytes.length, blobId: gitBlobId(bytes) };
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const pointer =
    `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${bytes.length}\n`;
  return {
    rfilename,
    size: bytes.length,
    blobId: gitBlobId(new TextEncoder().encode(pointer)),
    lfs: { sha256, size: bytes.length, pointerSize: pointer.length },
  };
}

/** The id git gives a blob: SHA-1 of a header and the bytes. */
export function gitBlobId(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function notFound(message: string): Response {
  return new Response(message, { status: 404, headers: { "x-error-message": message } });
}
