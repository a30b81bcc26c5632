/**
 * Slow, obvious float64 references for the late-interaction tests (MaxSim, the losses),
 * central finite differences, and the loop that runs a test on every backend.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/compute/backend.ts";
import type { TokenEmbeddings } from "../lib/scores/maxsim.ts";
import { testBackends } from "./backends.ts";

/** Rows of numbers: tokens x dim, or queries x documents. */
export type Matrix = number[][];

// Probed once, before any test registers: concurrent probes would race on setBackend.
const backends = await testBackends();

/** Register `fn` as one Deno test per available backend. */
export function testOnEveryBackend(name: string, fn: () => Promise<void> | void): void {
  for (const backend of backends) {
    Deno.test(`${name} [${backend}]`, async () => {
      await initBackend(backend);
      await fn();
    });
  }
}

/** Uniform [-1, 1) numbers of a given shape from tfjs's seeded generator, as nested arrays. */
export function randomArray(shape: number[], seed: number): unknown {
  return tf.tidy(() => tf.randomUniform(shape, -1, 1, "float32", seed).arraySync());
}

/** Dot product of two vectors. */
export function dot(a: number[], b: number[]): number {
  return a.reduce((sum, value, i) => sum + value * b[i], 0);
}

/** MaxSim of one query and one document, with multiplying masks, by nested loops. */
export function maxsimReference(q: Matrix, qMask: number[], d: Matrix, dMask: number[]): number {
  let total = 0;
  for (let i = 0; i < q.length; i++) {
    let best = -Infinity;
    for (let j = 0; j < d.length; j++) best = Math.max(best, dMask[j] * dot(q[i], d[j]));
    total += qMask[i] * best;
  }
  return total;
}

/** log-softmax of one row. */
export function logSoftmax(row: number[]): number[] {
  const top = Math.max(...row);
  const logSum = top + Math.log(row.reduce((sum, value) => sum + Math.exp(value - top), 0));
  return row.map((value) => value - logSum);
}

/** Mean over rows i of -log softmax(row / temperature)[i]: row i's positive is column i. */
export function contrastiveReference(scores: Matrix, temperature: number): number {
  const losses = scores.map((row, i) => -logSoftmax(row.map((s) => s / temperature))[i]);
  return losses.reduce((a, b) => a + b, 0) / scores.length;
}

/** PyLate's distillation: KL(softmax(teacher) || softmax(minmax(student))), batchmean. */
export function distillationReference(student: Matrix, teacher: Matrix): number {
  let total = 0;
  student.forEach((row, i) => {
    const [low, high] = [Math.min(...row), Math.max(...row)];
    const logStudent = logSoftmax(row.map((s) => (s - low) / (high - low + 1e-8)));
    const logTeacher = logSoftmax(teacher[i]);
    logTeacher.forEach((t, k) => total += Math.exp(t) * (t - logStudent[k]));
  });
  return total / student.length;
}

/** Central differences of `f` at `x`, one coordinate at a time. */
export function centralDifferences(f: (x: number[]) => number, x: number[], eps = 1e-5): number[] {
  return x.map((_, i) => {
    const up = x.slice();
    const down = x.slice();
    up[i] += eps;
    down[i] -= eps;
    return (f(up) - f(down)) / (2 * eps);
  });
}

/** Reshape a flat array into rows of `width`. */
export function rows(flat: number[], width: number): Matrix {
  return Array.from(
    { length: flat.length / width },
    (_, i) => flat.slice(i * width, (i + 1) * width),
  );
}

/** Element-wise |actual - expected| <= tolerance * (1 + |expected|). */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const bound = tolerance * (1 + Math.abs(expected[i]));
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= bound,
      `${what}[${i}]: got ${actual[i]}, expected ${expected[i]} (tolerance ${bound})`,
    );
  }
}

/** Token embeddings and their mask as tensors, from nested arrays. */
export function tokenEmbeddings(embeddings: number[][][], mask: number[][]): TokenEmbeddings {
  return { embeddings: tf.tensor3d(embeddings), mask: tf.tensor2d(mask) };
}
