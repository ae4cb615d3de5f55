/**
 * AdamW and global-norm gradient clipping over the trainable LoRA tensors, in TypeScript.
 *
 * Why not in the graph: the trainable tensors are small (a SmolLM2-135M-shaped model with rank-16 LoRA
 * on every linear layer has about 4.9 M of them), so one AdamW pass here costs a few milliseconds
 * against seconds for the forward/backward graph, while keeping the graph free of optimizer state
 * (fewer inputs and outputs to copy per run), and making accumulation, clipping, schedules and
 * checkpoints plain code that is easy to test.
 */

/** One trainable tensor: a flat float32 buffer and its shape (row-major). */
export interface ParameterTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Decoupled weight decay (Loshchilov & Hutter), applied as p -= lr * weightDecay * p. */
  weightDecay: number;
}

export const defaultAdamWOptions: AdamWOptions = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };

/** The optimizer's moments, for checkpoints. */
export interface AdamWState {
  step: number;
  firstMoments: Float32Array[];
  secondMoments: Float32Array[];
}

/** AdamW with bias correction, the same update as torch.optim.AdamW. */
export class AdamW {
  private stepCount = 0;
  private readonly firstMoments: Float32Array[];
  private readonly secondMoments: Float32Array[];

  constructor(
    private readonly parameters: readonly ParameterTensor[],
    private readonly options: AdamWOptions = defaultAdamWOptions,
  ) {
    this.firstMoments = parameters.map((p) => new Float32Array(p.data.length));
    this.secondMoments = parameters.map((p) => new Float32Array(p.data.length));
  }

  get steps(): number {
    return this.stepCount;
  }

  /**
   * Applies one update; `gradients[i]` belongs to `parameters[i]`. `gradientScale` multiplies every
   * gradient as it is read (a batch mean and a clipping factor without their own passes over them).
   */
  step(gradients: readonly Float32Array[], learningRate: number, gradientScale = 1): void {
    if (gradients.length !== this.parameters.length) {
      throw new Error(`AdamW: ${gradients.length} gradients for ${this.parameters.length} parameters`);
    }
    this.stepCount += 1;
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    const correction1 = 1 - Math.pow(beta1, this.stepCount);
    const correction2 = 1 - Math.pow(beta2, this.stepCount);
    const stepSize = learningRate / correction1;
    const inverseSqrtCorrection2 = 1 / Math.sqrt(correction2);
    const decay = 1 - learningRate * weightDecay;
    for (let t = 0; t < this.parameters.length; t++) {
      const parameter = this.parameters[t]!.data;
      const gradient = gradients[t]!;
      if (gradient.length !== parameter.length) {
        throw new Error(`AdamW: gradient of ${this.parameters[t]!.name} has ${gradient.length} values, expected ${parameter.length}`);
      }
      const m = this.firstMoments[t]!;
      const v = this.secondMoments[t]!;
      for (let i = 0; i < parameter.length; i++) {
        const g = gradient[i]! * gradientScale;
        const mi = beta1 * m[i]! + (1 - beta1) * g;
        const vi = beta2 * v[i]! + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        parameter[i] = parameter[i]! * decay - (stepSize * mi) / (Math.sqrt(vi) * inverseSqrtCorrection2 + epsilon);
      }
    }
  }

  state(): AdamWState {
    return { step: this.stepCount, firstMoments: this.firstMoments, secondMoments: this.secondMoments };
  }

  load(state: AdamWState): void {
    if (state.firstMoments.length !== this.parameters.length || state.secondMoments.length !== this.parameters.length) {
      throw new Error('AdamW: checkpoint has a different number of tensors than the adapter being trained');
    }
    this.stepCount = state.step;
    for (let t = 0; t < this.parameters.length; t++) {
      this.firstMoments[t]!.set(state.firstMoments[t]!);
      this.secondMoments[t]!.set(state.secondMoments[t]!);
    }
  }
}

/** L2 norm over every gradient together (computed in float64). */
export function globalNorm(gradients: readonly Float32Array[]): number {
  let sum = 0;
  for (const gradient of gradients) {
    for (let i = 0; i < gradient.length; i++) sum += gradient[i]! * gradient[i]!;
  }
  return Math.sqrt(sum);
}

/**
 * Scales the gradients in place so that their global norm is at most `maxNorm` (as
 * torch.nn.utils.clip_grad_norm_). Returns the norm before clipping. `maxNorm` <= 0 disables clipping.
 */
export function clipByGlobalNorm(gradients: readonly Float32Array[], maxNorm: number): number {
  const norm = globalNorm(gradients);
  const scale = clippingScale(norm, maxNorm);
  if (scale !== 1) {
    for (const gradient of gradients) {
      for (let i = 0; i < gradient.length; i++) gradient[i] = gradient[i]! * scale;
    }
  }
  return norm;
}

/** The factor clipByGlobalNorm applies for a gradient norm (1: no clipping); for AdamW.step's gradientScale. */
export function clippingScale(norm: number, maxNorm: number): number {
  return maxNorm > 0 && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}
