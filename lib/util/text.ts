/** Small text-cleaning steps shared by every source parser. */

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Collapse every whitespace run (newlines, tabs, no-break spaces) to one space and trim. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Decode UTF-8 bytes, throwing an Error that names `where` on an invalid byte sequence. */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    throw new Error(`${where}: not valid UTF-8`);
  }
}

/** Number of whitespace-separated words: the cheap length used by filters. */
export function wordCount(text: string): number {
  const trimmed = text.trim();
  return trimmed === "" ? 0 : trimmed.split(/\s+/).length;
}
