/**
 * Streaming digests of model files: SHA-256 (what the model cache records and the Hub's
 * LFS pointers carry) and the git blob id (what the Hub gives for files outside LFS).
 * Streaming, because weights run to gigabytes and lib/util/checksum.ts reads whole files.
 */
import { createHash, type Hash } from "node:crypto";

/** SHA-256 and, when asked for, the git blob id of bytes fed in order. */
export class Digest {
  readonly #sha256: Hash = createHash("sha256");
  readonly #gitBlob: Hash | null;

  /** `gitBlobSize`: the file's full size, which git hashes before the bytes. */
  constructor(gitBlobSize?: number) {
    this.#gitBlob = gitBlobSize === undefined ? null : createHash("sha1");
    this.#gitBlob?.update(`blob ${gitBlobSize}\0`);
  }

  /** Feed the next bytes. */
  update(bytes: Uint8Array): void {
    this.#sha256.update(bytes);
    this.#gitBlob?.update(bytes);
  }

  /** Hex digests of everything fed. */
  finish(): { sha256: string; gitBlobId: string | null } {
    return { sha256: this.#sha256.digest("hex"), gitBlobId: this.#gitBlob?.digest("hex") ?? null };
  }
}

/** Feed a file's bytes into `digest` without holding the file in memory. */
export async function feedFile(path: string, digest: Digest): Promise<void> {
  // The readable side closes the file when it ends or is cancelled.
  const file = await Deno.open(path);
  for await (const chunk of file.readable) digest.update(chunk);
}

/** Size, SHA-256 and (with `gitBlob`) git blob id of a file. */
export async function digestFile(
  path: string,
  options: { gitBlob?: boolean } = {},
): Promise<{ size: number; sha256: string; gitBlobId: string | null }> {
  const { size } = await Deno.stat(path);
  const digest = new Digest(options.gitBlob ? size : undefined);
  await feedFile(path, digest);
  return { size, ...digest.finish() };
}
