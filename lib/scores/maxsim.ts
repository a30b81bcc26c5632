/**
 * MaxSim, the late-interaction score of ColBERT: for every query token, the largest dot
 * product with any document token, summed over the query tokens.
 *
 * Masks multiply, they do not exclude (as in PyLate's `colbert_scores`): a query token
 * with mask 0 adds 0, and a document token with mask 0 has a dot product of 0, which wins
 * the max when every scored token of that document is negative. Query expansion
 * ([MASK]) tokens carry mask 1 and are scored; skiplist and padding tokens of documents
 * carry mask 0. Embeddings arrive L2-normalised from the model; nothing here normalises.
 *
 * ```ts
 * // 1-d tokens. query [[1], [2]]; document [[3], [-1]]: 1·3 + 2·3 = 9
 * const q = { embeddings: tf.tensor3d([[[1], [2]]]), mask: tf.tensor2d([[1, 1]]) };
 * const d = { embeddings: tf.tensor3d([[[3], [-1]]]), mask: tf.tensor2d([[1, 1]]) };
 * maxsimScores(q, d); // [[9]]
 * ```
 */
import * as tf from "@tensorflow/tfjs";

/** Token embeddings [B, L, dim] of a batch of texts and their scoring mask [B, L] (1 = scored). */
export interface TokenEmbeddings {
  embeddings: tf.Tensor3D;
  mask: tf.Tensor2D;
}

/** Documents grouped per query: embeddings [B, K, L, dim], scoring mask [B, K, L]. */
export interface GroupedTokenEmbeddings {
  embeddings: tf.Tensor4D;
  mask: tf.Tensor3D;
}

/** Swap the last two axes. */
function transposeLast(x: tf.Tensor): tf.Tensor {
  const axes = x.shape.map((_, i) => i);
  [axes[x.rank - 2], axes[x.rank - 1]] = [axes[x.rank - 1], axes[x.rank - 2]];
  return tf.transpose(x, axes);
}

/**
 * `a` [..., m, k] times `b` [..., n, k] transposed -> [..., m, n], forward and backward
 * as plain products of explicitly transposed operands. On tfjs-wasm 4.22 a [2048, 128] x
 * [128, 4096] product ran at 15 GFLOP/s plain, 2.4 with `transposeB` and 0.5 with
 * `transposeA`, the flags the built-in gradient of `matMul(a, b, false, true)` uses: the
 * in-batch MaxSim forward + backward became about 10x faster.
 */
export function dotProducts<T extends tf.Tensor>(a: T, b: T): T {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, y, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([x, y]);
    return {
      value: tf.matMul(x, transposeLast(y)),
      gradFunc: (dy: tf.Tensor, [savedX, savedY]: tf.Tensor[]) => [
        tf.matMul(dy, savedY),
        tf.matMul(transposeLast(dy), savedX),
      ],
    };
  });
  return op(a, b) as T;
}

/**
 * Dot products of every query token with every document token: q [B, Lq, dim] and
 * d [N, Ld, dim] -> [B, Lq, N, Ld], as one matrix product.
 */
function tokenSimilarities(q: tf.Tensor3D, d: tf.Tensor3D): tf.Tensor4D {
  const [batch, queryLength, dim] = q.shape;
  const [count, documentLength, documentDim] = d.shape;
  if (dim !== documentDim) {
    throw new Error(`maxsim.ts: query dim ${dim} differs from document dim ${documentDim}`);
  }
  const flat = dotProducts(
    q.reshape([batch * queryLength, dim]),
    d.reshape([count * documentLength, dim]),
  );
  return flat.reshape([batch, queryLength, count, documentLength]);
}

/**
 * Max over the last axis whose gradient goes to one maximum (the first), as PyTorch's
 * `max(dim)` does. tfjs's own `max` gradient feeds every tied maximum, which would count
 * twice a document token that appears twice with the same vector. Works on a 2-d view:
 * tfjs-wasm reduces the last axis of a 2-d tensor far faster than of a 4-d one.
 */
export function maxLastAxis<T extends tf.Tensor>(x: tf.Tensor): T {
  const length = x.shape[x.rank - 1];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([input]);
    return {
      value: tf.max(input, 1),
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => {
        // oneHot then cast: the wasm backend ignores oneHot's dtype argument (tfjs 4.22).
        const winner = tf.cast(tf.oneHot(tf.argMax(saved, 1), length), "float32");
        return tf.mul(tf.expandDims(dy, 1), winner);
      },
    };
  });
  return (op(x.reshape([-1, length])) as tf.Tensor).reshape(x.shape.slice(0, -1)) as T;
}

/**
 * Token vectors with masked tokens set to zero: every dot product with a masked token is
 * then 0, the same as multiplying the similarities by the masks (PyLate's way), but on
 * the embeddings instead of the far larger similarity tensor.
 */
function zeroMasked(embeddings: tf.Tensor, mask: tf.Tensor): tf.Tensor {
  return tf.mul(embeddings, tf.expandDims(mask, -1));
}

/** Similarities [B, Lq, N, Ld] -> sum over query tokens of the max over document tokens. */
function sumOfMaxima(similarities: tf.Tensor4D): tf.Tensor2D {
  return tf.sum(maxLastAxis(similarities), 1);
}

function checkMask(name: string, embeddings: tf.Tensor, mask: tf.Tensor): void {
  const expected = embeddings.shape.slice(0, -1);
  if (mask.shape.join() !== expected.join()) {
    throw new Error(
      `maxsim.ts: ${name} mask has shape [${mask.shape}], expected [${expected}] ` +
        `(embeddings [${embeddings.shape}] without their last axis)`,
    );
  }
}

/**
 * Every query against every document, for in-batch negatives: queries [B, Lq, dim],
 * documents [N, Ld, dim] -> scores [B, N]. Differentiable.
 */
export function maxsimScores(queries: TokenEmbeddings, documents: TokenEmbeddings): tf.Tensor2D {
  checkMask("query", queries.embeddings, queries.mask);
  checkMask("document", documents.embeddings, documents.mask);
  return tf.tidy(() => {
    const similarities = tokenSimilarities(
      zeroMasked(queries.embeddings, queries.mask) as tf.Tensor3D,
      zeroMasked(documents.embeddings, documents.mask) as tf.Tensor3D,
    );
    return sumOfMaxima(similarities);
  });
}

/**
 * Each query against its own K documents (the distillation shape, PyLate's
 * `colbert_kd_scores`): queries [B, Lq, dim], documents [B, K, Ld, dim] -> [B, K].
 */
export function maxsimGrouped(
  queries: TokenEmbeddings,
  documents: GroupedTokenEmbeddings,
): tf.Tensor2D {
  checkMask("query", queries.embeddings, queries.mask);
  checkMask("document", documents.embeddings, documents.mask);
  const [batch, perQuery, documentLength, dim] = documents.embeddings.shape;
  if (batch !== queries.embeddings.shape[0]) {
    throw new Error(`maxsim.ts: ${queries.embeddings.shape[0]} queries but ${batch} groups`);
  }
  return tf.tidy(() => {
    // A batched product keeps only each query's own documents: [B, Lq, K * Ld].
    const flat = dotProducts(
      zeroMasked(queries.embeddings, queries.mask),
      zeroMasked(documents.embeddings, documents.mask).reshape([
        batch,
        perQuery * documentLength,
        dim,
      ]),
    );
    const queryLength = queries.embeddings.shape[1];
    return sumOfMaxima(flat.reshape([batch, queryLength, perQuery, documentLength]));
  });
}

/**
 * Query i against document i only (PyLate's `colbert_scores_pairwise`): queries
 * [B, Lq, dim], documents [B, Ld, dim] -> [B].
 */
export function maxsimPairwise(queries: TokenEmbeddings, documents: TokenEmbeddings): tf.Tensor1D {
  return tf.tidy(() => {
    const grouped = maxsimGrouped(queries, {
      embeddings: tf.expandDims(documents.embeddings, 1) as tf.Tensor4D,
      mask: tf.expandDims(documents.mask, 1) as tf.Tensor3D,
    });
    return grouped.reshape([-1]) as tf.Tensor1D;
  });
}

/**
 * The single-vector counterpart used by the dense phases: pooled queries [B, dim] against
 * pooled documents [N, dim] -> dot products [B, N].
 */
export function denseScores(queries: tf.Tensor2D, documents: tf.Tensor2D): tf.Tensor2D {
  if (queries.shape[1] !== documents.shape[1]) {
    throw new Error(
      `maxsim.ts: query dim ${queries.shape[1]} differs from document dim ${documents.shape[1]}`,
    );
  }
  return tf.matMul(queries, documents, false, true);
}
