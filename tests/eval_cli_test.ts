import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeBeir } from "../lib/datasets/beir.ts";
import { CISI, hasCisi } from "./cisi.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const CLI = fileURLToPath(new URL("../cli/eval.ts", import.meta.url));

async function runEval(args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/**
 * BM25 ranks this corpus in an obvious way: q1 finds only d1 (relevant) at rank 1; q2
 * finds d2 (1 token) above d3 (3 tokens), and only d3 is relevant; q3 matches nothing;
 * q4 has no judgments and is not scored. So nDCG@10 = (1 + 1/log2(3) + 0) / 3,
 * Recall@100 = 2/3, MRR@10 = (1 + 1/2 + 0) / 3, MAP = (1 + 1/2 + 0) / 3, 3 queries.
 */
async function tinyBeirFolder() {
  const folder = await temporaryFolder();
  await writeBeir(folder.path, {
    name: "tiny",
    corpus: new Map([
      ["d1", { title: "apple", text: "banana" }],
      ["d2", { title: "", text: "cherry" }],
      ["d3", { title: "apple", text: "apple cherry" }],
    ]),
    queries: new Map([["q1", "banana"], ["q2", "cherry"], ["q3", "durian"], ["q4", "apple"]]),
    qrels: new Map([
      ["q1", new Map([["d1", 1]])],
      ["q2", new Map([["d3", 1], ["d2", 0]])],
      ["q3", new Map([["d1", 1]])],
    ]),
  });
  return folder;
}

const expected = {
  "ndcg@10": (1 + 1 / Math.log2(3)) / 3,
  "recall@100": 2 / 3,
  "mrr@10": 0.5,
  map: 0.5,
  queries: 3,
};

Deno.test("--json prints exactly one JSON line with the five keys", async () => {
  await using folder = await tinyBeirFolder();
  const { code, stdout } = await runEval(["--model", "bm25", "--data", folder.path, "--json"]);
  assert.equal(code, 0);
  const lines = stdout.trimEnd().split("\n");
  assert.equal(lines.length, 1);
  const result = JSON.parse(lines[0]);
  assert.deepEqual(Object.keys(result).sort(), Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) {
    assert.ok(Math.abs(result[key] - value) < 1e-12, `${key}: ${result[key]} != ${value}`);
  }
});

Deno.test("the readable block names each metric with 4 decimals", async () => {
  await using folder = await tinyBeirFolder();
  const { code, stdout } = await runEval(["--model", "bm25", "--data", folder.path]);
  assert.equal(code, 0);
  assert.match(stdout, /^nDCG@10 +0\.5436$/m);
  assert.match(stdout, /^Recall@100 +0\.6667$/m);
  assert.match(stdout, /^MRR@10 +0\.5000$/m);
  assert.match(stdout, /^MAP@100 +0\.5000$/m);
  assert.match(stdout, /^queries +3 judged$/m);
});

Deno.test("bad arguments print the usage and exit with 2", async () => {
  await using folder = await tinyBeirFolder();
  const cases = [
    ["--data", folder.path],
    ["--model", "bm25"],
    ["--model", "bm25", "--data", folder.path, "--verbose"],
    ["--model", "bm25", "--data", folder.path, "stray"],
  ];
  for (const args of cases) {
    const { code, stderr, stdout } = await runEval(args);
    assert.equal(code, 2, args.join(" "));
    assert.match(stderr, /^eval: .*\nusage: deno task eval/);
    assert.equal(stdout, "");
  }
});

Deno.test("bad data prints the loader's error (file and line) and exits with 1", async () => {
  await using folder = await tinyBeirFolder();
  const missingSplit = await runEval(["--model", "bm25", "--data", folder.path, "--split", "dev"]);
  assert.equal(missingSplit.code, 1);
  assert.match(missingSplit.stderr, /qrels\/dev\.tsv: file not found/);
  await Deno.writeTextFile(
    join(folder.path, "qrels", "test.tsv"),
    "query-id\tcorpus-id\tscore\nq1\tgone\t1\n",
  );
  const nothingJudged = await runEval(["--model", "bm25", "--data", folder.path]);
  assert.equal(nothingJudged.code, 1);
  assert.match(nothingJudged.stderr, /no judged query to evaluate/);
  await Deno.writeTextFile(
    join(folder.path, "corpus.jsonl"),
    '{"_id":"d1","text":"a"}\n{"_id":"d2"}\n',
  );
  const { code, stderr, stdout } = await runEval(["--model", "bm25", "--data", folder.path]);
  assert.equal(code, 1);
  assert.match(stderr, /corpus\.jsonl:2: missing "text"/);
  assert.equal(stdout, "");
});

Deno.test({
  name: "BM25 on CISI scores its 76 judged queries as a numpy BM25 does under pytrec_eval",
  ignore: !hasCisi,
  async fn() {
    const { code, stdout } = await runEval(["--model", "bm25", "--data", CISI, "--json"]);
    assert.equal(code, 0);
    const result = JSON.parse(stdout);
    assert.equal(result.queries, 76);
    // A numpy BM25 with the same definition, scored by pytrec_eval (scripts/reference/bm25_fixture.py).
    const reference = JSON.parse(
      await Deno.readTextFile(new URL("./fixtures/cisi_bm25_trec_eval.json", import.meta.url)),
    );
    assert.equal(reference.queries, 76);
    for (const measure of ["ndcg@10", "recall@100", "mrr@10", "map"]) {
      const [ours, theirs] = [result[measure], reference.mean[measure]];
      assert.ok(Math.abs(ours - theirs) < 1e-6, `${measure}: ${ours}, pytrec_eval ${theirs}`);
    }
  },
});
