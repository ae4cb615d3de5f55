/**
 * A plain float64 forward pass of a Llama-family decoder, written independently of the engine (test
 * code only): the ONNX graphs must match it. Weights are read from the safetensors file through the
 * engine's header parser; all arithmetic is in float64.
 */
import { readSafetensorsHeader, readTensorAsFloat32 } from '../../../engine/src/model/safetensors';

export interface ReferenceConfig {
  vocab_size: number;
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim?: number;
  rms_norm_eps: number;
  rope_theta: number;
  rope_scaling?: { rope_type: string; factor: number; low_freq_factor: number; high_freq_factor: number; original_max_position_embeddings: number } | null;
  tie_word_embeddings: boolean;
  architectures: string[];
  attention_bias?: boolean;
}

type Matrix = { rows: number; cols: number; data: Float64Array };

export class ReferenceModel {
  private readonly weights = new Map<string, Float64Array>();
  private readonly shapes = new Map<string, readonly number[]>();
  /** Extra per-module weight deltas (LoRA merged as W + scale * B A). */
  readonly deltas = new Map<string, Float64Array>();

  constructor(readonly config: ReferenceConfig, safetensorsFile: string) {
    for (const [name, location] of readSafetensorsHeader(safetensorsFile).tensors) {
      this.weights.set(name, Float64Array.from(readTensorAsFloat32(location)));
      this.shapes.set(name, location.shape);
    }
  }

  private w(name: string): Float64Array {
    const found = this.weights.get(name);
    if (found === undefined) throw new Error(`reference: missing ${name}`);
    return found;
  }

  has(name: string): boolean {
    return this.weights.has(name);
  }

  /** Merges W += scale * B A for a module (B [out, r], A [r, in]). */
  mergeLora(module: string, a: Float32Array, b: Float32Array, rank: number, scale: number): void {
    const weight = this.w(`${module}.weight`);
    const [out, inFeatures] = this.shapes.get(`${module}.weight`)! as [number, number];
    const merged = Float64Array.from(weight);
    for (let o = 0; o < out; o++) {
      for (let i = 0; i < inFeatures; i++) {
        let sum = 0;
        for (let r = 0; r < rank; r++) sum += b[o * rank + r]! * a[r * inFeatures + i]!;
        merged[o * inFeatures + i] += scale * sum;
      }
    }
    this.weights.set(`${module}.weight`, merged);
  }

  private linear(x: Matrix, name: string, bias: boolean): Matrix {
    const weight = this.w(`${name}.weight`);
    const [out, inFeatures] = this.shapes.get(`${name}.weight`)! as [number, number];
    const b = bias ? this.w(`${name}.bias`) : undefined;
    const y = new Float64Array(x.rows * out);
    for (let t = 0; t < x.rows; t++) {
      for (let o = 0; o < out; o++) {
        let sum = b ? b[o]! : 0;
        for (let i = 0; i < inFeatures; i++) sum += x.data[t * inFeatures + i]! * weight[o * inFeatures + i]!;
        y[t * out + o] = sum;
      }
    }
    return { rows: x.rows, cols: out, data: y };
  }

  private rmsNorm(x: Float64Array, width: number, weight: Float64Array): Float64Array {
    const out = new Float64Array(x.length);
    for (let start = 0; start < x.length; start += width) {
      let sumSquares = 0;
      for (let i = 0; i < width; i++) sumSquares += x[start + i]! ** 2;
      const inv = 1 / Math.sqrt(sumSquares / width + this.config.rms_norm_eps);
      for (let i = 0; i < width; i++) out[start + i] = x[start + i]! * inv * weight[i]!;
    }
    return out;
  }

  private inverseFrequencies(headDim: number): number[] {
    const inv: number[] = [];
    for (let i = 0; i < headDim; i += 2) inv.push(1 / this.config.rope_theta ** (i / headDim));
    const scaling = this.config.rope_scaling;
    if (scaling && scaling.rope_type === 'llama3') {
      const low = scaling.original_max_position_embeddings / scaling.low_freq_factor;
      const high = scaling.original_max_position_embeddings / scaling.high_freq_factor;
      return inv.map((f) => {
        const wavelength = (2 * Math.PI) / f;
        if (wavelength < high) return f;
        if (wavelength > low) return f / scaling.factor;
        const smooth = (scaling.original_max_position_embeddings / wavelength - scaling.low_freq_factor) / (scaling.high_freq_factor - scaling.low_freq_factor);
        return (1 - smooth) * (f / scaling.factor) + smooth * f;
      });
    }
    return inv;
  }

  /** Logits [tokens.length, vocab] for one sequence starting at position 0. */
  forward(tokens: readonly number[]): Float64Array[] {
    const c = this.config;
    const H = c.hidden_size;
    const nh = c.num_attention_heads;
    const kvh = c.num_key_value_heads;
    const hd = c.head_dim ?? H / nh;
    const T = tokens.length;
    const qwen2 = c.architectures[0] === 'Qwen2ForCausalLM';
    const qwen3 = c.architectures[0] === 'Qwen3ForCausalLM';
    const qkvBias = qwen2 || Boolean(c.attention_bias);
    const embed = this.w('model.embed_tokens.weight');
    let h = new Float64Array(T * H);
    tokens.forEach((token, t) => h.set(embed.subarray(token * H, (token + 1) * H), t * H));
    const inv = this.inverseFrequencies(hd);
    const rotate = (x: Float64Array, heads: number): void => {
      for (let t = 0; t < T; t++) {
        for (let head = 0; head < heads; head++) {
          const base = t * heads * hd + head * hd;
          for (let i = 0; i < hd / 2; i++) {
            const angle = t * inv[i]!;
            const x1 = x[base + i]!;
            const x2 = x[base + i + hd / 2]!;
            x[base + i] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
            x[base + i + hd / 2] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
          }
        }
      }
    };
    for (let layer = 0; layer < c.num_hidden_layers; layer++) {
      const p = `model.layers.${layer}`;
      const x: Matrix = { rows: T, cols: H, data: this.rmsNorm(h, H, this.w(`${p}.input_layernorm.weight`)) };
      let q = this.linear(x, `${p}.self_attn.q_proj`, qkvBias).data;
      let k = this.linear(x, `${p}.self_attn.k_proj`, qkvBias).data;
      const v = this.linear(x, `${p}.self_attn.v_proj`, qkvBias).data;
      if (qwen3) {
        q = this.rmsNorm(q, hd, this.w(`${p}.self_attn.q_norm.weight`));
        k = this.rmsNorm(k, hd, this.w(`${p}.self_attn.k_norm.weight`));
      }
      rotate(q, nh);
      rotate(k, kvh);
      const context = new Float64Array(T * nh * hd);
      for (let head = 0; head < nh; head++) {
        const kvHead = Math.floor(head / (nh / kvh));
        for (let i = 0; i < T; i++) {
          const scores: number[] = [];
          for (let j = 0; j <= i; j++) {
            let dot = 0;
            for (let d = 0; d < hd; d++) dot += q[i * nh * hd + head * hd + d]! * k[j * kvh * hd + kvHead * hd + d]!;
            scores.push(dot / Math.sqrt(hd));
          }
          const max = Math.max(...scores);
          const exps = scores.map((s) => Math.exp(s - max));
          const total = exps.reduce((s, e) => s + e, 0);
          for (let j = 0; j <= i; j++) {
            for (let d = 0; d < hd; d++) context[i * nh * hd + head * hd + d] += (exps[j]! / total) * v[j * kvh * hd + kvHead * hd + d]!;
          }
        }
      }
      const attention = this.linear({ rows: T, cols: nh * hd, data: context }, `${p}.self_attn.o_proj`, Boolean(c.attention_bias) && !qwen2);
      const afterAttention = h.map((value, i) => value + attention.data[i]!);
      const y: Matrix = { rows: T, cols: H, data: this.rmsNorm(afterAttention, H, this.w(`${p}.post_attention_layernorm.weight`)) };
      const gate = this.linear(y, `${p}.mlp.gate_proj`, false).data;
      const up = this.linear(y, `${p}.mlp.up_proj`, false).data;
      const activated = gate.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]!);
      const down = this.linear({ rows: T, cols: c.intermediate_size, data: activated }, `${p}.mlp.down_proj`, false);
      h = afterAttention.map((value, i) => value + down.data[i]!);
    }
    const normed = this.rmsNorm(h, H, this.w('model.norm.weight'));
    const head = c.tie_word_embeddings || !this.has('lm_head.weight') ? 'model.embed_tokens' : 'lm_head';
    const logits = this.linear({ rows: T, cols: H, data: normed }, head, false);
    const rows: Float64Array[] = [];
    for (let t = 0; t < T; t++) rows.push(logits.data.subarray(t * c.vocab_size, (t + 1) * c.vocab_size));
    return rows;
  }
}
