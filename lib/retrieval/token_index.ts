/**
 * The token embeddings of many texts packed back to back, without padding: the form in
 * which a corpus is encoded once and then searched (`search.ts`), and the layout of
 * `lib/scores/packed_documents.ts`, so a BLAS search reads the same arrays.
 *
 * MaxSim multiplies masked positions by 0, it does not drop them: a document that had any
 * masked position (padding, skiplist) keeps a floor of 0 under every max. `masked`
 * records that, so scores on the index equal `maxsimScores` on the encoded batch.
 *
 * ```ts
 * const corpus = concatIndexes(await Promise.all(encodedBatches.map(indexFromBatch)));
 * indexSize(corpus); // number of documents
 * ```
 */
import type * as tf from "@tensorflow/tfjs";
import type { TokenEmbeddings } from "../scores/maxsim.ts";

/** Token vectors of many texts, back to back: text i owns rows offsets[i] to offsets[i+1]. */
export interface TokenEmbeddingIndex {
  dim: number;
  /** Row-major [total tokens, dim]. */
  vectors: Float32Array;
  /** Length texts + 1, starting at 0, non-decreasing. */
  offsets: Int32Array;
  /** Per text, 1 when its encoded form had masked positions (a floor of 0); absent = none. */
  masked?: Uint8Array;
}

/** Number of texts in an index. */
export function indexSize(index: TokenEmbeddingIndex): number {
  return index.offsets.length - 1;
}

/**
 * Throw, naming `name`, unless `index` is well formed: offsets from 0, one `masked` flag
 * per text, vectors matching the offsets, and every text with a token or a masked
 * position (a text with neither has no MaxSim score) unless `allowEmpty`.
 */
export function checkIndex(
  index: TokenEmbeddingIndex,
  name: string,
  options: { allowEmpty?: boolean } = {},
): void {
  const allowEmpty = options.allowEmpty ?? false;
  const { offsets, vectors, dim, masked } = index;
  if (offsets.length === 0 || offsets[0] !== 0) {
    throw new Error(`token_index.ts: ${name} offsets must start at 0`);
  }
  if (masked && masked.length !== offsets.length - 1) {
    throw new Error(
      `token_index.ts: ${name} has ${masked.length} masked flags for ${offsets.length - 1} texts`,
    );
  }
  for (let i = 0; i + 1 < offsets.length; i++) {
    const length = offsets[i + 1] - offsets[i];
    // A text with no token but a masked position scores 0, as maxsimScores gives it.
    if (length < 0 || (length === 0 && !allowEmpty && !masked?.[i])) {
      throw new Error(
        `token_index.ts: ${name} text ${i} has ${length} tokens and no masked position`,
      );
    }
  }
  if (vectors.length !== offsets[offsets.length - 1] * dim) {
    throw new Error(
      `token_index.ts: ${name} holds ${vectors.length} floats, offsets say ` +
        `${offsets[offsets.length - 1]} tokens of dim ${dim}`,
    );
  }
}

/** The scored tokens (mask not 0) of an encoded batch, as an index of its texts. */
export async function indexFromBatch(batch: TokenEmbeddings): Promise<TokenEmbeddingIndex> {
  const [count, length, dim] = batch.embeddings.shape;
  const [embeddings, mask] = await Promise.all([batch.embeddings.data(), batch.mask.data()]);
  const offsets = new Int32Array(count + 1);
  const masked = new Uint8Array(count);
  const kept: number[] = [];
  for (let text = 0; text < count; text++) {
    for (let token = 0; token < length; token++) {
      if (mask[text * length + token] !== 0) kept.push(text * length + token);
      else masked[text] = 1;
    }
    offsets[text + 1] = kept.length;
  }
  const vectors = new Float32Array(kept.length * dim);
  kept.forEach((row, i) => vectors.set(embeddings.subarray(row * dim, (row + 1) * dim), i * dim));
  return { dim, vectors, offsets, masked };
}

/** Pooled vectors [N, dim] as an index of one token per text: MaxSim becomes a dot product. */
export async function indexFromVectors(vectors: tf.Tensor2D): Promise<TokenEmbeddingIndex> {
  const [count, dim] = vectors.shape;
  const data = (await vectors.data()) as Float32Array;
  const offsets = Int32Array.from({ length: count + 1 }, (_, i) => i);
  return { dim, vectors: Float32Array.from(data), offsets };
}

/** Indexes of consecutive batches joined into one (texts keep their order). */
export function concatIndexes(parts: TokenEmbeddingIndex[]): TokenEmbeddingIndex {
  if (parts.length === 0) throw new Error("token_index.ts: no indexes to join");
  const dim = parts[0].dim;
  const offsets = [0];
  for (const part of parts) {
    if (part.dim !== dim) throw new Error(`token_index.ts: joining dims ${dim} and ${part.dim}`);
    const base = offsets[offsets.length - 1];
    for (let i = 1; i < part.offsets.length; i++) offsets.push(base + part.offsets[i]);
  }
  const vectors = new Float32Array(offsets[offsets.length - 1] * dim);
  const masked = new Uint8Array(offsets.length - 1);
  let [at, text] = [0, 0];
  for (const part of parts) {
    vectors.set(part.vectors, at);
    if (part.masked) masked.set(part.masked, text);
    at += part.vectors.length;
    text += indexSize(part);
  }
  return { dim, vectors, offsets: Int32Array.from(offsets), masked };
}
