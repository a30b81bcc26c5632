/**
 * Phase 0, the backbone: masked-language-model pre-training of the encoder on every
 * unsupervised text. The paper starts from ModernBERT-base, an MLM checkpoint; the suite
 * makes its own, smaller ModernBERT (a ModernBertForMaskedLM folder in the cache).
 */
import * as tf from "@tensorflow/tfjs";
import { colbertInputConfig } from "../models/colbert_inputs.ts";
import { encoderInputs } from "../models/embed.ts";
import { maskTokens, mlmLoss, unigramLogPrior } from "../losses/mlm.ts";
import { createModel, mlmLogits } from "../models/model.ts";
import { param } from "../models/params.ts";
import { plainBatch } from "../models/text_batch.ts";
import { gradientsOf } from "../train/loop.ts";
import { MLM_PREFIX } from "../models/heads/mlm.ts";
import { type EncoderShape, suiteModernBert } from "../models/suite_encoder.ts";
import { type PhaseJob, phaseTrainConfig, type StudyContext } from "./phase.ts";
import type { PhaseSettings } from "./profile_settings.ts";
import { stepIndices, stepSeed } from "./sampling.ts";
import { checkBackboneMicroBatch } from "./heap_plan.ts";
import { pretrainedJob } from "./pretrained.ts";

/** Texts whose token counts give the decoder's starting bias (the unigram prior). */
const PRIOR_SAMPLE = 8192;

/**
 * The label of a backbone called `name`: "(MLM)" when it is pre-trained, "(random
 * initialisation)" when its profile gives it 0 steps (the small profile's case).
 */
export function backboneLabel(name: string, settings: PhaseSettings): string {
  return `${name} (${settings.steps > 0 ? "MLM" : "random initialisation"})`;
}

/**
 * The job of the encoder the students (`role` "student") or the teacher start from: the
 * pretrained model the profile names, else the suite's own ModernBERT (MLM-pretrained, or a
 * random initialisation at 0 steps).
 */
export function startingEncoderJob(
  context: StudyContext,
  role: "student" | "teacher",
  seed: number,
): Promise<PhaseJob> {
  const { profile } = context;
  const name = role === "student" ? "backbone" : "teacher backbone";
  const spec = profile.pretrained?.[role];
  if (spec) {
    return pretrainedJob({
      spec,
      seed,
      label: `${name} (${spec})`,
      colbertDim: profile.colbertDim,
    });
  }
  const settings = role === "student" ? profile.backbone : profile.teacherBackbone;
  return Promise.resolve(backboneJob(context, {
    seed,
    transformer: profile[role],
    settings,
    label: backboneLabel(name, settings),
  }));
}

/** Options of {@link backboneJob}. */
export interface BackboneOptions {
  seed: number;
  /** The encoder's sizes (a small ModernBERT: see models/suite_encoder.ts). */
  transformer: EncoderShape;
  settings: PhaseSettings & { maxLength: number };
  label: string;
}

/** The MLM pre-training job of an encoder of shape `options.transformer`. */
export function backboneJob(context: StudyContext, options: BackboneOptions): PhaseJob {
  const { seed, transformer, settings } = options;
  const texts = context.data.sources.flatMap((source) =>
    source.pairs.flatMap((p) => [p.query, p.document])
  );
  const { tokenizer } = context;
  const special = tokenizer.special;
  return {
    phase: "backbone",
    label: options.label,
    module: import.meta.url,
    settings: { transformer, maxLength: settings.maxLength, batchSize: settings.batchSize },
    seed,
    parent: null,
    data: context.data.sources.map((source) => source.name),
    train: phaseTrainConfig(settings, 0),
    typicalLength: settings.maxLength,
    task: () => {
      const model = createModel({
        kind: "mlm",
        transformer: suiteModernBert(transformer),
        colbertDim: context.profile.colbertDim,
        pooling: "mean",
        inputs: colbertInputConfig(),
      }, { seed });
      const sample = stepIndices(texts.length, {
        batchSize: Math.min(PRIOR_SAMPLE, texts.length),
        seed,
        step: 0,
      });
      const prior = unigramLogPrior(
        sample.map((i) => tokenizer.encode(texts[i])),
        transformer.vocabSize,
      );
      param(model.params, `${MLM_PREFIX}decoder.bias`).assign(tf.tensor1d(prior));
      const microSize = settings.batchSize / settings.accumulation;
      checkBackboneMicroBatch(model, { microSize, maxLength: settings.maxLength });
      return Promise.resolve({
        phase: options.label,
        model,
        gradients: async (step, micro) => {
          const picked = stepIndices(texts.length, { batchSize: settings.batchSize, seed, step })
            .slice(micro * microSize, (micro + 1) * microSize);
          const rows = plainBatch(tokenizer, picked.map((i) => texts[i]), {
            maxLength: settings.maxLength,
          });
          const masked = maskTokens(rows.inputIds, {
            maskTokenId: special.mask,
            vocabSize: transformer.vocabSize,
            specialTokenIds: [special.cls, special.sep, special.pad],
            seed: stepSeed(seed, step, micro),
          });
          const inputs = encoderInputs({ ...rows, inputIds: masked.inputIds });
          const positions = tf.tensor1d(masked.positions, "int32");
          const result = await gradientsOf(
            model,
            () => mlmLoss(mlmLogits(model, inputs, positions), masked.targets),
          );
          tf.dispose([inputs.inputIds, inputs.attentionMask, positions]);
          return { ...result, tokens: rows.batchSize * rows.length };
        },
      });
    },
  };
}
