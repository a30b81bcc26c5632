import assert from "node:assert/strict";
import type { BeirDataset } from "../lib/datasets/beir.ts";
import { nanoSubset } from "../lib/phases/validation.ts";

/** 50 "example:" and 50 "lemma:" queries, each with its own document, plus 100 others. */
function groupedDataset(): BeirDataset {
  const ids = ["example", "lemma"].flatMap((kind) =>
    Array.from({ length: 50 }, (_, i) => `${kind}:${String(i).padStart(2, "0")}`)
  );
  return {
    name: "grouped",
    corpus: new Map([
      ...ids.map((id) => [`d-${id}`, { title: "", text: id }] as const),
      ...Array.from({ length: 100 }, (_, i) => [`other${i}`, { title: "", text: "x" }] as const),
    ]),
    queries: new Map(ids.map((id) => [id, id])),
    qrels: new Map(ids.map((id) => [id, new Map([[`d-${id}`, 1]])])),
  };
}

Deno.test("nanoSubset: seeded sample of queries, their relevant documents, fixed size", () => {
  const dataset = groupedDataset();
  const nano = nanoSubset(dataset, { queries: 20, corpus: 60 });
  assert.equal(nano.qrels.size, 20);
  assert.equal(nano.corpus.size, 60);
  for (const [id, judged] of nano.qrels) {
    assert.equal(nano.queries.get(id), id);
    for (const doc of judged.keys()) assert.ok(nano.corpus.has(doc), `${doc} of ${id}`);
  }
  // Not the first 20 ids (all "example:"): a sample reaches both kinds of query.
  const kinds = new Set([...nano.qrels.keys()].map((id) => id.split(":")[0]));
  assert.deepEqual([...kinds].sort(), ["example", "lemma"]);
  assert.deepEqual(
    nanoSubset(dataset, { queries: 20, corpus: 60 }),
    nano,
    "same seed, same subset",
  );
  assert.notDeepEqual(
    [...nanoSubset(dataset, { queries: 20, corpus: 60, seed: 1 }).qrels.keys()],
    [...nano.qrels.keys()],
  );
  assert.equal(nanoSubset(dataset, { queries: 500, corpus: 500 }), dataset, "small enough: whole");
});
