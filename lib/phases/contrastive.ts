/**
 * Phases 1 and 2, contrastive training of a dense or ColBERT student.
 *
 * Unsupervised: (query, document) pairs, in-batch negatives only, every batch from one
 * source (proportional sampling, siblings kept apart), a large batch through GradCache,
 * temperature 0.02. Supervised: examples with hard negatives (the lexicographers' other
 * senses plus mined ones), in-batch + hard negatives, no GradCache, temperature 0.2.
 */
import { planBatches } from "../train/sampler.ts";
import type { Pair } from "../datasets/records.ts";
import { embedRows, tokenRows } from "../models/embed.ts";
import { cachedContrastiveGrads } from "../losses/cached_contrastive.ts";
import { contrastiveLoss } from "../losses/contrastive.ts";
import type { Model, ModelKind } from "../models/model.ts";
import { chunkRows } from "../models/text_batch.ts";
import { byParamName, gradientsOf, type MicroStep, type TrainTask } from "../train/loop.ts";
import type { Tokenizer } from "../models/tokenizer.ts";
import { type InputVariant, phaseInputs } from "./input_variant.ts";
import { type PhaseJob, type PhaseResult, phaseTrainConfig, type StudyContext } from "./phase.ts";
import { negativesByRank } from "./negatives.ts";
import { stepIndices } from "./sampling.ts";
import { studentFrom } from "./student.ts";
import { type SupervisedPool, supervisedPool } from "./supervised_pool.ts";
import { devValidator } from "./validation.ts";
import { checkSupervisedBatch, gradCacheChunk } from "./heap_plan.ts";

/** What varies between the study's contrastive runs. */
export interface ContrastiveOptions {
  kind: "colbert" | "dense";
  variant: InputVariant;
  parent: PhaseResult;
  seed: number;
  label: string;
}

/** Phase 1: unsupervised contrastive pre-training of `options.kind` from `options.parent`. */
export function unsupervisedJob(context: StudyContext, options: ContrastiveOptions): PhaseJob {
  const { profile, data, tokenizer } = context;
  const settings = profile.unsupervised;
  const inputs = phaseInputs(profile, {
    variant: options.variant,
    documentLength: profile.unsupervisedDocumentLength,
  });
  const batchAt = unsupervisedBatches(context, options.seed);
  return {
    phase: "unsupervised",
    label: options.label,
    module: import.meta.url,
    settings: { kind: options.kind, inputs, ...settings },
    seed: options.seed,
    parent: options.parent,
    data: data.sources.map((s) => s.name),
    train: phaseTrainConfig(settings, profile.validateEvery, profile.headRateScale),
    typicalLength: inputs.documentLength,
    task: (parent) => {
      const model = studentFrom(parent!, options.kind, { inputs, seed: options.seed });
      // settings.chunkSize itself wherever a chunk fits the backend's heap.
      const chunkSize = gradCacheChunk(model, settings.chunkSize);
      return Promise.resolve(withValidation(context, {
        phase: options.label,
        model,
        gradients: async (step) => {
          const pairs = batchAt(step).pairs;
          const queries = tokenRows(model, tokenizer, {
            texts: pairs.map((p) => p.query),
            side: "query",
          });
          const documents = tokenRows(model, tokenizer, {
            texts: pairs.map((p) => p.document),
            side: "document",
          });
          const encode = (rows: typeof queries) => embedRows(model, rows);
          const { loss, grads } = await cachedContrastiveGrads(
            {
              encodeQueries: encode,
              encodeDocuments: encode,
              variables: [...model.params.values()],
            },
            {
              queries: chunkRows(queries, chunkSize),
              documents: [chunkRows(documents, chunkSize)],
            },
            { temperature: settings.temperature },
          );
          const tokens = queries.batchSize * queries.length +
            documents.batchSize * documents.length;
          return { loss, grads: byParamName(model, grads), tokens };
        },
      }));
    },
  };
}

/**
 * The unsupervised batch of each step, as a pure function of (seed, step): every batch from
 * one source. Exported so that `deno task export` writes the very batches the suite trains on.
 */
export function unsupervisedBatches(
  context: StudyContext,
  seed: number,
): (step: number) => { source: string; pairs: Pair[] } {
  const { data, profile } = context;
  const sources = data.sources.map((s) => ({ name: s.name, groups: s.pairs.map((p) => p.group) }));
  const bySource = new Map(data.sources.map((s) => [s.name, s.pairs]));
  // One epoch's plan is fixed by its seed (seed + epoch); steps walk through it, then the
  // next epoch's. Epoch plans can differ in length by a batch, so a step wraps within its own.
  const plans = new Map<number, ReturnType<typeof planBatches>>();
  const epochPlan = (epoch: number) => {
    if (!plans.has(epoch)) {
      plans.set(
        epoch,
        planBatches(sources, { batchSize: profile.unsupervised.batchSize, seed: seed + epoch }),
      );
    }
    return plans.get(epoch)!;
  };
  return (step) => {
    const perEpoch = epochPlan(0).length;
    const plan = epochPlan(Math.floor(step / perEpoch));
    const planned = plan[(step % perEpoch) % plan.length];
    return {
      source: planned.source,
      pairs: planned.indices.map((i) => bySource.get(planned.source)![i]),
    };
  };
}

/** Options of {@link supervisedJob}: the contrastive options plus mined negatives. */
export interface SupervisedOptions extends ContrastiveOptions {
  /** Negatives per pool example (lexicographers' first, then mined), by example index. */
  negatives: (pool: SupervisedPool, model: Model) => Promise<string[][]>;
  /** Names the mining method in the cache key. */
  mining: string;
}

/** Phase 2: supervised contrastive fine-tuning with hard negatives. */
export function supervisedJob(context: StudyContext, options: SupervisedOptions): PhaseJob {
  const { profile, data, tokenizer } = context;
  const settings = profile.supervised;
  const inputs = phaseInputs(profile, {
    variant: options.variant,
    documentLength: profile.documentLength,
  });
  const pool = supervisedPool(data.supervised.train, settings.steps * settings.batchSize);
  const examples = pool.examples;
  return {
    phase: "supervised",
    label: options.label,
    module: import.meta.url,
    settings: { kind: options.kind, inputs, mining: options.mining, ...settings },
    seed: options.seed,
    parent: options.parent,
    data: Object.keys(data.checksums).filter((name) => !data.sources.some((s) => s.name === name)),
    train: phaseTrainConfig(settings, profile.validateEvery, profile.headRateScale),
    typicalLength: inputs.documentLength,
    task: async (parent) => {
      const model = studentFrom(parent!, options.kind as ModelKind, { inputs, seed: options.seed });
      checkSupervisedBatch(model, settings); // before mining, which takes a while
      const negatives = await options.negatives(pool, model);
      return withValidation(context, {
        phase: options.label,
        model,
        gradients: (step) => {
          const picked = stepIndices(examples.length, {
            batchSize: settings.batchSize,
            seed: options.seed,
            step,
          });
          return hardNegativeStep(model, tokenizer, {
            queries: picked.map((i) => examples[i].query),
            positives: picked.map((i) => examples[i].positive),
            negatives: negativesByRank(picked.map((i) => negatives[i]), settings.negatives),
          }, settings.temperature);
        },
      });
    },
  };
}

/** Queries, their positives, and hard negatives by rank: `negatives[n][i]` is query i's n-th. */
export interface HardNegativeBatch {
  queries: string[];
  positives: string[];
  negatives: string[][];
}

/**
 * Loss, gradients and tokens of one supervised contrastive step: each query against its
 * positive, the batch's other positives and every hard negative.
 */
export async function hardNegativeStep(
  model: Model,
  tokenizer: Tokenizer,
  batch: HardNegativeBatch,
  temperature: number,
): Promise<MicroStep> {
  const texts = (rows: string[]) => tokenRows(model, tokenizer, { texts: rows, side: "document" });
  const queries = tokenRows(model, tokenizer, { texts: batch.queries, side: "query" });
  const groups = [texts(batch.positives), ...batch.negatives.map(texts)];
  const result = await gradientsOf(model, () => {
    const encoded = [queries, ...groups].map((rows) => embedRows(model, rows));
    return contrastiveLoss(encoded[0], encoded.slice(1), { temperature });
  });
  const tokens = [queries, ...groups].reduce((sum, rows) => sum + rows.batchSize * rows.length, 0);
  return { ...result, tokens };
}

function withValidation(context: StudyContext, task: TrainTask): TrainTask {
  return { ...task, validate: devValidator(context, task.model) };
}
