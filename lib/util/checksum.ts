/** SHA-256 checksums, the fingerprint of every dataset, checkpoint and cache key. */

/** Hex SHA-256 of bytes or of a string's UTF-8 encoding. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Hex SHA-256 of a file's contents. */
export async function sha256File(path: string): Promise<string> {
  return sha256Hex(await Deno.readFile(path));
}
