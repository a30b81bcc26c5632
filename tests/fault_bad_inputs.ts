/**
 * Malformed inputs for the fault-injection suite, as a new user would give them: settings out
 * of range or not numbers, unknown names, missing or damaged cache entries, malformed model
 * folders and data files. Each must be refused clearly: exit code 1 or 2, a last line that
 * names what is wrong, no stack trace, and nothing written to the cache.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "../lib/cache/code_version.ts";
import { type ChildRun, runChild } from "./fault_child.ts";

/** One malformed input: the command, what its last line must say, and how to set it up. */
export interface BadInput {
  name: string;
  args: string[];
  message: RegExp;
  env?: Record<string, string>;
}

/** Folders the cases read: a cache holding trained entries, and scratch space. */
export interface BadInputFolders {
  /** A cache with the entries of `unsupervised --profile tiny` (never changed here). */
  cache: string;
  /** The key of a ColBERT entry in it. */
  colbertKey: string;
  /** Scratch space for damaged copies. */
  scratch: string;
}

const TRAIN = ["cli/train.ts", "unsupervised", "--profile", "tiny"];
const EVAL_DATA = join(REPO_ROOT, "data", "eval", "r-faq");

/** The cases; `prepare` makes the damaged copies they point to. */
export async function badInputs(folders: BadInputFolders): Promise<BadInput[]> {
  const { scratch } = folders;
  const model = (name: string) => join(scratch, "models", name);
  await damagedCopies(folders);
  const evalModel = (name: string, message: RegExp): BadInput => ({
    name: `eval --model <${name}>`,
    args: ["cli/eval.ts", "--model", model(name), "--data", EVAL_DATA],
    message,
  });
  return [
    ...[
      ["unsupervised.steps=-5", /unsupervised\.steps = -5: must be an integer from 1 to/],
      ["unsupervised.steps=2.5", /unsupervised\.steps = 2\.5: must be an integer/],
      ["unsupervised.learningRate=0", /learningRate = 0: must be a number above 0/],
      ["unsupervised.batchSize=1e9", /batchSize = 1000000000: must be an integer from 1 to/],
      ["distillation.accumulation=3", /accumulation = 3: must divide distillation\.batchSize/],
      ["queryLength=500", /queryLength = 500: must be at most student\.maxLength/],
      ["unsupervised.steps=many", /--set 'unsupervised\.steps=many': expected path=number/],
      ["unsupervised.stepz=5", /'unsupervised\.stepz' is not a numeric setting/],
    ].map(([set, message]) => ({
      name: `train --set ${set}`,
      args: [...TRAIN, "--set", set as string],
      message: message as RegExp,
    })),
    {
      name: "train --profile huge",
      args: [...TRAIN, "--profile", "huge"],
      message: /unknown profile 'huge'/,
    },
    {
      name: "COLBERT_PROFILE=huge train",
      args: ["cli/train.ts", "unsupervised"],
      env: { COLBERT_PROFILE: "huge" },
      message: /unknown profile 'huge'/,
    },
    {
      name: "train --backend quantum",
      args: [...TRAIN, "--backend", "quantum"],
      message: /unknown backend 'quantum'/,
    },
    {
      name: "train --seed=-1",
      args: [...TRAIN, "--seed=-1"],
      message: /--seed = -1: must be an integer from 0/,
    },
    {
      name: "train --seed -1",
      args: [...TRAIN, "--seed", "-1"],
      message: /'--seed' argument is ambiguous/,
    },
    {
      name: "train --seed one",
      args: [...TRAIN, "--seed", "one"],
      message: /--seed = one: must be an integer/,
    },
    {
      name: "train --head sparse",
      args: [...TRAIN, "--head", "sparse"],
      message: /--head must be colbert or dense/,
    },
    {
      name: "train nonsense",
      args: ["cli/train.ts", "nonsense", "--profile", "tiny"],
      message: /unknown phase 'nonsense'/,
    },
    {
      name: "train --from <missing key>",
      args: [...TRAIN, "--from", "0123456789abcdef"],
      message: /no valid cache entry '0123456789abcdef'/,
    },
    {
      name: "train --from <damaged entry>",
      args: [...TRAIN, "--from", folders.colbertKey],
      env: { COLBERT_CACHE: join(scratch, "damaged-cache") },
      message: new RegExp(`no valid cache entry '${folders.colbertKey}'`),
    },
    evalModel("empty-folder", /empty-folder/),
    evalModel("no-weights", /model\.safetensors/),
    evalModel("truncated-weights", /model\.safetensors/),
    evalModel("config-not-json", /config\.json/),
    evalModel("unknown-architecture", /gpt9|architecture|model_type/i),
    evalModel("wrong-shape", /shape|size|hidden/i),
    evalModel("no-dense-layer", /1_Dense/),
    evalModel("changed-suite-file", /config\.json: checksum does not match/),
    {
      name: "eval --data <corpus with a bad line>",
      args: ["cli/eval.ts", "--model", "bm25", "--data", join(scratch, "bad-corpus")],
      message: /corpus\.jsonl:3/,
    },
    {
      name: "eval --data <missing folder>",
      args: ["cli/eval.ts", "--model", "bm25", "--data", join(scratch, "no-such-folder")],
      message: /no-such-folder/,
    },
    {
      name: "cache rm <missing key>",
      args: ["cli/cache.ts", "rm", "nosuchkey"],
      message: /no cache entry 'nosuchkey'/,
    },
  ];
}

/** Run `input` against an empty cache of its own; the reason it is not clear, or null. */
export async function unclearness(input: BadInput, scratch: string): Promise<string | null> {
  const cache = join(scratch, "caches", input.name.replace(/\W+/g, "_"), "checkpoints");
  const run: ChildRun = await runChild(input.args, { env: { COLBERT_CACHE: cache, ...input.env } });
  const lines = run.stderr.trim().split("\n").filter((line) => !line.startsWith("usage:"));
  const last = lines.at(-1) ?? "";
  const written = await Deno.readDir(cache)[Symbol.asyncIterator]().next().then(
    (first) => !first.done,
    () => false,
  );
  if (run.code !== 1 && run.code !== 2) return `exit code ${run.code}: ${last}`;
  if (/^\s+at |Uncaught/m.test(run.stderr)) return `a stack trace: ${run.stderr.slice(0, 300)}`;
  if (!input.message.test(last)) return `last line '${last}' does not match ${input.message}`;
  if (written) return `it wrote into the cache ${cache}`;
  return null;
}

async function damagedCopies({ cache, colbertKey, scratch }: BadInputFolders): Promise<void> {
  const entry = join(cache, colbertKey);
  // Copies without the suite's own file: read as any PyLate folder, checked by its contents.
  const copy = async (name: string, change: (dir: string) => Promise<void>, suite = false) => {
    const dir = join(scratch, "models", name);
    await Deno.mkdir(dir, { recursive: true });
    for await (const file of Deno.readDir(entry)) {
      const skipped = file.name === "entry.json" || (!suite && file.name === "colbert_zero.json");
      if (file.isFile && !skipped) {
        await Deno.copyFile(join(entry, file.name), join(dir, file.name));
      }
    }
    await Deno.mkdir(join(dir, "1_Dense"));
    for (const file of ["config.json", "model.safetensors"]) {
      await Deno.copyFile(join(entry, "1_Dense", file), join(dir, "1_Dense", file));
    }
    await change(dir);
  };
  await Deno.mkdir(join(scratch, "models", "empty-folder"), { recursive: true });
  await copy("no-weights", (dir) => Deno.remove(join(dir, "model.safetensors")));
  await copy("truncated-weights", async (dir) => {
    const bytes = await Deno.readFile(join(dir, "model.safetensors"));
    await Deno.writeFile(join(dir, "model.safetensors"), bytes.subarray(0, bytes.length >> 1));
  });
  await copy(
    "config-not-json",
    (dir) => Deno.writeTextFile(join(dir, "config.json"), "{ not json"),
  );
  const editConfig = (change: (config: Record<string, unknown>) => void) => async (dir: string) => {
    const config = JSON.parse(await Deno.readTextFile(join(dir, "config.json")));
    change(config);
    await Deno.writeTextFile(join(dir, "config.json"), JSON.stringify(config));
  };
  await copy(
    "unknown-architecture",
    editConfig((config) => {
      config.model_type = "gpt9";
      config.architectures = ["Gpt9Model"];
    }),
  );
  await copy("wrong-shape", editConfig((config) => config.hidden_size = 64));
  await copy("no-dense-layer", (dir) => Deno.remove(join(dir, "1_Dense"), { recursive: true }));
  await copy("changed-suite-file", editConfig((config) => config.hidden_size = 64), true);
  // A cache whose ColBERT entry lost a byte of its weights.
  const damaged = join(scratch, "damaged-cache", colbertKey);
  await Deno.mkdir(damaged, { recursive: true });
  for await (const file of Deno.readDir(entry)) {
    if (file.isFile) await Deno.copyFile(join(entry, file.name), join(damaged, file.name));
  }
  const weights = await Deno.readFile(join(damaged, "model.safetensors"));
  weights[weights.length - 1] ^= 1;
  await Deno.writeFile(join(damaged, "model.safetensors"), weights);
  // A BEIR folder whose corpus has a broken third line.
  const corpus = join(scratch, "bad-corpus");
  await Deno.mkdir(join(corpus, "qrels"), { recursive: true });
  for (const file of ["queries.jsonl", "qrels/test.tsv"]) {
    await Deno.copyFile(join(EVAL_DATA, file), join(corpus, file));
  }
  const lines = (await Deno.readTextFile(join(EVAL_DATA, "corpus.jsonl"))).split("\n");
  lines[2] = lines[2].slice(0, 20);
  await Deno.writeTextFile(join(corpus, "corpus.jsonl"), lines.join("\n"));
  assert.ok(lines.length > 3);
}
