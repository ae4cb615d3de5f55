/** Learning-rate schedules: linear warmup, then cosine, linear or constant. */

export type DecayKind = 'cosine' | 'linear' | 'constant';

export interface ScheduleOptions {
  peakLearningRate: number;
  warmupSteps: number;
  totalSteps: number;
  decay: DecayKind;
  /** The learning rate at the end of decay, as a fraction of the peak (0 decays to zero). */
  finalRatio: number;
}

/**
 * The learning rate for optimizer step `step` (0-based). Warmup ramps as (step+1)/warmup so the first
 * update is not wasted at a zero rate; decay runs from the end of warmup to `totalSteps`.
 */
export function learningRateAt(step: number, options: ScheduleOptions): number {
  const { peakLearningRate: peak, warmupSteps, totalSteps, decay, finalRatio } = options;
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  if (decay === 'constant') return peak;
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  const progress = Math.min(1, Math.max(0, (step - warmupSteps) / decaySteps));
  const shape = decay === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
  return peak * (finalRatio + (1 - finalRatio) * shape);
}
