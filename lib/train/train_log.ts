/**
 * The record a training run keeps: loss per step, validation metrics, tokens and time.
 * Its own module because the loop writes it, snapshots persist it mid-run, and the study's
 * reports read it from a finished checkpoint; none of them should import another for it.
 */

/** The record of a run, saved with its checkpoint. */
export interface TrainLog {
  steps: { step: number; loss: number; lr: number; gradNorm: number }[];
  validation: { step: number; metrics: Record<string, number> }[];
  tokens: number;
  seconds: number;
}
