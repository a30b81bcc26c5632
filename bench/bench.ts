/**
 * `deno task bench`: this machine's matrix ceiling (OpenBLAS sgemm), then MaxSim, a ColBERT
 * training step and encoding on every path, each as a ratio to the ceiling and to the plain
 * wasm backend, with each benchmark's peak resident memory.
 *
 * ```sh
 * deno task bench            # the tables (progress on stderr)
 * deno task bench --json     # the tables, then one JSON line of every figure
 * deno task bench --only 6x384   # just these rows (names: see {@link ONLY_NAMES})
 * deno task bench --only 6x384 --readme   # and write the README's speed section from them
 * COLBERT_TORCH_PYTHON=../venv/bin/python deno task bench   # PyTorch's rows from that Python
 * ```
 *
 * Each benchmark runs in its own process (bench/measure.ts): peaks are per benchmark and a
 * backend that cannot start (webgpu without an adapter, tensorflow not built, no torch) is
 * reported, not fatal.
 */
import { type BenchPath, MAXSIM_SHAPE, type Task } from "./measure.ts";
import { mebibytes, number, ratio, table } from "./report.ts";
import { TRAIN_MODELS, type TrainModel, trainShape } from "./train_shapes.ts";
import { measureTorch } from "./torch_bench.ts";
import { type SpeedFigures, writeSpeedSection } from "./readme_speed.ts";

type Measured = Record<string, number | string | undefined> & { error?: string };

// tensorflow (tfjs-node) is optional: its row says so where it is not installed.
const PATHS: BenchPath[] = ["cpu", "wasm", "wasm+openblas", "webgpu", "tensorflow"];
const MAXSIM_DOCUMENTS = 10_000;
const PADDED_DOCUMENTS = 1_000;
const STREAM_DOCUMENTS = 100_000;
// Encoding is timed on the small profile's student (2 x 64), the 6 x 384 encoders and
// ModernBERT-base's shape.
const ENCODE_MODELS: TrainModel[] = ["default", "teacher", "6x384", "base"];
const BLAS_MAXSIM = "packed, a chunk per core: OpenBLAS + wasm SIMD max";
const FALLBACK_MAXSIM = "packed, tfjs wasm matMul (fallback)";

/**
 * What `--only` may name, comma-separated: a section, one model's training or encoding rows
 * (`train:6x384`, `encode:teacher`), or `6x384`, issue 14's pair (the 6 x 384 step at batch
 * 16 x (32 + 128) and the encoding of 64 documents of 180 tokens). PyTorch's rows come with
 * the models they compare with.
 */
export const ONLY_NAMES: Record<string, string[]> = {
  sgemm: ["sgemm"],
  maxsim: ["maxsim"],
  rank: ["rank"],
  train: TRAIN_MODELS.map((model) => `train:${model}`),
  encode: ENCODE_MODELS.map((model) => `encode:${model}`),
  "6x384": ["train:6x384", "encode:6x384"],
  ...Object.fromEntries(TRAIN_MODELS.map((model) => [`train:${model}`, [`train:${model}`]])),
  ...Object.fromEntries(ENCODE_MODELS.map((model) => [`encode:${model}`, [`encode:${model}`]])),
};

/** The rows `--only <names>` selects (every row without it); throws on an unknown name. */
export function selectedRows(args: string[]): Set<string> {
  const at = args.indexOf("--only");
  if (at < 0) return new Set(Object.values(ONLY_NAMES).flat());
  const names = (args[at + 1] ?? "").split(",").filter((name) => name);
  const unknown = names.filter((name) => !(name in ONLY_NAMES));
  if (names.length === 0 || unknown.length) {
    throw new Error(
      `--only ${unknown.join(",") || "(nothing)"}: name one or more of ` +
        Object.keys(ONLY_NAMES).join(", "),
    );
  }
  return new Set(names.flatMap((name) => ONLY_NAMES[name]));
}

async function run(task: Task): Promise<Measured> {
  const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./measure.ts", import.meta.url).pathname, JSON.stringify(task)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const last = new TextDecoder().decode(stdout).trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(last);
  } catch {
    const reason = new TextDecoder().decode(stderr).trim().split("\n").at(-1);
    return { error: `measure.ts printed no result (${reason ?? "no output"})` };
  }
}

function num(m: Measured | undefined, key: string): number | undefined {
  const value = m?.[key];
  return typeof value === "number" ? value : undefined;
}

function failed(m: Measured): string {
  return m.error ? `  (failed: ${m.error.slice(0, 40)}...)` : "";
}

/** Every measurement of one bench run (a section `--only` left out is empty). */
interface Results {
  sgemm: { first: Measured; last: Measured; oneCore: Measured };
  packed: Record<string, Measured>;
  padded: Record<string, Measured>;
  stream: Measured;
  train: Record<string, Record<string, Measured>>;
  encode: Record<string, Record<string, Measured>>;
}

/**
 * Whether `path` is timed on `model`: the plain `cpu` backend takes minutes a step on all but
 * the small encoder, and on the 6 x 384 one so do plain wasm and webgpu on mesa's software
 * adapter (one call of encoding took 159 and 372 s here), so it gets the two fast CPU paths.
 * On a real GPU, time webgpu there with measure.ts.
 */
function worthTiming(model: TrainModel, path: BenchPath): boolean {
  if (path === "cpu") return model === "small";
  const large = model === "teacher" || model === "6x384" || model === "base";
  return !large || path === "wasm+openblas" || path === "tensorflow";
}

// PyTorch's rows: the training step on these models, encoding on ENCODE_MODELS.
const TORCH_TRAIN_MODELS: TrainModel[] = ["default", "teacher", "6x384", "base"];

async function collect(rows: Set<string>): Promise<Results> {
  const note = (message: string) => console.error(`... ${message}`);
  const none = {};
  let first: Measured = none, oneCore: Measured = none, stream: Measured = none;
  if (rows.has("sgemm")) {
    note("sgemm ceiling");
    first = await run({ kind: "sgemm" });
    oneCore = await run({ kind: "sgemm", threads: 1 });
  }
  const packed: Record<string, Measured> = {};
  const padded: Record<string, Measured> = {};
  if (rows.has("maxsim")) {
    note(`MaxSim, ${MAXSIM_DOCUMENTS.toLocaleString("en-US")} packed documents`);
    packed[BLAS_MAXSIM] = await run({
      kind: "maxsim-packed",
      blas: true,
      documents: MAXSIM_DOCUMENTS,
    });
    packed[FALLBACK_MAXSIM] = await run({
      kind: "maxsim-packed",
      blas: false,
      documents: PADDED_DOCUMENTS,
    });
    for (const path of PATHS) {
      note(`MaxSim, padded, ${path}`);
      padded[path] = await run({ kind: "maxsim-padded", path, documents: PADDED_DOCUMENTS });
    }
  }
  if (rows.has("rank")) {
    note(`ranking ${STREAM_DOCUMENTS.toLocaleString("en-US")} streamed documents`);
    stream = await run({ kind: "rank-stream", documents: STREAM_DOCUMENTS });
  }
  const train: Results["train"] = {};
  for (const model of TRAIN_MODELS.filter((model) => rows.has(`train:${model}`))) {
    train[model] = {};
    for (const path of PATHS.filter((path) => worthTiming(model, path))) {
      note(`training step, ${model} model, ${path}`);
      train[model][path] = await run({ kind: "train", path, model });
    }
  }
  const encode: Results["encode"] = {};
  for (const model of ENCODE_MODELS.filter((model) => rows.has(`encode:${model}`))) {
    encode[model] = {};
    for (const path of PATHS.filter((path) => worthTiming(model, path))) {
      note(`encoding, ${model} model, ${path}`);
      encode[model][path] = await run({ kind: "encode", path, model });
    }
  }
  // PyTorch beside them, on the same shapes (a row of its own where torch is missing).
  for (const model of TRAIN_MODELS) {
    const parts = [
      ...(TORCH_TRAIN_MODELS.includes(model) && train[model] ? ["train" as const] : []),
      ...(encode[model] ? ["encode" as const] : []),
    ];
    if (parts.length === 0) continue;
    note(`${parts.join(" and ")}, ${model} model, pytorch`);
    const torch = await measureTorch(trainShape(model).shape, parts);
    if (torch.train) train[model].pytorch = torch.train;
    if (torch.encode) encode[model].pytorch = torch.encode;
  }
  await compareAgain(train["6x384"], encode["6x384"], note);
  const last = rows.has("sgemm") ? await run({ kind: "sgemm" }) : none;
  return { sgemm: { first, last, oneCore }, packed, padded, stream, train, encode };
}

/** Rounds of issue 14's comparison (tensorflow, then PyTorch, each round); the best of each counts. */
const COMPARISON_ROUNDS = 3;

/** The faster of two measurements of one thing (one that failed loses). */
function faster(a: Measured | undefined, b: Measured): Measured {
  return (num(b, "tokensPerSecond") ?? 0) > (num(a, "tokensPerSecond") ?? 0) ? b : a ?? b;
}

/**
 * More rounds of the 6 x 384 comparison, tensorflow and PyTorch alternating, keeping each
 * side's best: other processes share this machine's two cores, and a burst of load during
 * one side's only window would decide the ratio.
 */
async function compareAgain(
  train: Record<string, Measured> | undefined,
  encode: Record<string, Measured> | undefined,
  note: (message: string) => void,
): Promise<void> {
  const path = "tensorflow";
  for (let round = 2; round <= COMPARISON_ROUNDS; round++) {
    for (const [rows, kind] of [[train, "train"], [encode, "encode"]] as const) {
      if (!rows?.[path]) continue;
      note(`round ${round}/${COMPARISON_ROUNDS}: ${kind}, 6x384 model, ${path}`);
      rows[path] = faster(rows[path], await run({ kind, path, model: "6x384" }));
    }
    const parts = [
      ...(train?.pytorch ? ["train" as const] : []),
      ...(encode?.pytorch ? ["encode" as const] : []),
    ];
    if (parts.length === 0) continue;
    note(`round ${round}/${COMPARISON_ROUNDS}: ${parts.join(" and ")}, 6x384 model, pytorch`);
    const torch = await measureTorch(trainShape("6x384").shape, parts);
    if (train && torch.train) train.pytorch = faster(train.pytorch, torch.train);
    if (encode && torch.encode) encode.pytorch = faster(encode.pytorch, torch.encode);
  }
}

/**
 * The better of the two ceiling measurements (start and end): other processes share the
 * cores, and a low ceiling would flatter every ratio.
 */
function ceilingOf(r: Results): number | undefined {
  return Math.max(num(r.sgemm.first, "gflops") ?? 0, num(r.sgemm.last, "gflops") ?? 0) ||
    undefined;
}

function printTables(r: Results): void {
  const ceiling = ceilingOf(r);
  if (r.sgemm.first.config || r.sgemm.first.error) printMaxSim(r, ceiling);
  printSteps(r, ceiling);
}

function printMaxSim(r: Results, ceiling: number | undefined): void {
  console.log(`OpenBLAS: ${r.sgemm.first.config ?? "not found"}${failed(r.sgemm.first)}`);
  console.log(
    `Ceiling: sgemm 2048 x 2048, all cores ${number(ceiling)} GFLOP/s (start ` +
      `${number(num(r.sgemm.first, "gflops"))}, end ${number(num(r.sgemm.last, "gflops"))}); ` +
      `one core ${number(num(r.sgemm.oneCore, "gflops"))} GFLOP/s\n`,
  );
  console.log(
    `MaxSim: ${MAXSIM_SHAPE.queryLength} x ${MAXSIM_SHAPE.dim} query tokens against documents ` +
      `of ${Math.ceil(MAXSIM_SHAPE.maxLength / 5)}-${MAXSIM_SHAPE.maxLength} tokens. GFLOP/s ` +
      `count real tokens only; "vs wasm" compares documents/s with lib/scores/maxsim.ts on wasm.`,
  );
  const wasmMaxSim = num(r.padded.wasm, "documentsPerSecond");
  const maxsimRows = [
    ...Object.entries(r.packed),
    ...PATHS.map((path) => [`padded lib/scores/maxsim.ts, ${path}`, r.padded[path]] as const),
  ].map(([name, m]) => [
    `${name}${failed(m)}`,
    number(num(m, "documents")),
    number(num(m, "documentsPerSecond")),
    number(num(m, "gflops")),
    ratio(num(m, "gflops"), ceiling),
    ratio(num(m, "documentsPerSecond"), wasmMaxSim),
    mebibytes(num(m, "peakResidentBytes")),
  ]);
  console.log(table(
    ["path", "documents", "docs/s", "GFLOP/s", "of ceiling", "vs wasm", "peak RSS"],
    maxsimRows,
  ));
  const blas = r.packed[BLAS_MAXSIM];
  console.log(
    `OpenBLAS MaxSim against the ceiling measured in its own process, alternating with it: ` +
      `${number(num(blas, "gflops"))} / ${number(num(blas, "ceilingSameProcess"))} GFLOP/s = ` +
      `${ratio(num(blas, "gflops"), num(blas, "ceilingSameProcess"))}`,
  );
  console.log(
    `\nRanking ${number(num(r.stream, "documents"))} documents streamed in chunks of 1,000 ` +
      `(top 10, OpenBLAS path): ${number(num(r.stream, "documentsPerSecond"))} docs/s, ` +
      `${number(num(r.stream, "gflops"))} GFLOP/s; peak RSS ` +
      `${mebibytes(num(r.stream, "peakAfterTenth"))} after a tenth, ` +
      `${mebibytes(num(r.stream, "peakAfterAll"))} after all${failed(r.stream)}\n`,
  );
}

function printSteps(r: Results, ceiling: number | undefined): void {
  for (const [model, measured] of Object.entries(r.train)) {
    const rows = Object.entries(measured).map(([path, m]) => [
      `${path}${failed(m)}`,
      number(num(m, "tokensPerSecond")),
      number(num(m, "secondsPerStep")),
      number(num(m, "gflops")),
      ratio(num(m, "gflops"), ceiling),
      ratio(num(m, "tokensPerSecond"), num(measured.wasm, "tokensPerSecond")),
      mebibytes(num(m, "peakResidentBytes")),
    ]);
    const source = Object.values(measured).find((m) => m.source)?.source;
    console.log(`Training step, ${model} model: ${source ?? ""}`);
    console.log(table(
      ["path", "tokens/s", "s/step", "GFLOP/s", "of ceiling", "vs wasm", "peak RSS"],
      rows,
    ));
    console.log();
  }
  for (const [model, measured] of Object.entries(r.encode)) {
    const rows = Object.entries(measured).map(([path, m]) => [
      `${path}${failed(m)}`,
      number(num(m, "tokensPerSecond")),
      number(num(m, "secondsPerCall")),
      number(num(m, "gflops")),
      ratio(num(m, "gflops"), ceiling),
      ratio(num(m, "tokensPerSecond"), num(measured.wasm, "tokensPerSecond")),
      mebibytes(num(m, "peakResidentBytes")),
    ]);
    const source = Object.values(measured).find((m) => m.source)?.source;
    console.log(`Encoding, ${model} model: ${source ?? ""}`);
    console.log(table(
      ["path", "tokens/s", "s/call", "GFLOP/s", "of ceiling", "vs wasm", "peak RSS"],
      rows,
    ));
    console.log();
  }
}

/** The `--json` line: the keys first, then every measurement. */
function summary(r: Results): Record<string, unknown> {
  const fastest = (entries: [string, Measured][], key: string) =>
    entries.filter(([, m]) => num(m, key)).sort((a, b) => num(b[1], key)! - num(a[1], key)!)[0];
  const maxsim = fastest([...Object.entries(r.packed), ...Object.entries(r.padded)], "gflops");
  // The suite's own fastest path: PyTorch's row is a comparison, not a path of the suite.
  const suiteBest = (rows: Record<string, Measured> | undefined) =>
    fastest(Object.entries(rows ?? {}).filter(([path]) => path !== "pytorch"), "tokensPerSecond");
  const train = suiteBest(r.train.default);
  const blas = r.packed[BLAS_MAXSIM];
  return {
    sgemm_gflops: ceilingOf(r),
    maxsim_gflops: num(maxsim?.[1], "gflops"),
    train_tokens_per_s: num(train?.[1], "tokensPerSecond"),
    train_tokens_per_s_wasm: num(r.train.default?.wasm, "tokensPerSecond"),
    // Issue 14: the 6 x 384 step (batch 16 x (32 + 128)) and encoding (64 x 180 tokens).
    train_tokens_per_s_6x384: num(suiteBest(r.train["6x384"])?.[1], "tokensPerSecond"),
    train_tokens_per_s_6x384_torch: num(r.train["6x384"]?.pytorch, "tokensPerSecond"),
    encode_tokens_per_s_6x384: num(suiteBest(r.encode["6x384"])?.[1], "tokensPerSecond"),
    encode_tokens_per_s_6x384_torch: num(r.encode["6x384"]?.pytorch, "tokensPerSecond"),
    train_path_6x384: suiteBest(r.train["6x384"])?.[0],
    encode_path_6x384: suiteBest(r.encode["6x384"])?.[0],
    sgemm_gflops_one_core: num(r.sgemm.oneCore, "gflops"),
    openblas: r.sgemm.first.config,
    maxsim_path: maxsim?.[0],
    maxsim_docs_per_s: num(maxsim?.[1], "documentsPerSecond"),
    maxsim_gflops_wasm: num(r.padded.wasm, "gflops"),
    maxsim_ratio_to_ceiling_same_process: (num(blas, "gflops") ?? 0) /
      (num(blas, "ceilingSameProcess") ?? Infinity),
    train_path: train?.[0],
    maxsim_packed: r.packed,
    maxsim_padded: r.padded,
    rank_stream: r.stream,
    train: r.train,
    encode: r.encode,
  };
}

if (import.meta.main) {
  const load = (await Deno.readTextFile("/proc/loadavg").catch(() => "? ")).split(" ")[0];
  const results = await collect(selectedRows(Deno.args));
  printTables(results);
  const figures = summary(results);
  if (Deno.args.includes("--json")) console.log(JSON.stringify(figures));
  if (Deno.args.includes("--readme")) await writeSpeedSection(figures as SpeedFigures, load);
}
