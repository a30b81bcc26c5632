/**
 * GradCache (Gao et al. 2021; PyLate's `CachedContrastive`): the in-batch contrastive
 * loss of a batch far larger than fits in memory with its activations, with the exact
 * gradients of the full-batch loss.
 *
 * 1. Embed every chunk with no gradient tape: only the embeddings are kept.
 * 2. Compute the loss on those embeddings and its gradient with respect to them (queries
 *    are scored a slice at a time so the similarity tensor stays small).
 * 3. Re-embed chunk by chunk under the tape and backpropagate `sum(embedding * cached
 *    gradient)`, whose parameter gradient is the chunk's share of the full gradient.
 *
 * Peak memory is one chunk's activations plus all the embeddings. The encoders must be
 * deterministic (no dropout), since step 3 has to reproduce step 1's embeddings.
 *
 * ```ts
 * const { loss, grads } = await cachedContrastiveGrads(
 *   { encodeQueries, encodeDocuments, variables },
 *   { queries: queryChunks, documents: [positiveChunks, negativeChunks] },
 *   { temperature: 0.02 },
 * );
 * optimizer.applyGradients(grads);
 * ```
 */
import * as tf from "@tensorflow/tfjs";
import type { TokenEmbeddings } from "../scores/maxsim.ts";
import { contrastiveLoss, disposeEncoded, type Encoded, encodedCount } from "./contrastive.ts";

/** The model side of GradCache: how to embed one chunk, and what to differentiate. */
export interface ContrastiveEncoder<Q, D> {
  /** One chunk of queries -> token batch [c, Lq, dim] + mask, or pooled vectors [c, dim]. */
  encodeQueries(chunk: Q): Encoded;
  /** One chunk of documents, in the same form; every chunk of a batch pads to one length. */
  encodeDocuments(chunk: D): Encoded;
  /** The parameters whose gradients are returned (keyed by variable name). */
  variables: tf.Variable[];
}

/** A batch already split into chunks, each small enough to embed with its activations. */
export interface ChunkedBatch<Q, D> {
  /** Query chunks, in batch order. */
  queries: Q[];
  /** Document groups, positives first then hard negatives, each as chunks in batch order. */
  documents: D[][];
}

/** Options of {@link cachedContrastiveGrads}. */
export interface CachedContrastiveOptions {
  /** Scores are divided by it, as in {@link contrastiveLoss}. */
  temperature: number;
  /** Queries scored at once in step 2 (default: the largest query chunk). */
  scoreChunkSize?: number;
}

/** The full-batch loss and its gradient for every variable the loss depends on. */
export interface LossAndGrads {
  loss: number;
  grads: tf.NamedTensorMap;
}

function embeddingsOf(encoded: Encoded): tf.Tensor {
  return encoded instanceof tf.Tensor ? encoded : encoded.embeddings;
}

/** Step 1: embed every chunk outside any tape; the joined batch and each chunk's rows. */
function embedWithoutGradient<T>(
  encode: (chunk: T) => Encoded,
  chunks: T[],
): { joined: Encoded; rows: number[] } {
  if (chunks.length === 0) throw new Error("cached_contrastive.ts: a side has no chunks");
  // Cloning inside tidy keeps what the encoder returned (perhaps the caller's own
  // tensors) apart from what this function later disposes.
  const parts = chunks.map((chunk) =>
    tf.tidy(() => {
      const encoded = encode(chunk);
      return encoded instanceof tf.Tensor
        ? tf.clone(encoded)
        : { embeddings: tf.clone(encoded.embeddings), mask: tf.clone(encoded.mask) };
    })
  );
  let joined: Encoded;
  if (parts[0] instanceof tf.Tensor) {
    joined = tf.concat(parts as tf.Tensor2D[]);
  } else {
    const batches = parts as TokenEmbeddings[];
    joined = {
      embeddings: tf.concat(batches.map((part) => part.embeddings)),
      mask: tf.concat(batches.map((part) => part.mask)),
    };
  }
  const rows = parts.map(encodedCount);
  parts.forEach(disposeEncoded);
  return { joined, rows };
}

function withEmbeddings(encoded: Encoded, embeddings: tf.Tensor, begin = 0): Encoded {
  if (encoded instanceof tf.Tensor) return embeddings as tf.Tensor2D;
  const rows = embeddings.shape[0];
  const mask = begin === 0 && rows === encoded.mask.shape[0]
    ? encoded.mask
    : encoded.mask.slice([begin, 0], [rows, -1]);
  return { embeddings: embeddings as tf.Tensor3D, mask };
}

/**
 * Step 2: the full-batch loss and its gradient w.r.t. every embedding, scoring
 * `scoreChunkSize` queries at a time against all documents.
 */
function lossAndEmbeddingGrads(
  queries: Encoded,
  documents: Encoded[],
  options: CachedContrastiveOptions & { scoreChunkSize: number },
): { loss: tf.Scalar; queryGrad: tf.Tensor; documentGrads: tf.Tensor[] } {
  const queryEmbeddings = embeddingsOf(queries);
  const count = queryEmbeddings.shape[0];
  const losses: tf.Tensor[] = [];
  const queryGrads: tf.Tensor[] = [];
  let documentGrads: tf.Tensor[] = [];
  for (let begin = 0; begin < count; begin += options.scoreChunkSize) {
    const rows = Math.min(options.scoreChunkSize, count - begin);
    const slice = queryEmbeddings.slice(begin, rows);
    const { value, grads } = tf.valueAndGrads((sliced: tf.Tensor, ...docs: tf.Tensor[]) => {
      const summed = contrastiveLoss(
        withEmbeddings(queries, sliced, begin),
        docs.map((embeddings, group) => withEmbeddings(documents[group], embeddings)),
        { temperature: options.temperature, firstPositive: begin, reduction: "sum" },
      );
      return tf.div(summed, count) as tf.Scalar; // this slice's share of the batch mean
    })([slice, ...documents.map(embeddingsOf)]);
    slice.dispose();
    losses.push(value);
    queryGrads.push(grads[0]);
    const previous = documentGrads;
    documentGrads = grads.slice(1).map((grad, group) =>
      previous.length ? tf.add(previous[group], grad) : grad
    );
    if (previous.length) tf.dispose([...previous, ...grads.slice(1)]);
  }
  const loss = tf.addN(losses) as tf.Scalar;
  const queryGrad = tf.concat(queryGrads);
  tf.dispose([...losses, ...queryGrads]);
  return { loss, queryGrad, documentGrads };
}

/** Add `grads` into `total` by variable name, disposing what it replaces. */
function accumulate(total: tf.NamedTensorMap, grads: tf.NamedTensorMap): void {
  for (const [name, grad] of Object.entries(grads)) {
    const previous = total[name];
    total[name] = previous ? tf.add(previous, grad) : grad;
    if (previous) tf.dispose([previous, grad]);
  }
}

/** Step 3: re-embed each chunk under the tape and push its cached gradient through. */
function backpropagateChunks<T>(
  encode: (chunk: T) => Encoded,
  chunks: T[],
  cachedGrads: tf.Tensor[],
  into: { variables: tf.Variable[]; total: tf.NamedTensorMap },
): void {
  chunks.forEach((chunk, i) => {
    const { value, grads } = tf.variableGrads(() => {
      const embeddings = embeddingsOf(encode(chunk));
      if (embeddings.shape.join() !== cachedGrads[i].shape.join()) {
        throw new Error(
          `cached_contrastive.ts: chunk re-embedded to [${embeddings.shape}], step 1 gave ` +
            `[${cachedGrads[i].shape}]: the encoder must be deterministic`,
        );
      }
      return tf.sum(tf.mul(embeddings, cachedGrads[i]));
    }, into.variables);
    value.dispose();
    accumulate(into.total, grads);
  });
}

/**
 * The contrastive loss of a whole chunked batch and its parameter gradients, equal to
 * `tf.variableGrads` of {@link contrastiveLoss} on the full batch, with memory bounded by
 * one chunk. The caller owns (and disposes) the returned gradients.
 */
export async function cachedContrastiveGrads<Q, D>(
  encoder: ContrastiveEncoder<Q, D>,
  batch: ChunkedBatch<Q, D>,
  options: CachedContrastiveOptions,
): Promise<LossAndGrads> {
  if (batch.documents.length === 0) {
    throw new Error("cached_contrastive.ts: no document groups (positives first)");
  }
  if (options.scoreChunkSize !== undefined && !(options.scoreChunkSize >= 1)) {
    throw new Error(`cached_contrastive.ts: scoreChunkSize ${options.scoreChunkSize} is not >= 1`);
  }
  const queries = embedWithoutGradient((chunk: Q) => encoder.encodeQueries(chunk), batch.queries);
  const documents = batch.documents.map((group) =>
    embedWithoutGradient((chunk: D) => encoder.encodeDocuments(chunk), group)
  );
  const scoreChunkSize = options.scoreChunkSize ?? Math.max(...queries.rows);
  let step2;
  try {
    step2 = lossAndEmbeddingGrads(queries.joined, documents.map((side) => side.joined), {
      ...options,
      scoreChunkSize,
    });
  } finally {
    [queries, ...documents].forEach((side) => disposeEncoded(side.joined));
  }
  // Cut the cached gradients back into the chunks they came from.
  const queryGrads = tf.split(step2.queryGrad, queries.rows);
  const documentGrads = step2.documentGrads.map((grad, group) =>
    tf.split(grad, documents[group].rows)
  );
  tf.dispose([step2.queryGrad, ...step2.documentGrads]);

  const into = { variables: encoder.variables, total: {} as tf.NamedTensorMap };
  try {
    backpropagateChunks(
      (chunk: Q) => encoder.encodeQueries(chunk),
      batch.queries,
      queryGrads,
      into,
    );
    batch.documents.forEach((chunks, group) =>
      backpropagateChunks(
        (chunk: D) => encoder.encodeDocuments(chunk),
        chunks,
        documentGrads[group],
        into,
      )
    );
  } catch (error) {
    tf.dispose([step2.loss, ...Object.values(into.total)]);
    throw error;
  } finally {
    tf.dispose([...queryGrads, ...documentGrads.flat()]);
  }
  const loss = (await step2.loss.data())[0];
  step2.loss.dispose();
  return { loss, grads: into.total };
}
