/**
 * The safetensors format, read and written without a library (none exists for Deno):
 * 8-byte little-endian header length, a JSON header mapping each tensor name to its
 * dtype, shape and byte range, then the raw little-endian data.
 *
 * Reading accepts F32, F16, BF16, I32 and I64 (the dtypes of real checkpoints; BERT folders
 * carry an I64 `position_ids` buffer) and returns float32 or int32 arrays; writing emits F32
 * and I32, exactly round-tripping.
 */

/** One tensor as plain data. */
export interface NamedArray {
  shape: number[];
  data: Float32Array | Int32Array;
}

/** Tensors by name plus the free-form string metadata safetensors allows. */
export interface SafetensorsContent {
  tensors: Map<string, NamedArray>;
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const BYTES_PER_ELEMENT: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I32: 4, I64: 8 };

/** Serialise tensors (in the map's order) and metadata to safetensors bytes. */
export function encodeSafetensors(content: SafetensorsContent): Uint8Array {
  const header: Record<string, HeaderEntry | Record<string, string>> = {};
  if (Object.keys(content.metadata).length > 0) header.__metadata__ = content.metadata;
  let offset = 0;
  for (const [name, { shape, data }] of content.tensors) {
    const expected = shape.reduce((a, b) => a * b, 1);
    if (expected !== data.length) {
      throw new Error(
        `tensor '${name}': shape [${shape}] needs ${expected} values, got ${data.length}`,
      );
    }
    const dtype = data instanceof Float32Array ? "F32" : "I32";
    header[name] = { dtype, shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  // The header is padded with spaces to a multiple of 8 bytes so the data stays aligned.
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const { data } of content.tensors.values()) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), position);
    position += data.byteLength;
  }
  return out;
}

/** Parse safetensors bytes; `source` names the file in every error. */
export function decodeSafetensors(bytes: Uint8Array, source: string): SafetensorsContent {
  const fail = (what: string): never => {
    throw new Error(`${source}: not a valid safetensors file: ${what}`);
  };
  if (bytes.length < 8) fail(`only ${bytes.length} bytes`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  if (headerLength > bytes.length - 8) fail(`header length ${headerLength} exceeds the file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    return fail(`header is not JSON (${(error as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, NamedArray>();
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  for (const [name, value] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype, shape, data_offsets: [begin, end] } = value as HeaderEntry;
    const size = BYTES_PER_ELEMENT[dtype] ??
      fail(`tensor '${name}' has unsupported dtype ${dtype}`);
    const count = shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * size) fail(`tensor '${name}' byte range does not match its shape`);
    if (dataStart + end > bytes.length) fail(`tensor '${name}' runs past the end (truncated?)`);
    const raw = bytes.slice(dataStart + begin, dataStart + end);
    tensors.set(name, { shape, data: toArray(dtype, raw.buffer) });
  }
  return { tensors, metadata };
}

function toArray(dtype: string, buffer: ArrayBuffer): Float32Array | Int32Array {
  if (dtype === "F32") return new Float32Array(buffer);
  if (dtype === "I32") return new Int32Array(buffer);
  if (dtype === "I64") return Int32Array.from(new BigInt64Array(buffer), Number);
  const halves = new Uint16Array(buffer);
  const out = new Float32Array(halves.length);
  const widen = dtype === "BF16" ? bf16ToFloat : f16ToFloat;
  for (let i = 0; i < halves.length; i++) out[i] = widen(halves[i]);
  return out;
}

const scratch = new DataView(new ArrayBuffer(4));

/** bfloat16 is the top half of a float32. */
function bf16ToFloat(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}

/** IEEE half precision, subnormals and infinities included. */
function f16ToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
