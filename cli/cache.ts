/**
 * `deno task cache ls|rm|gc`: see and prune the checkpoint cache.
 *
 *   deno task cache ls [--json]     entries, oldest first (key, phase, parent, profile, created, size)
 *   deno task cache rm KEY...       delete entries
 *   deno task cache gc              delete leftovers and entries the current code can no longer hit
 */
import { parseArgs } from "node:util";
import type { CacheEntryInfo } from "../lib/cache/cache.ts";
import { codeVersion } from "../lib/cache/code_version.ts";
import { defaultCache } from "../lib/cache/cache.ts";
import { runMain } from "./run_main.ts";

const USAGE = "usage: deno task cache ls [--json] | rm KEY... | gc";

function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

function printTable(entries: CacheEntryInfo[]): void {
  const rows = entries.map((
    e,
  ) => [
    e.key,
    e.phase,
    e.parentKey ?? "-",
    e.profile,
    e.created.slice(0, 19),
    formatBytes(e.bytes),
  ]);
  const header = ["key", "phase", "parent", "profile", "created", "size"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) {
    console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  "));
  }
}

/** Whether the code that produced `info` is still the code in the repository. */
async function isCurrent(info: CacheEntryInfo): Promise<boolean> {
  if (!info.module) return false;
  try {
    return await codeVersion(info.module) === info.codeVersion;
  } catch {
    return false; // the module is gone
  }
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: "boolean" } },
    allowPositionals: true,
  });
  const [command, ...rest] = positionals;
  const cache = defaultCache();
  if (command === "ls") {
    const entries = await cache.list();
    if (values.json) {
      console.log(
        JSON.stringify(
          entries.map(({ key, phase, parentKey, profile, created, bytes }) => ({
            key,
            phase,
            parentKey,
            profile,
            created,
            bytes,
          })),
        ),
      );
    } else printTable(entries);
    return 0;
  }
  if (command === "rm" && rest.length > 0) {
    for (const key of rest) {
      await cache.remove(key).catch(() => {
        throw new Error(`no cache entry '${key}' in ${cache.root}`);
      });
      console.log(`removed ${key}`);
    }
    return 0;
  }
  if (command === "gc") {
    const removed = await cache.gc(isCurrent);
    console.log(removed.length ? `removed ${removed.join(", ")}` : "nothing to remove");
    return 0;
  }
  console.error(USAGE);
  return 2;
}

if (import.meta.main) await runMain("cache", main);
