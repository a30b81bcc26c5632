import assert from "node:assert/strict";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { decodeDictdNumber, readDictd } from "../lib/data/sources/dictd.ts";
import { dictionaryPair } from "../lib/data/sources/dictionaries.ts";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
/** Slow reference encoder: repeated division, most significant digit first. */
function encode(n: number): string {
  let digits = "";
  do {
    digits = B64[n % 64] + digits;
    n = Math.floor(n / 64);
  } while (n > 0);
  return digits;
}

/** Write a dictd pair of files from entries; returns their paths. */
async function writeDict(entries: [string[], string][], options: { corrupt?: boolean } = {}) {
  const dir = await Deno.makeTempDir();
  let data = "";
  const index: string[] = [];
  for (const [headwords, text] of entries) {
    const offset = new TextEncoder().encode(data).length;
    const length = new TextEncoder().encode(text).length;
    for (const headword of headwords) {
      index.push(`${headword}\t${encode(offset)}\t${encode(length)}`);
    }
    data += text;
  }
  const gz = gzipSync(new TextEncoder().encode(data));
  const paths = { index: join(dir, "t.index"), dict: join(dir, "t.dict.dz") };
  await Deno.writeTextFile(paths.index, index.join("\n") + "\n");
  await Deno.writeFile(paths.dict, options.corrupt ? gz.subarray(0, gz.length - 9) : gz);
  return paths;
}

Deno.test("dictd numbers decode as base 64, most significant digit first", () => {
  assert.equal(decodeDictdNumber("A", "x"), 0);
  assert.equal(decodeDictdNumber("Fz", "x"), 5 * 64 + 51);
  assert.equal(decodeDictdNumber("BAA", "x"), 4096);
  for (const n of [0, 63, 64, 12345, 39952321]) assert.equal(decodeDictdNumber(encode(n), "x"), n);
  assert.throws(() => decodeDictdNumber("A*", "f.index:3"), /f\.index:3/);
});

Deno.test("readDictd merges headwords of one entry and keeps UTF-8 text", async () => {
  const paths = await writeDict([
    [
      ["Lifeless", "Lifelessly"],
      'Lifeless \\Life"less\\, a.\n   Destitute of life.\n   [1913 Webster]\n',
    ],
    [["naïve"], "naïve\n   Ingénu.\n"],
  ]);
  const { entries, undecodable } = await readDictd(paths.index, paths.dict);
  assert.deepEqual(entries.map((e) => e.headwords), [["Lifeless", "Lifelessly"], ["naïve"]]);
  assert.equal(entries[1].text, "naïve\n   Ingénu.\n");
  assert.deepEqual(undecodable, []);
});

Deno.test("readDictd names the file and line of bad input", async () => {
  const paths = await writeDict([[["a"], "a\n   first letter\n"]]);
  await Deno.writeTextFile(paths.index, "a\tA\tQ\nb\tA\n");
  await assert.rejects(readDictd(paths.index, paths.dict), /t\.index:2: expected "headword/);
  await Deno.writeTextFile(paths.index, "a\tA\tQ\nb\tBAA\tB\n");
  await assert.rejects(readDictd(paths.index, paths.dict), /t\.index:2: entry ends at byte 4097/);
  const corrupt = await writeDict([[["a"], "a\n   first letter\n"]], { corrupt: true });
  await assert.rejects(readDictd(corrupt.index, corrupt.dict), /t\.dict\.dz: cannot decompress/);
  await assert.rejects(readDictd(paths.index + ".missing", paths.dict), /missing: file not found/);
});

Deno.test("dictionary entries become headword -> definition pairs", () => {
  const gcide = dictionaryPair("gcide", {
    headwords: ["Calotype"],
    text:
      'Calotype \\Cal"o*type\\, n. (Photog.)\n   A method of taking {photographic} pictures.\n   [1913 Webster]\n',
    where: "x",
  });
  assert.deepEqual(gcide, {
    query: "Calotype",
    document: "n. (Photog.) A method of taking photographic pictures.",
    group: "gcide:Calotype",
  });
  const wordnetCited = dictionaryPair("gcide", {
    headwords: ["Calpe"],
    text: "Calpe \\Calpe\\ n.\n   the Rock.\n   [WordNet 1.5]\n",
    where: "x",
  });
  assert.deepEqual(wordnetCited, { skipped: "cites WordNet (the supervised source)" });
  const foldoc = dictionaryPair("foldoc", {
    headwords: ["fl"],
    text: "FL\n\n   <language> Function Level.\n\n   (1994-10-20)\n\n",
    where: "x",
  });
  assert.deepEqual(foldoc, {
    query: "FL",
    document: "<language> Function Level.",
    group: "foldoc:fl",
  });
  const vera = dictionaryPair("vera", {
    headwords: ["lp"],
    text: "LP\n       Line Printer (Unix)\n",
    where: "x",
  });
  assert.deepEqual(vera, { query: "LP", document: "Line Printer (Unix)", group: "vera:lp" });
  assert.deepEqual(
    dictionaryPair("jargon", { headwords: ["00-database-info"], text: "x\ny", where: "x" }),
    {
      skipped: "database metadata entry",
    },
  );
});
