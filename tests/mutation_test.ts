/**
 * The mutation tool (deno task mutate) on hand-worked cases: what counts as code, which
 * mutants a snippet has, which tests cover a file, and a whole run on a two-file repository
 * whose surviving mutants are worked out by hand.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { codeOnly, NOT_CODE } from "../lib/mutation/code_mask.ts";
import { coveringTests } from "../lib/mutation/covering_tests.ts";
import { applyMutant, describeMutant, mutantsOf } from "../lib/mutation/mutants.ts";
import { formatReport } from "../lib/mutation/report.ts";
import { runMutants } from "../lib/mutation/run_mutants.ts";
import { temporaryFolder } from "./temporary_folder.ts";

const SNIPPET = [
  'import { x } from "./x.ts"; // 1 + 1',
  "interface Shape {",
  "  size: 0 | 1;",
  "}",
  "const pattern = /a+b/g;",
  "export function f(a: Map<string, number>, n: number): number {",
  '  const label = `n = ${n + 1} and ${"}"}`;',
  '  if (!a.has(label) && n >= 2) throw new Error("a - b");',
  "  let total = 0;",
  "  for (let i = 0; i < n; i++) total += Math.max(i / 2, 1);",
  "  a.set(label, total);",
  "  return total === 0 ? x : -total;",
  "}",
].join("\n");

async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(join(root, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, name), text);
  }
}

Deno.test("codeOnly hides comments, strings, template text and regular expressions", () => {
  const hidden = (n: number) => NOT_CODE.repeat(n);
  const lines = codeOnly(SNIPPET).split("\n");
  assert.equal(lines[0], `import { x } from ${hidden(8)}; ${hidden(8)}`);
  assert.equal(lines[4], `const pattern = ${hidden(6)};`);
  // `${` and `}` belong to the template; the expression between them is code.
  assert.equal(lines[6], `  const label = ${hidden(7)}n + 1${hidden(13)};`);
  assert.equal(lines[7], `  if (!a.has(label) && n >= 2) throw new Error(${hidden(7)});`);
  assert.equal(codeOnly("a / b / c; x = y.z / 2;"), "a / b / c; x = y.z / 2;");
});

Deno.test("mutantsOf: every standard mutation of a snippet, none in types, imports or text", () => {
  assert.deepEqual(mutantsOf(SNIPPET).map(describeMutant), [
    '7:26 "+" -> "-"',
    '7:28 "1" -> "0"',
    '8:6 "(!a.has(label) && n >= 2)" -> "(!(!a.has(label) && n >= 2))"',
    '8:7 "!" -> ""',
    '8:21 "&&" -> "||"',
    '8:26 ">=" -> ">"',
    '8:29 "2" -> "3"',
    '9:15 "0" -> "1"',
    '10:16 "0" -> "1"',
    '10:21 "<" -> "<="',
    '10:27 "++" -> "--"',
    '10:37 "+=" -> "-="',
    '10:45 "max" -> "min"',
    '10:51 "/" -> "*"',
    '10:53 "2" -> "3"',
    '10:56 "1" -> "0"',
    '11:3 drop "a.set(label, total);"',
    '12:16 "===" -> "!=="',
    '12:20 "0" -> "1"',
  ]);
  const [negated] = mutantsOf(SNIPPET).filter((m) => m.original.startsWith("(!a"));
  assert.equal(
    applyMutant(SNIPPET, negated).split("\n")[7],
    '  if (!(!a.has(label) && n >= 2)) throw new Error("a - b");',
  );
});

Deno.test("mutantsOf: a line continuing an expression is not dropped as a statement", () => {
  const source = "const total = first +\n  second(1);\nrun(2);\nconst f = () =>\n  run(3);\n";
  const dropped = mutantsOf(source).filter((m) => m.replacement === "" && m.original.length > 1);
  assert.deepEqual(dropped.map((m) => m.original), ["run(2);"]);
});

Deno.test("coveringTests: direct importers, then tests reaching the file through others", async () => {
  await using folder = await temporaryFolder();
  await writeFiles(folder.path, {
    "lib/a.ts": "export const a = 1;\n",
    "lib/b.ts": 'import { a } from "./a.ts";\nexport const b = a + 1;\n',
    "lib/w.ts": 'new Worker(new URL("./a.ts", import.meta.url), { type: "module" });\n',
    "tests/direct_test.ts": 'import { a } from "../lib/a.ts";\n',
    "tests/indirect_test.ts": 'import { b } from "../lib/b.ts";\n',
    "tests/worker_test.ts": 'import "../lib/w.ts";\nimport { b } from "../lib/b.ts";\n',
    // Import lines inside a string are fixtures, not imports (and name no real file).
    "tests/other_test.ts": "const text = [\n  'import { a } from \"../lib/missing.ts\";',\n];\n",
    "tests/helper.ts": 'import { a } from "../lib/a.ts";\n',
  });
  const covering = await coveringTests(folder.path, ["lib/a.ts", "lib/b.ts"]);
  assert.deepEqual(covering.get("lib/a.ts"), {
    direct: ["tests/direct_test.ts"],
    indirect: ["tests/indirect_test.ts", "tests/worker_test.ts"],
  });
  assert.deepEqual(covering.get("lib/b.ts"), {
    direct: ["tests/indirect_test.ts", "tests/worker_test.ts"],
    indirect: [],
  });
});

Deno.test("runMutants: a two-file repository, its survivors worked out by hand", async () => {
  await using folder = await temporaryFolder();
  const sign = [
    "export function sign(x: number): number {",
    "  if (x > 0) return 1;",
    "  return x < 0 ? -1 : 0;",
    "}",
    "export function sum(xs: number[]): number {",
    "  let total = 0;",
    "  for (let i = 0; i < xs.length; i++) total += xs[i];",
    "  return total;",
    "}",
  ].join("\n");
  await writeFiles(folder.path, {
    "lib/sign.ts": sign,
    // Zero is never tested: mutants that differ only at 0 survive.
    "tests/sign_test.ts": [
      'import { sign, sum } from "../lib/sign.ts";',
      'Deno.test("sign", () => {',
      "  if (sign(5) !== 1 || sign(-2) !== -1) throw new Error('sign');",
      "  if (sum([2, 3]) !== 5) throw new Error('sum');",
      "});",
    ].join("\n"),
  });
  const git = new Deno.Command("git", { args: ["init", "-q"], cwd: folder.path });
  assert.ok((await git.output()).success);
  // A 10 s floor: at 3 x the unmutated run alone, a surviving mutant on a loaded machine was
  // once stopped as a timeout (seen in a fresh-clone test run beside other jobs).
  const limit = { timeoutMs: 10_000 };
  const [report] = await runMutants({ root: folder.path, files: ["lib/sign.ts"], ...limit });
  assert.deepEqual(report.tests, ["tests/sign_test.ts"]);
  const byStatus = (status: string) =>
    report.results.filter((r) => r.status === status).map(describeMutant);
  assert.deepEqual(byStatus("survived"), [
    '2:9 ">" -> ">="',
    '2:11 "0" -> "1"',
    '3:12 "<" -> "<="',
    '3:14 "0" -> "1"',
    '3:23 "0" -> "1"',
  ]);
  // i-- walks away from xs.length for ever: stopped at the time limit, counted as noticed.
  assert.deepEqual(byStatus("timeout"), ['7:35 "++" -> "--"']);
  // sign: condition negated, >, 0, 1 on line 2; <, 0, 1 of -1, 0 on line 3. sum: the 0 of
  // total, then 0, <, ++, += on line 7. 13 in all, 7 killed.
  assert.equal(report.results.length, 13);
  assert.equal(report.score, 8 / 13);
  assert.equal(await Deno.readTextFile(join(folder.path, "lib/sign.ts")), sign, "never mutated");
  assert.match(
    formatReport([report]),
    /lib\/sign\.ts: 61\.5% {2}7 killed, 1 timed out, 5 survived/,
  );
  assert.match(formatReport([report]), /lib\/sign\.ts:2:9 ">" -> ">="/);
  const sampled = await runMutants({
    root: folder.path,
    files: ["lib/sign.ts"],
    max: 3,
    seed: 7,
    ...limit,
  });
  assert.equal(sampled[0].results.length, 3);
  assert.equal(sampled[0].found, 13);
});
