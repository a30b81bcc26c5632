import assert from "node:assert/strict";
import { join } from "node:path";
import { readSmart } from "../lib/datasets/smart.ts";
import { CISI, hasCisi } from "./cisi.ts";
import { temporaryFolder } from "./temporary_folder.ts";

// Quirks copied from CISI: trailing blanks after markers, repeated .A, .B/.X fields, text
// indented and wrapped, REL columns mixing spaces and tabs, and 0 in the grade column.
const DOCUMENTS = `.I 1
.T 
Eighteen Editions
of the Dewey Classification
.A
Comaromi, J.P.
.A 
Someone, Else
.B
1976
.W
   The present study is a history
of the DEWEY Decimal   Classification.
.X
1\t5\t1
.I 2
.T Title on the marker line
.W
Library use in 104 technical libraries.
.I 3
.W
.NET is not a marker; .Z neither.
`;
const QUERIES = `.I 1
.W
What problems are there in making up
descriptive titles?
.I 2
.T
A query that is an abstract
.A
Author, A.
.W
Bibliographic control before and after MARC.
`;
const JUDGMENTS =
  "     1     1\t0\t0.000000\n1 3 0 0.0\n     2     2\t0\t0.000000\n     7     2\t0\t0.000000\n";

async function smartFolder(files: { all?: string; qry?: string; rel?: string }) {
  const folder = await temporaryFolder();
  await Deno.writeTextFile(join(folder.path, "TINY.ALL"), files.all ?? DOCUMENTS);
  await Deno.writeTextFile(join(folder.path, "TINY.QRY"), files.qry ?? QUERIES);
  await Deno.writeTextFile(join(folder.path, "TINY.REL"), files.rel ?? JUDGMENTS);
  return folder;
}

Deno.test("readSmart keeps .T and .W, joins wrapped lines, and grades every REL pair 1", async () => {
  const warnings: string[] = [];
  await using folder = await smartFolder({});
  const dataset = await readSmart(folder.path, { onWarning: (m) => warnings.push(m) });
  assert.deepEqual(dataset.corpus.get("1"), {
    title: "Eighteen Editions of the Dewey Classification",
    text: "The present study is a history of the DEWEY Decimal Classification.",
  });
  assert.deepEqual(dataset.corpus.get("2"), {
    title: "Title on the marker line",
    text: "Library use in 104 technical libraries.",
  });
  assert.equal(dataset.corpus.get("3")?.text, ".NET is not a marker; .Z neither.");
  assert.equal(
    dataset.queries.get("1"),
    "What problems are there in making up descriptive titles?",
  );
  assert.equal(dataset.queries.get("2"), "Bibliographic control before and after MARC.");
  assert.deepEqual(
    dataset.qrels,
    new Map([["1", new Map([["1", 1], ["3", 1]])], ["2", new Map([["2", 1]])]]),
  );
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0],
    /TINY\.REL: dropped 1 judgment\(s\) naming 1 unknown query id\(s\) \(e\.g\. "7"\)/,
  );
});

const malformed: [{ all?: string; qry?: string; rel?: string }, RegExp][] = [
  [{ all: "stray text\n.I 1\n.W\nx\n" }, /TINY\.ALL:1: text outside any field/],
  [{ all: ".W\nx\n" }, /TINY\.ALL:1: field \.W before the first \.I/],
  [{ all: ".I 1\n.W\nx\n.I\n.W\ny\n" }, /TINY\.ALL:4: \.I without an id/],
  [{ all: ".I 1\n.W\nx\n.I 1\n.W\ny\n" }, /TINY\.ALL:4: duplicate document \.I 1/],
  [{ all: ".I 1\n.W\nx\n.I 2\n.A\nNobody\n" }, /TINY\.ALL:4: document has no \.T or \.W/],
  [{ qry: ".I 1\n.T\nOnly a title\n" }, /TINY\.QRY:1: query has no \.W text/],
  [{ rel: "1 1 0 0.0\n\n42\n" }, /TINY\.REL:3: expected "query-id doc-id \.\.\."/],
  [{ rel: "1 1 0 0.0\n1 1 0 0.0\n" }, /TINY\.REL:2: repeated judgment for \(1, 1\)/],
];

Deno.test("malformed SMART files fail with the file, the line and what is wrong", async () => {
  for (const [files, message] of malformed) {
    await using folder = await smartFolder(files);
    await assert.rejects(readSmart(folder.path, { onWarning: () => {} }), message);
  }
  await using empty = await temporaryFolder();
  await assert.rejects(readSmart(empty.path), /no \*\.ALL, \*\.QRY and \*\.REL files found/);
  await using doubled = await smartFolder({});
  await Deno.writeTextFile(join(doubled.path, "OTHER.QRY"), QUERIES);
  await assert.rejects(readSmart(doubled.path), /two \*\.QRY files/);
});

Deno.test({
  name: "CISI: 1,460 documents, 112 queries, 76 of them judged with 3,114 binary judgments",
  ignore: !hasCisi,
  async fn() {
    const warnings: string[] = [];
    const cisi = await readSmart(CISI, { onWarning: (m) => warnings.push(m) });
    assert.deepEqual(warnings, []);
    assert.equal(cisi.name, "cisi");
    assert.equal(cisi.corpus.size, 1460);
    assert.equal(cisi.queries.size, 112);
    assert.equal(cisi.qrels.size, 76);
    const judgments = [...cisi.qrels.values()].flatMap((judged) => [...judged.values()]);
    assert.equal(judgments.length, 3114);
    assert.ok(judgments.every((grade) => grade === 1));
    assert.equal(cisi.corpus.get("1")?.title, "18 Editions of the Dewey Decimal Classifications");
    assert.match(
      cisi.corpus.get("1")!.text,
      /^The present study is a history of the DEWEY Decimal Classification\./,
    );
    assert.equal(
      cisi.queries.get("3"),
      "What is information science? Give definitions where possible.",
    );
    for (const document of cisi.corpus.values()) assert.ok(!/\s{2}|^\s|\s$/.test(document.text));
  },
});
