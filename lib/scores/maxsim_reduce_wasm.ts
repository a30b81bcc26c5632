/**
 * The reduction half of MaxSim as a WebAssembly SIMD kernel, assembled here from its
 * opcodes (no toolchain needed, nothing downloaded).
 *
 * Input: dot products row-major [rows, tokens], one row per query token, one column per
 * document token; document `d` owns columns `offsets[d] .. offsets[d + 1]`; rows come in
 * groups of `rowsPerQuery` (one group per query). Output: `out[q * count + d] +=`, over
 * the rows `r` of query `q`, `max(floors[d], max over d's columns of row r)`. A floor of 0
 * is how a masked position (scored 0, not dropped) takes part in the max.
 *
 * Plain JavaScript reduces at about 1 G values/s, as slow as the matrix product before it;
 * here four independent 4-wide max chains keep the vector unit busy (one chain waits on
 * the latency of each max). The last vector load of a document overlaps the one before,
 * harmless for a max, so no scalar tail is needed past 4 columns.
 *
 * ```text
 * for r in 0..rows:
 *   for d in 0..count:
 *     p, end = row r's columns of d;  x = -inf
 *     if end - p >= 16 bytes:
 *       m0..m3 = v128.load(end - 16)
 *       while p + 64 <= end: m0..m3 = f32x4.pmax(m0..m3, v128.load(p + 0/16/32/48)); p += 64
 *       while p + 16 <= end: m0 = f32x4.pmax(m0, v128.load(p)); p += 16
 *       x = max of the lanes of pmax(pmax(m0, m1), pmax(m2, m3)); p = end
 *     while p < end: x = f32.max(x, f32.load(p)); p += 4
 *     out[(r / rowsPerQuery) * count + d] += f32.max(x, floors[d])
 * ```
 */

// Opcodes (WebAssembly core + SIMD), named as in the text format.
const I32 = 0x7f, F32 = 0x7d, V128 = 0x7b, VOID = 0x40;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b;
const LOCAL_GET = 0x20, LOCAL_SET = 0x21, LOCAL_TEE = 0x22;
const I32_LOAD = 0x28, F32_LOAD = 0x2a, F32_STORE = 0x38, I32_CONST = 0x41, F32_CONST = 0x43;
const I32_LT_U = 0x49, I32_GT_U = 0x4b, I32_GE_U = 0x4f;
const I32_ADD = 0x6a, I32_SUB = 0x6b, I32_MUL = 0x6c, I32_DIV_U = 0x6e, I32_SHL = 0x74;
const F32_ADD = 0x92, F32_MAX = 0x97;
const V128_LOAD = [0xfd, 0x00], F32X4_PMAX = [0xfd, 0xeb, 0x01];
const lane = (index: number) => [0xfd, 0x1f, index]; // f32x4.extract_lane

// Locals: the parameters, then the function's own.
const SCORES = 0, ROWS = 1, OFFSETS = 2, COUNT = 3, FLOORS = 4, PER_QUERY = 5, OUT = 6;
const ROW = 7, ROW_BASE = 8, DOC = 9, P = 10, END_P = 11, ROW_BYTES = 12, TARGET = 13;
const X = 14, M0 = 15, M1 = 16, M2 = 17, M3 = 18;
const LOCALS = [3, 7, I32, 1, F32, 4, V128]; // row rowBase doc p end rowBytes target | x | m0-3

function uleb(value: number): number[] {
  const bytes: number[] = [];
  do {
    const byte = value & 0x7f;
    value >>>= 7;
    bytes.push(value ? byte | 0x80 : byte);
  } while (value);
  return bytes;
}

/** Signed LEB128 (i32.const immediates are signed: 64 needs two bytes). */
function sleb(value: number): number[] {
  const bytes: number[] = [];
  while (true) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && !(byte & 0x40)) || (value === -1 && (byte & 0x40));
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

const get = (local: number) => [LOCAL_GET, local];
const set = (local: number) => [LOCAL_SET, local];
const i32 = (value: number) => [I32_CONST, ...sleb(value)];
/** memarg: alignment hint 4 bytes (always valid), byte offset. */
const memarg = (offset: number) => [2, ...uleb(offset)];
const addTo = (
  local: number,
  value: number,
) => [...get(local), ...i32(value), I32_ADD, ...set(local)];
/** `m = pmax(m, v128.load(p + offset))`. */
const maxLoad = (m: number, offset: number) => [
  ...get(m),
  ...get(P),
  ...V128_LOAD,
  ...memarg(offset),
  ...F32X4_PMAX,
  ...set(m),
]; // deno-fmt-ignore
/** `rowBase + offsets[doc + which] * 4`: where a document's columns start or end. */
// deno-fmt-ignore
const column = (which: number) => [
  ...get(ROW_BASE), ...get(OFFSETS), ...get(DOC), ...i32(2), I32_SHL, I32_ADD,
  I32_LOAD, ...memarg(4 * which), ...i32(2), I32_SHL, I32_ADD,
];
/** `while (p + step <= end) { body; p += step }`. */
const strideLoop = (step: number, body: number[]) => [
  BLOCK,
  VOID,
  LOOP,
  VOID,
  ...get(P),
  ...i32(step),
  I32_ADD,
  ...get(END_P),
  I32_GT_U,
  BR_IF,
  1,
  ...body,
  ...addTo(P, step),
  BR,
  0,
  END,
  END,
]; // deno-fmt-ignore

// deno-fmt-ignore
const body = [
  ...get(OFFSETS), ...get(COUNT), ...i32(2), I32_SHL, I32_ADD, I32_LOAD, ...memarg(0),
  ...i32(2), I32_SHL, ...set(ROW_BYTES),
  ...get(SCORES), ...set(ROW_BASE),
  BLOCK, VOID, LOOP, VOID, // rows
  ...get(ROW), ...get(ROWS), I32_GE_U, BR_IF, 1,
  ...i32(0), ...set(DOC),
  BLOCK, VOID, LOOP, VOID, // documents
  ...get(DOC), ...get(COUNT), I32_GE_U, BR_IF, 1,
  ...column(0), ...set(P),
  ...column(1), ...set(END_P),
  F32_CONST, 0x00, 0x00, 0x80, 0xff, ...set(X), // -Infinity
  BLOCK, VOID, // vector part, skipped for fewer than 4 columns
  ...get(END_P), ...get(P), I32_SUB, ...i32(16), I32_LT_U, BR_IF, 0,
  ...get(END_P), ...i32(16), I32_SUB, ...V128_LOAD, ...memarg(0),
  LOCAL_TEE, M0, LOCAL_TEE, M1, LOCAL_TEE, M2, ...set(M3),
  ...strideLoop(64, [...maxLoad(M0, 0), ...maxLoad(M1, 16), ...maxLoad(M2, 32), ...maxLoad(M3, 48)]),
  ...strideLoop(16, maxLoad(M0, 0)),
  ...get(M0), ...get(M1), ...F32X4_PMAX, ...get(M2), ...get(M3), ...F32X4_PMAX, ...F32X4_PMAX,
  ...set(M0),
  ...get(M0), ...lane(0), ...get(M0), ...lane(1), F32_MAX,
  ...get(M0), ...lane(2), ...get(M0), ...lane(3), F32_MAX, F32_MAX, ...set(X),
  ...get(END_P), ...set(P),
  END,
  ...strideLoop(4, [...get(X), ...get(P), F32_LOAD, ...memarg(0), F32_MAX, ...set(X)]),
  // target = out + ((row / perQuery) * count + doc) * 4
  ...get(OUT), ...get(ROW), ...get(PER_QUERY), I32_DIV_U, ...get(COUNT), I32_MUL, ...get(DOC),
  I32_ADD, ...i32(2), I32_SHL, I32_ADD, LOCAL_TEE, TARGET,
  ...get(TARGET), F32_LOAD, ...memarg(0),
  ...get(X), ...get(FLOORS), ...get(DOC), ...i32(2), I32_SHL, I32_ADD, F32_LOAD, ...memarg(0),
  F32_MAX, F32_ADD, F32_STORE, ...memarg(0),
  ...addTo(DOC, 1),
  BR, 0, END, END,
  ...get(ROW_BASE), ...get(ROW_BYTES), I32_ADD, ...set(ROW_BASE),
  ...addTo(ROW, 1),
  BR, 0, END, END,
  END,
];

const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
const name = (text: string) => [...uleb(text.length), ...new TextEncoder().encode(text)];
const code = [...LOCALS, ...body];

const MODULE_BYTES = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
  ...section(1, [1, 0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0]), // type: (i32 x7) -> ()
  ...section(2, [1, ...name("env"), ...name("memory"), 0x02, 0x00, 0]), // import memory
  ...section(3, [1, 0]), // function 0 has type 0
  ...section(7, [1, ...name("maxsim_reduce"), 0x00, 0]), // export function 0
  ...section(10, [1, ...uleb(code.length), ...code]), // code
]);

/** Byte addresses (in the kernel's memory) and sizes of one reduction. */
export interface ReduceArgs {
  /** f32 [rows, offsets[count]]. */
  scores: number;
  rows: number;
  /** i32 [count + 1]. */
  offsets: number;
  count: number;
  /** f32 [count]: 0 where the document had masked positions, -Infinity elsewhere. */
  floors: number;
  rowsPerQuery: number;
  /** f32 [rows / rowsPerQuery, count], added to. */
  out: number;
}

/** Instantiate the kernel over `memory`; returns the reduction as a function. */
export function maxSimReduceKernel(memory: WebAssembly.Memory): (args: ReduceArgs) => void {
  const module = new WebAssembly.Module(MODULE_BYTES);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const reduce = instance.exports.maxsim_reduce as (...args: number[]) => void;
  return (a) => reduce(a.scores, a.rows, a.offsets, a.count, a.floors, a.rowsPerQuery, a.out);
}
