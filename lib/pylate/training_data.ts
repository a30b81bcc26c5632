/**
 * A phase's training data as Hugging Face `datasets` JSON Lines files, in the order the suite
 * consumes it: row r belongs to optimiser step `batch` (its own column), so PyLate trains on
 * the very batches the suite would (scripts/pylate/planned_batches.py yields them in order).
 *
 * - unsupervised: `train.jsonl` {batch, source, query, positive}: every batch from one
 *   source (the suite's sampler), which PyLate's samplers cannot do;
 * - supervised: `train.jsonl` {batch, query, positive, negative_1..n}, the hard negatives
 *   mined as the suite mines them (with the model being tuned, then BM25);
 * - distillation: `train.jsonl` {batch, query_id, document_ids, scores} with every candidate
 *   and the teacher's score of each, plus `queries.jsonl` {query_id, text} and
 *   `documents.jsonl` {document_id, text}: the layout of PyLate's `KDProcessing`.
 */
import { join } from "node:path";
import { unsupervisedBatches } from "../phases/contrastive.ts";
import type { StudyContext } from "../phases/phase.ts";
import { stepIndices } from "../phases/sampling.ts";
import { supervisedPool } from "../phases/supervised_pool.ts";
import type { Model } from "../models/model.ts";
import { writeJsonl } from "../util/jsonl.ts";
import type { PhaseJobOf } from "./phase_job.ts";

/** The files written, relative to the export folder, by role. */
export interface DataFiles {
  train: string;
  queries?: string;
  documents?: string;
}

/**
 * Write `phase`'s data for `steps` steps under `dir` (an existing folder); `student` is the
 * model at step 0, which the supervised phase mines its negatives with.
 */
export async function writeTrainingData(
  dir: string,
  context: StudyContext,
  phase: PhaseJobOf,
  student: Model,
): Promise<DataFiles> {
  const { profile } = context;
  const steps = phase.job.train.steps;
  const seed = phase.options.seed;
  const train = "data/train.jsonl";
  await Deno.mkdir(join(dir, "data"), { recursive: true });
  if (phase.phase === "unsupervised") {
    const batchAt = unsupervisedBatches(context, seed);
    await writeJsonl(
      join(dir, train),
      eachStep(steps, (step) => {
        const { source, pairs } = batchAt(step);
        return pairs.map((p) => ({ batch: step, source, query: p.query, positive: p.document }));
      }),
    );
    return { train };
  }
  if (phase.phase === "supervised") {
    const settings = profile.supervised;
    const pool = supervisedPool(context.data.supervised.train, steps * settings.batchSize);
    const negatives = await phase.options.negatives(pool, student);
    await writeJsonl(
      join(dir, train),
      eachStep(
        steps,
        (step) =>
          stepIndices(pool.examples.length, { batchSize: settings.batchSize, seed, step }).map((
            i,
          ) => ({
            batch: step,
            query: pool.examples[i].query,
            positive: pool.examples[i].positive,
            ...Object.fromEntries(
              negatives[i].slice(0, settings.negatives).map((
                text,
                n,
              ) => [`negative_${n + 1}`, text]),
            ),
          })),
      ),
    );
    return { train };
  }
  const { records, texts } = phase.options.kd;
  await writeJsonl(
    join(dir, train),
    eachStep(
      steps,
      (step) =>
        stepIndices(records.length, { batchSize: profile.distillation.batchSize, seed, step }).map((
          i,
        ) => ({
          batch: step,
          query_id: records[i].queryId,
          document_ids: records[i].documentIds,
          scores: records[i].scores,
        })),
    ),
  );
  const queries = "data/queries.jsonl";
  const documents = "data/documents.jsonl";
  await writeJsonl(
    join(dir, queries),
    records.map((r) => ({ query_id: r.queryId, text: r.query })),
  );
  await writeJsonl(
    join(dir, documents),
    [...texts].map(([id, text]) => ({ document_id: id, text })),
  );
  return { train, queries, documents };
}

function* eachStep<T>(steps: number, rows: (step: number) => T[]): Iterable<T> {
  for (let step = 0; step < steps; step++) yield* rows(step);
}
