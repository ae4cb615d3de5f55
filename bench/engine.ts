/**
 * Engine benchmark (not a test): a random model shaped like SmolLM2-135M, fp32, CPU.
 * Every ceiling is measured in the same run, so the ratios hold on any machine:
 *  - decode tokens/s vs the memory-bandwidth ceiling (bandwidth / weight bytes read per token);
 *  - prefill GFLOP/s vs onnxruntime's own MatMul GFLOP/s;
 *  - time to first token for a 200-token prompt, model load time, peak memory;
 *  - quantised weights (MatMulNBits int8/int4): speed-up and logit error.
 * Run: npm run bench:engine [-- --quick] [-- --threads N]. The random model (538 MB) is written once to
 * $TMPDIR/tunesmith-bench/smollm2-135m-random and reused; delete that folder to free the space.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../engine/src/graph/builder';
import { argmax } from '../engine/src/generate/sampler';
import { LoadedModel, type LoadOptions } from '../engine/src/runtime/model';
import { createSession } from '../engine/src/runtime/session';
import { quantizedLinear } from '../engine/src/runtime/quantize';
import { BenchArguments, median, SMOLLM2_135M, smolLM2ShapedModel } from './common';

const args = new BenchArguments();
const quick = args.quick;
const threads = args.positiveNumber('threads') ?? os.availableParallelism();
const DECODE_TOKENS = quick ? 8 : 16;
const ROUNDS = quick ? 2 : 5;
const PROMPT_TOKENS = 200;

async function timeRuns(run: () => Promise<unknown>, repeats: number): Promise<number> {
  await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return median(times);
}

/** A timed probe that is run again in every round (so ceilings and model see the same machine load). */
interface Probe {
  /** Milliseconds of one run. */
  time(): Promise<number>;
  release(): Promise<void>;
}

/** Read bandwidth: onnxruntime ReduceSum over a 256 MiB tensor (far larger than any cache). */
async function bandwidthProbe(): Promise<Probe & { bytes: number }> {
  const elements = 64 * 1024 * 1024;
  const g = new GraphBuilder('bandwidth');
  const x = g.input('x', 'float32', [elements / 1024, 1024]);
  g.output(g.reduceSum(x, [0, 1], false), 'sum');
  const { session } = await createSession(g, { threads, spinning: false });
  const feed = { x: new ort.Tensor('float32', new Float32Array(elements).fill(1), [elements / 1024, 1024]) };
  await session.run(feed);
  return { bytes: elements * 4, time: () => timeRuns(() => session.run(feed), 1), release: () => session.release() };
}

/** onnxruntime's fp32 MatMul for [m, k] x [k, n] (weight as an initializer, like the model). */
async function matmulProbe(m: number, k: number, n: number): Promise<Probe & { flops: number }> {
  const g = new GraphBuilder('matmul');
  const a = g.input('a', 'float32', [m, k]);
  const w = new Float32Array(k * n).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = g.initializer('b', 'float32', [k, n], new Uint8Array(w.buffer));
  g.output(g.matmul(a, b), 'c');
  const { session } = await createSession(g, { threads, spinning: false });
  const feed = { a: new ort.Tensor('float32', new Float32Array(m * k).fill(0.01), [m, k]) };
  await session.run(feed);
  return { flops: 2 * m * k * n, time: () => timeRuns(() => session.run(feed), 3), release: () => session.release() };
}

function modelFlopsPerToken(context: number): number {
  const c = SMOLLM2_135M;
  const q = c.num_attention_heads * c.head_dim;
  const kv = c.num_key_value_heads * c.head_dim;
  const projections = c.hidden_size * (q + 2 * kv) + q * c.hidden_size + 3 * c.hidden_size * c.intermediate_size;
  const attention = 2 * c.num_attention_heads * c.head_dim * context; // QK^T and AV
  return c.num_hidden_layers * (2 * projections + 2 * attention);
}

function prompt(length: number, vocab: number): number[] {
  return Array.from({ length }, (_, i) => (i * 7919 + 13) % (vocab - 300));
}

interface ModelFigures {
  model: LoadedModel;
  loadMs: number;
  prefillMs: number[];
  ttftMs: number[];
  decodeMs: number[];
  /** Per pair: prefill GFLOP/s divided by the MatMul probe's GFLOP/s measured right after it. */
  prefillRatios: number[];
  /** Per pair: weight bytes per decode step / step time, divided by the bandwidth probe's GB/s right after it. */
  decodeRatios: number[];
  /** Last-position logits for a few prompts (quality comparisons). */
  checkLogits: Float32Array[];
}

async function loadModel(dir: string, options: LoadOptions): Promise<{ model: LoadedModel; loadMs: number }> {
  const started = performance.now();
  const model = await LoadedModel.load(dir, { device: 'cpu', threads, spinning: false, ...options });
  return { model, loadMs: performance.now() - started };
}

async function checkLogits(model: LoadedModel): Promise<Float32Array[]> {
  const rows: Float32Array[] = [];
  for (let p = 0; p < 8; p++) {
    const tokens = prompt(24 + p, model.config.vocabSize).map((t) => (t * (p + 3)) % (model.config.vocabSize - 300));
    rows.push(Float32Array.from((await model.forward(tokens)).logits));
  }
  return rows;
}

function logitError(reference: Float32Array[], other: Float32Array[]): { maxAbs: number; relativeRms: number; top1Agreement: number } {
  let maxAbs = 0;
  let errorSquares = 0;
  let referenceSquares = 0;
  let agree = 0;
  reference.forEach((row, r) => {
    const otherRow = other[r]!;
    for (let i = 0; i < row.length; i++) {
      const d = otherRow[i]! - row[i]!;
      maxAbs = Math.max(maxAbs, Math.abs(d));
      errorSquares += d * d;
      referenceSquares += row[i]! ** 2;
    }
    if (argmax(row) === argmax(otherRow)) agree++;
  });
  return { maxAbs, relativeRms: Math.sqrt(errorSquares / referenceSquares), top1Agreement: agree / reference.length };
}

async function main(): Promise<void> {
  const dir = smolLM2ShapedModel();
  const weightBytes = fs.statSync(path.join(dir, 'model.safetensors')).size;
  console.log(`model: SmolLM2-135M-shaped random weights, fp32, ${(weightBytes / 1e6).toFixed(0)} MB; ${threads} threads; node ${process.version}, onnxruntime-node ${ort.env.versions.common}`);


  const variants: { label: string; options: LoadOptions }[] = [
    { label: 'fp32, base graph', options: { loraTargets: [] } },
    { label: 'fp32, LoRA inputs on all 7 projections (rank 0 fed)', options: {} },
    { label: 'int8 MatMulNBits (block 32)', options: { loraTargets: [], linearOverride: quantizedLinear(8) } },
    { label: 'int4 MatMulNBits (block 32; LM head int8)', options: { loraTargets: [], linearOverride: quantizedLinear(4) } },
  ];
  const figures: ModelFigures[] = [];
  let peakAfterFirst = 0;
  for (const [index, variant] of variants.entries()) {
    const { model, loadMs } = await loadModel(dir, variant.options);
    await model.forward(prompt(PROMPT_TOKENS, model.config.vocabSize)); // warm-up
    if (index === 0) peakAfterFirst = process.resourceUsage().maxRSS * 1024;
    figures.push({ model, loadMs, prefillMs: [], ttftMs: [], decodeMs: [], prefillRatios: [], decodeRatios: [], checkLogits: await checkLogits(model) });
  }

  // Probes are created after the first model was measured, so its peak memory is the model's alone.
  const bandwidth = await bandwidthProbe();
  const matmul = await matmulProbe(512, 2048, 2048);
  const probeGBs = (ms: number): number => bandwidth.bytes / (ms / 1000) / 1e9;
  const probeGflops = (ms: number): number => matmul.flops / (ms / 1000) / 1e9;

  // Each model measurement is paired with a ceiling probe run right after it, and the ratio is taken
  // per pair: on a shared machine the load drifts, and a pair sees (nearly) the same load. Every
  // session runs without spinning threads, so one session's idle threads never steal its partner's
  // cores (this costs the model a little wake-up latency per op: the ratios err on the low side).
  const prefillFlops = PROMPT_TOKENS * modelFlopsPerToken(PROMPT_TOKENS / 2) + 2 * 576 * 49152;
  const bandwidths: number[] = [];
  const matmuls: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const entry of figures) {
      const model = entry.model;
      const tokens = prompt(PROMPT_TOKENS, model.config.vocabSize);
      const started = performance.now();
      let step = await model.forward(tokens);
      const prefillMs = performance.now() - started;
      let next = argmax(step.logits);
      entry.ttftMs.push(performance.now() - started);
      entry.prefillMs.push(prefillMs);
      const matmulGflops = probeGflops(await matmul.time());
      matmuls.push(matmulGflops);
      entry.prefillRatios.push(prefillFlops / (prefillMs / 1000) / 1e9 / matmulGflops);
      for (let i = 0; i < DECODE_TOKENS; i++) {
        const stepStart = performance.now();
        step = await model.forward([next], step.cache);
        next = argmax(step.logits);
        const stepMs = performance.now() - stepStart;
        const gbs = probeGBs(await bandwidth.time());
        bandwidths.push(gbs);
        entry.decodeMs.push(stepMs);
        entry.decodeRatios.push(weightBytes / (stepMs / 1000) / 1e9 / gbs);
      }
    }
  }
  const bandwidthGBs = median(bandwidths);
  const squareGflops = median(matmuls);
  const decodeCeiling = bandwidthGBs / (weightBytes / 1e9);
  console.log(
    `ceilings (medians over the run): read bandwidth ${bandwidthGBs.toFixed(1)} GB/s (decode ceiling ${decodeCeiling.toFixed(1)} tokens/s for ${(weightBytes / 1e6).toFixed(0)} MB of fp32 weights); ` +
      `MatMul 512x2048x2048 ${squareGflops.toFixed(1)} GFLOP/s`,
  );
  console.log(`ratios are medians of per-pair ratios (each model measurement against the probe run right after it), ${ROUNDS} rounds x ${DECODE_TOKENS} decode steps`);
  const baseDecodeMs = median(figures[0]!.decodeMs);
  for (const [index, entry] of figures.entries()) {
    const decodeMs = median(entry.decodeMs);
    const tokensPerSecond = 1000 / decodeMs;
    const prefillGflops = prefillFlops / (median(entry.prefillMs) / 1000) / 1e9;
    const lines = [
      `load ${entry.loadMs.toFixed(0)} ms (graph ${entry.model.timings.buildMs.toFixed(0)} ms, session ${entry.model.timings.createMs.toFixed(0)} ms)`,
      `time to first token (${PROMPT_TOKENS}-token prompt) ${median(entry.ttftMs).toFixed(0)} ms`,
      `prefill ${prefillGflops.toFixed(1)} GFLOP/s; ${median(entry.prefillRatios).toFixed(2)}x onnxruntime's MatMul 512x2048x2048`,
      `decode ${tokensPerSecond.toFixed(1)} tokens/s; ${median(entry.decodeRatios).toFixed(2)}x the fp32 memory-bandwidth ceiling` +
        (index > 0 ? `; ${(baseDecodeMs / decodeMs).toFixed(2)}x the fp32 base graph` : ''),
    ];
    if (index >= 2) {
      const error = logitError(figures[0]!.checkLogits, entry.checkLogits);
      lines.push(
        `logit error vs fp32 (8 prompts): max ${error.maxAbs.toExponential(2)}, relative RMS ${(error.relativeRms * 100).toFixed(2)}%, same top-1 ${(error.top1Agreement * 100).toFixed(0)}% ` +
          `(random weights: nearly flat logits and no structure, a worst case for quantisation)`,
      );
    }
    if (index === 0) lines.push(`peak memory (RSS) with this model loaded and run ${(peakAfterFirst / 2 ** 20).toFixed(0)} MiB (weights ${(weightBytes / 2 ** 20).toFixed(0)} MiB)`);
    console.log(`${variants[index]!.label}:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  }
  console.log(`peak memory of the whole run (4 models and the probes loaded at once): ${((process.resourceUsage().maxRSS * 1024) / 2 ** 20).toFixed(0)} MiB`);
  for (const entry of figures) await entry.model.release();
  await Promise.all([bandwidth.release(), matmul.release()]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
