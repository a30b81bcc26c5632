import assert from "node:assert/strict";
import { join } from "node:path";
import { aptOptions, parseControlFields } from "../lib/data/sources/apt_cache.ts";
import { fieldLengths, lengthStats } from "../lib/data/data_card.ts";
import { readPackageText } from "../lib/util/files.ts";
import { Inputs } from "../lib/data/inputs.ts";
import { readJsonl, writeJsonl } from "../lib/util/jsonl.ts";
import { asPair, asSupervisedExample } from "../lib/datasets/records.ts";

Deno.test("JSONL round trip, and bad lines named by file:line", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "pairs.jsonl");
  const pairs = [{ query: "q1", document: "d1", group: "g1" }, {
    query: "q2",
    document: "d\n2",
    group: "g2",
  }];
  await writeJsonl(path, pairs);
  assert.deepEqual(await readJsonl(path, asPair), pairs);
  await Deno.writeTextFile(path, '{"query": "q", "document": "d", "group": "g"}\n{"query": "q"\n');
  await assert.rejects(readJsonl(path, asPair), /pairs\.jsonl:2: bad JSON/);
  await Deno.writeTextFile(path, '{"query": "q", "document": "", "group": "g"}\n');
  await assert.rejects(
    readJsonl(path, asPair),
    /pairs\.jsonl:1: "document" must be a non-empty string/,
  );
  await Deno.writeTextFile(
    path,
    '{"query": "q", "positive": "p", "negatives": [1], "lemma": "l"}\n',
  );
  await assert.rejects(
    readJsonl(path, asSupervisedExample),
    /pairs\.jsonl:1: "negatives" must be an array of strings/,
  );
  await Deno.writeTextFile(
    path,
    '{"query": "q", "document": "d", "group": "g"}\n{"query": "q", "docu',
  );
  await assert.rejects(readJsonl(path, asPair), /pairs\.jsonl: truncated/);
  await Deno.writeFile(path, new Uint8Array([0x7b, 0xff, 0x7d, 0x0a]));
  await assert.rejects(readJsonl(path, asPair), /pairs\.jsonl: not valid UTF-8/);
});

Deno.test("length statistics match a hand computation; sampling is seeded", () => {
  // numpy: np.quantile([1, 2, 3, 4, 10], [0.5, 0.95]) = [3, 8.8]
  assert.deepEqual(lengthStats([4, 1, 3, 2, 10]), { mean: 4, median: 3, p95: 8.8, max: 10 });
  assert.deepEqual(lengthStats([]), { mean: 0, median: 0, p95: 0, max: 0 });
  const texts = Array.from({ length: 50 }, (_, i) => "w ".repeat(i + 1).trim());
  const count = (text: string) => text.split(" ").length;
  const a = fieldLengths({ query: texts }, count, { sample: 10, seed: 1 });
  assert.deepEqual(fieldLengths({ query: texts }, count, { sample: 10, seed: 1 }), a);
  assert.notDeepEqual(fieldLengths({ query: texts }, count, { sample: 10, seed: 2 }), a);
  assert.equal(fieldLengths({ query: texts }, count).query.mean, 25.5);
});

Deno.test("apt runs against the private lists by absolute path; control fields parse", () => {
  const options = aptOptions("relative/cache");
  assert.ok(options.includes(`Dir::State::Lists=${join(Deno.cwd(), "relative/cache", "lists")}`));
  assert.ok(options.includes("Acquire::Languages=en"));
  const fields = parseControlFields(
    "Package: dict-vera\nVersion: 1:1.24-1\nSHA256: abc\n\nPackage: other\n",
  );
  assert.deepEqual([...fields], [["Package", "dict-vera"], ["Version", "1:1.24-1"], [
    "SHA256",
    "abc",
  ]]);
});

Deno.test("a missing package or file is an error naming it", async () => {
  const inputs = new Inputs(await Deno.makeTempDir(), await Deno.makeTempDir());
  await assert.rejects(
    inputs.resolve({ npm: "no-such-package" }),
    /npm package "no-such-package": cannot read/,
  );
  await assert.rejects(
    readPackageText("/nonexistent/perlfaq1.pod"),
    /\/nonexistent\/perlfaq1\.pod: file not found/,
  );
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(join(dir, "faq.txt.gz"), new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3]));
  await assert.rejects(readPackageText(join(dir, "faq.txt.gz")), /faq\.txt\.gz: cannot decompress/);
});
