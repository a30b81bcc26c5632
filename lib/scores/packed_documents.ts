/**
 * Documents' token vectors stored back to back, without padding, for MaxSim.
 *
 * A padded batch [count, length, dim] spends work on padding; packing keeps only the
 * tokens the mask keeps. MaxSim multiplies masked positions by 0 (it does not drop them),
 * so a document that had masked positions keeps a floor of 0 under its max: `masked`
 * records that, and scores on packed documents equal scores on the padded batch.
 *
 * ```ts
 * // 2 documents of up to 3 tokens, dim 2; the second has one masked (padding) position
 * const docs = packDocuments(new Float32Array([1,0, 0,1, 1,1,  2,0, 0,2, 9,9]),
 *   { mask: [1,1,1, 1,1,0], count: 2, length: 3, dim: 2 });
 * // docs.offsets = [0, 3, 5]; docs.masked = [0, 1]; docs.vectors has 5 rows
 * ```
 */

/** Token vectors of several documents, [tokens, dim] row-major, no padding. */
export interface PackedDocuments {
  vectors: Float32Array;
  /** Document `d` owns rows `offsets[d] .. offsets[d + 1]`; length count + 1. */
  offsets: Int32Array;
  dim: number;
  /** Per document, 1 when positions of its padded form were masked (they score 0). */
  masked?: Uint8Array;
}

/** Number of documents in `docs`. */
export function documentCount(docs: PackedDocuments): number {
  return docs.offsets.length - 1;
}

/** Shape and mask of a padded batch given to {@link packDocuments}. */
export interface PaddedShape {
  /** [count, length], 1 = a token that is scored, 0 = masked (padding, skiplist). */
  mask: ArrayLike<number>;
  count: number;
  length: number;
  dim: number;
}

/** Pack a padded batch [count, length, dim], keeping the tokens the mask keeps. */
export function packDocuments(padded: Float32Array, shape: PaddedShape): PackedDocuments {
  const { mask, count, length, dim } = shape;
  if (padded.length !== count * length * dim || mask.length !== count * length) {
    throw new Error(
      `packed_documents.ts: padded batch has ${padded.length} values and a mask of ` +
        `${mask.length}, expected [${count}, ${length}, ${dim}] and [${count}, ${length}]`,
    );
  }
  let kept = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i]) kept++;
  const vectors = new Float32Array(kept * dim);
  const offsets = new Int32Array(count + 1);
  const masked = new Uint8Array(count);
  let row = 0;
  for (let d = 0; d < count; d++) {
    for (let t = 0; t < length; t++) {
      const position = d * length + t;
      if (!mask[position]) {
        masked[d] = 1;
        continue;
      }
      vectors.set(padded.subarray(position * dim, (position + 1) * dim), row * dim);
      row++;
    }
    offsets[d + 1] = row;
  }
  return { vectors, offsets, dim, masked };
}

/** Documents `start .. end` of `docs` as their own packed set (views, no copy). */
export function sliceDocuments(docs: PackedDocuments, start: number, end: number): PackedDocuments {
  const first = docs.offsets[start];
  const offsets = docs.offsets.slice(start, end + 1).map((offset) => offset - first);
  return {
    vectors: docs.vectors.subarray(first * docs.dim, docs.offsets[end] * docs.dim),
    offsets,
    dim: docs.dim,
    masked: docs.masked?.subarray(start, end),
  };
}
