/** Shared test helper: a tiny, synthetic StudyData and a study context over a temp cache. */
import { CheckpointCache } from "../lib/cache/cache.ts";
import type { BeirDataset } from "../lib/datasets/beir.ts";
import type { Pair, SupervisedExample } from "../lib/datasets/records.ts";
import type { StudyContext } from "../lib/phases/phase.ts";
import { TINY } from "../lib/phases/profiles.ts";
import type { StudyData } from "../lib/phases/study_data.ts";
import { loadBertTokenizer } from "../lib/models/tokenizer.ts";

const WORDS = ("river mountain apple engine violin garden planet copper winter lantern " +
  "harbor pepper castle meadow rocket candle forest marble tunnel saddle").split(" ");

/** Topic `i`'s words: a deterministic subset of the list. */
function topic(i: number): string[] {
  return [0, 3, 7].map((offset) => WORDS[(i + offset) % WORDS.length]);
}

/** `count` synthetic pairs of `source`: two topic words -> a text naming three. */
export function pairs(source: string, count: number): Pair[] {
  return Array.from({ length: count }, (_, i) => ({
    query: `${topic(i)[0]} ${topic(i)[1]}`,
    document: `a text about ${topic(i).join(" and ")} from ${source} number ${i}`,
    group: `${source}-${i}`,
  }));
}

function supervised(count: number, offset: number): SupervisedExample[] {
  return Array.from({ length: count }, (_, i) => ({
    query: `what is ${topic(i + offset)[0]}`,
    positive: `${topic(i + offset)[0]} means ${topic(i + offset).slice(1).join(" ")}`,
    negatives: [`${topic(i + offset + 1)[0]} means something else`],
    lemma: topic(i + offset)[0],
  }));
}

/** A BEIR dataset where query i's one relevant document is document i. */
export function oneToOneDataset(
  name: string,
  pairs: readonly { query: string; document: string }[],
): BeirDataset {
  return {
    name,
    corpus: new Map(pairs.map((p, i) => [`d${i}`, { title: "", text: p.document }])),
    queries: new Map(pairs.map((p, i) => [`q${i}`, p.query])),
    qrels: new Map(pairs.map((_, i) => [`q${i}`, new Map([[`d${i}`, 1]])])),
  };
}

function devSet(): BeirDataset {
  const examples = supervised(12, 40);
  return oneToOneDataset(
    "toy-dev",
    examples.map((e) => ({ query: e.query, document: e.positive })),
  );
}

/** Synthetic study data shaped like `data/`'s. */
export function toyStudyData(): StudyData {
  return {
    sources: [{ name: "alpha", pairs: pairs("alpha", 48) }, {
      name: "beta",
      pairs: pairs("beta", 24),
    }],
    supervised: { train: supervised(40, 0), dev: supervised(8, 100) },
    dev: [devSet()],
    checksums: { alpha: "a1", beta: "b1", toy: "t1", "toy-dev": "d1" },
  };
}

/** A study context with the tiny profile, the real tokenizer and a fresh cache folder. */
export async function toyContext(data = toyStudyData()): Promise<StudyContext> {
  return {
    cache: new CheckpointCache(await Deno.makeTempDir()),
    tokenizer: await loadBertTokenizer(),
    data,
    profile: TINY,
    backend: "wasm",
    print: () => {},
  };
}
