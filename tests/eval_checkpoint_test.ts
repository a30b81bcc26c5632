import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { initBackend } from "../lib/compute/backend.ts";
import { writeBeir } from "../lib/datasets/beir.ts";
import { saveModelFolder } from "../lib/checkpoints/checkpoint.ts";
import { rankDocuments } from "../lib/retrieval/metrics.ts";
import { readTrecRun } from "../lib/retrieval/trec_run.ts";
import { colbertInputConfig } from "../lib/models/colbert_inputs.ts";
import { evaluateRetriever } from "../lib/retrieval/evaluate.ts";
import { createModel, type ModelKind } from "../lib/models/model.ts";
import { neuralRetriever } from "../lib/retrieval/neural_retriever.ts";
import { loadBertTokenizer } from "../lib/models/tokenizer.ts";
import { tinyEncoder } from "./tiny_encoder.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const CLI = fileURLToPath(new URL("../cli/eval.ts", import.meta.url));

const DATASET = {
  name: "toy",
  corpus: new Map([
    ["d1", { title: "", text: "the river flows to the sea" }],
    ["d2", { title: "copper", text: "a reddish metal" }],
    ["d3", { title: "", text: "an apple a day" }],
  ]),
  queries: new Map([["q1", "river"], ["q2", "metal"]]),
  qrels: new Map([["q1", new Map([["d1", 1]])], ["q2", new Map([["d2", 1]])]]),
};

function model(kind: ModelKind) {
  return createModel({
    kind,
    transformer: tinyEncoder({ maxLength: 256 }),
    colbertDim: 8,
    pooling: "mean",
    inputs: colbertInputConfig(),
  }, { seed: 4 });
}

for (const kind of ["colbert", "dense"] as const) {
  Deno.test(`eval --model <${kind} checkpoint> prints the same metrics as the library`, async () => {
    await initBackend("wasm");
    await using folder = await temporaryFolder();
    const data = join(folder.path, "data"), checkpoint = join(folder.path, "model");
    const runFile = join(folder.path, "model.run");
    await writeBeir(data, DATASET);
    const trained = model(kind);
    await saveModelFolder(checkpoint, trained, { tokenizer: await loadBertTokenizer() });
    const expected = await evaluateRetriever(
      DATASET,
      neuralRetriever(trained, await loadBertTokenizer(), { corpus: DATASET.corpus }),
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        CLI,
        "--model",
        checkpoint,
        "--data",
        data,
        "--json",
        "--backend",
        "wasm",
        "--run",
        runFile,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    const printed = JSON.parse(new TextDecoder().decode(output.stdout));
    assert.equal(printed.queries, 2);
    for (const key of ["ndcg@10", "recall@100", "mrr@10", "map"] as const) {
      assert.ok(
        Math.abs(printed[key] - expected[key]) < 1e-9,
        `${key}: ${printed[key]} vs ${expected[key]}`,
      );
    }
    // The TREC run file holds the ranking the metrics were computed on.
    const written = await readTrecRun(runFile);
    for (const [query, scores] of expected.run) {
      assert.deepEqual(rankDocuments(written.get(query)!), rankDocuments(scores));
    }
  });
}

/** tests/fixtures/training_reference.json's `eval`, by scripts/reference/training_fixture.py. */
const REFERENCE = JSON.parse(
  await Deno.readTextFile(new URL("./fixtures/training_reference.json", import.meta.url)),
).eval;

for (const kind of ["colbert", "dense"] as const) {
  Deno.test(
    `eval --model <${kind} folder> ranks as ${
      kind === "colbert" ? "PyLate" : "sentence-transformers"
    } and prints pytrec_eval's figures`,
    async () => {
      // The expectation comes from Python: PyLate's MaxSim on pylate_bert_tiny, or the cosine of
      // sentence-transformers' mean-pooled bert_tiny, each run scored by pytrec_eval.
      await using folder = await temporaryFolder();
      const data = join(folder.path, "data"), runFile = join(folder.path, "model.run");
      const { corpus, queries, qrels } = REFERENCE.dataset;
      await writeBeir(data, {
        name: "reference",
        corpus: new Map(Object.entries(corpus as Record<string, { title: string; text: string }>)),
        queries: new Map(Object.entries(queries as Record<string, string>)),
        qrels: new Map(
          Object.entries(qrels as Record<string, Record<string, number>>).map((
            [query, grades],
          ) => [query, new Map(Object.entries(grades))]),
        ),
      });
      const model = fileURLToPath(new URL(`../${REFERENCE[`${kind}_folder`]}`, import.meta.url));
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", CLI, "--model", model, "--data", data, "--json", "--backend", "wasm"]
          .concat(["--run", runFile]),
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      const printed = JSON.parse(new TextDecoder().decode(output.stdout));
      const expected = REFERENCE[kind];
      assert.equal(printed.queries, 3);
      for (const key of ["ndcg@10", "recall@100", "mrr@10", "map"]) {
        assert.ok(
          Math.abs(printed[key] - expected.metrics[key]) < 1e-9,
          `${key}: ${printed[key]} vs pytrec_eval's ${expected.metrics[key]}`,
        );
      }
      const written = await readTrecRun(runFile);
      for (
        const [query, scores] of Object.entries(
          expected.run as Record<string, Record<string, number>>,
        )
      ) {
        const reference = new Map(Object.entries(scores));
        assert.deepEqual(rankDocuments(written.get(query)!), rankDocuments(reference), query);
        for (const [document, score] of reference) {
          const actual = written.get(query)!.get(document)!;
          assert.ok(
            Math.abs(actual - score) < 1e-4 * Math.max(1, Math.abs(score)),
            `${query}/${document}`,
          );
        }
      }
    },
  );
}

Deno.test("the neural retriever scores every document the same whatever the encoding batch size", async () => {
  await initBackend("wasm");
  const colbert = model("colbert");
  const tokenizer = await loadBertTokenizer();
  const retriever = neuralRetriever(colbert, tokenizer, { corpus: DATASET.corpus });
  const run = await retriever.search(DATASET.queries, 3);
  const small = neuralRetriever(colbert, tokenizer, { corpus: DATASET.corpus, batchSize: 1 });
  const again = await small.search(DATASET.queries, 3);
  for (const [query, scores] of run) {
    assert.equal(scores.size, 3);
    for (const [doc, score] of scores) {
      assert.ok(
        Math.abs(score - again.get(query)!.get(doc)!) < 1e-4,
        "batch size does not change scores",
      );
    }
  }
});

Deno.test("eval --model with neither a folder nor a cache key fails clearly", async () => {
  await using folder = await temporaryFolder();
  await writeBeir(folder.path, DATASET);
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "--model", "no-such-model", "--data", folder.path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 1);
  assert.match(
    new TextDecoder().decode(output.stderr),
    /'no-such-model' is neither a checkpoint folder/,
  );
});
