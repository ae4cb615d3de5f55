/**
 * Engine benchmark (not a test): a random model shaped like SmolLM2-135M, fp32, CPU.
 * Every ceiling is measured in the same run, so the ratios hold on any machine:
 *  - decode tokens/s vs the memory-bandwidth ceiling (bandwidth / weight bytes read per token);
 *  - prefill GFLOP/s vs onnxruntime's own MatMul GFLOP/s;
 *  - time to first token for a 200-token prompt, model load time, peak memory;
 *  - quantised weights (MatMulNBits int8/int4): speed-up and logit error.
 * Run: npm run bench:engine [-- --quick] [-- --threads N]
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
import { createTinyModel } from '../engine/src/tiny/createTinyModel';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const threadsArg = args.indexOf('--threads');
const threads = threadsArg >= 0 ? Number(args[threadsArg + 1]) : os.availableParallelism();
const DECODE_TOKENS = quick ? 24 : 64;
const PROMPT_TOKENS = 200;

const SMOLLM2_135M = {
  hidden_size: 576,
  intermediate_size: 1536,
  num_hidden_layers: 30,
  num_attention_heads: 9,
  num_key_value_heads: 3,
  head_dim: 64,
  rope_theta: 100000,
  max_position_embeddings: 8192,
  tie_word_embeddings: true,
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

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

/** Read bandwidth: onnxruntime ReduceSum over a 256 MiB tensor (far larger than any cache). */
async function measureBandwidth(): Promise<number> {
  const elements = 64 * 1024 * 1024;
  const g = new GraphBuilder('bandwidth');
  const x = g.input('x', 'float32', [elements / 1024, 1024]);
  g.output(g.reduceSum(x, [0, 1], false), 'sum');
  const { session } = await createSession(g, { threads });
  const feed = { x: new ort.Tensor('float32', new Float32Array(elements).fill(1), [elements / 1024, 1024]) };
  const ms = await timeRuns(() => session.run(feed), quick ? 5 : 9);
  await session.release();
  return (elements * 4) / (ms / 1000) / 1e9;
}

/** onnxruntime's fp32 MatMul throughput for [m, k] x [k, n] (weight as an initializer, like the model). */
async function measureMatMul(m: number, k: number, n: number): Promise<number> {
  const g = new GraphBuilder('matmul');
  const a = g.input('a', 'float32', [m, k]);
  const w = new Float32Array(k * n).map((_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const b = g.initializer('b', 'float32', [k, n], new Uint8Array(w.buffer));
  g.output(g.matmul(a, b), 'c');
  const { session } = await createSession(g, { threads });
  const feed = { a: new ort.Tensor('float32', new Float32Array(m * k).fill(0.01), [m, k]) };
  const ms = await timeRuns(() => session.run(feed), quick ? 5 : 9);
  await session.release();
  return (2 * m * k * n) / (ms / 1000) / 1e9;
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

interface DecodeFigures {
  loadMs: number;
  ttftMs: number;
  prefillMs: number;
  decodeTokensPerSecond: number;
  lastLogits: Float32Array;
}

async function runModel(dir: string, options: LoadOptions): Promise<DecodeFigures & { model: LoadedModel }> {
  const started = performance.now();
  const model = await LoadedModel.load(dir, { device: 'cpu', threads, ...options });
  const loadMs = performance.now() - started;
  const tokens = prompt(PROMPT_TOKENS, model.config.vocabSize);
  await model.forward(tokens.slice(0, 8)); // warm-up
  const prefillTimes: number[] = [];
  let step = await model.forward(tokens);
  for (let i = 0; i < (quick ? 2 : 3); i++) {
    const t = performance.now();
    step = await model.forward(tokens);
    prefillTimes.push(performance.now() - t);
  }
  const prefillMs = median(prefillTimes);
  // TTFT: prefill plus choosing the first token.
  const ttftStart = performance.now();
  step = await model.forward(tokens);
  let next = argmax(step.logits);
  const ttftMs = performance.now() - ttftStart;
  const decodeStart = performance.now();
  for (let i = 0; i < DECODE_TOKENS; i++) {
    step = await model.forward([next], step.cache);
    next = argmax(step.logits);
  }
  const decodeTokensPerSecond = DECODE_TOKENS / ((performance.now() - decodeStart) / 1000);
  const check = await model.forward(tokens.slice(0, 32));
  return { model, loadMs, ttftMs, prefillMs, decodeTokensPerSecond, lastLogits: Float32Array.from(check.logits) };
}

function logitError(reference: Float32Array, other: Float32Array): { maxAbs: number; relativeRms: number; top1: boolean } {
  let maxAbs = 0;
  let errorSquares = 0;
  let referenceSquares = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = other[i]! - reference[i]!;
    maxAbs = Math.max(maxAbs, Math.abs(d));
    errorSquares += d * d;
    referenceSquares += reference[i]! ** 2;
  }
  return { maxAbs, relativeRms: Math.sqrt(errorSquares / referenceSquares), top1: argmax(reference) === argmax(other) };
}

async function main(): Promise<void> {
  const dir = path.join(os.tmpdir(), 'tunesmith-bench', 'smollm2-135m-random');
  const started = performance.now();
  if (!fs.existsSync(path.join(dir, 'model.safetensors'))) {
    createTinyModel({ out: dir, arch: 'llama', seed: 1, vocabSize: 49152, initStd: 0.02, configOverrides: SMOLLM2_135M });
    console.log(`created ${dir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const weightBytes = fs.statSync(path.join(dir, 'model.safetensors')).size;
  console.log(`model: SmolLM2-135M-shaped random weights, fp32, ${(weightBytes / 1e6).toFixed(0)} MB; ${threads} threads; node ${process.version}, onnxruntime-node ${ort.env.versions.common}`);

  const bandwidth = await measureBandwidth();
  const matmulSquare = await measureMatMul(512, 2048, 2048);
  const matmulModel = await measureMatMul(PROMPT_TOKENS, 576, 1536);
  console.log(`ceilings: read bandwidth ${bandwidth.toFixed(1)} GB/s; MatMul 512x2048x2048 ${matmulSquare.toFixed(1)} GFLOP/s, ${PROMPT_TOKENS}x576x1536 ${matmulModel.toFixed(1)} GFLOP/s`);

  const fp32 = await runModel(dir, { loraTargets: [] });
  const peakAfterFp32 = process.resourceUsage().maxRSS * 1024;
  const decodeCeiling = bandwidth / (weightBytes / 1e9);
  const prefillFlops = PROMPT_TOKENS * modelFlopsPerToken(PROMPT_TOKENS / 2) + 2 * 576 * 49152;
  const prefillGflops = prefillFlops / (fp32.prefillMs / 1000) / 1e9;
  const lines: string[] = [];
  const row = (label: string, value: string): void => {
    lines.push(`  ${label.padEnd(44)} ${value}`);
  };
  row('load (read, build graph, create session)', `${fp32.loadMs.toFixed(0)} ms (graph ${fp32.model.timings.buildMs.toFixed(0)} ms, session ${fp32.model.timings.createMs.toFixed(0)} ms)`);
  row(`time to first token, ${PROMPT_TOKENS}-token prompt`, `${fp32.ttftMs.toFixed(0)} ms`);
  row('prefill throughput', `${prefillGflops.toFixed(1)} GFLOP/s = ${(prefillGflops / matmulSquare).toFixed(2)}x MatMul 512x2048x2048, ${(prefillGflops / matmulModel).toFixed(2)}x MatMul at model shape`);
  row('decode', `${fp32.decodeTokensPerSecond.toFixed(1)} tokens/s = ${(fp32.decodeTokensPerSecond / decodeCeiling).toFixed(2)}x the bandwidth ceiling (${decodeCeiling.toFixed(1)} tokens/s)`);
  row('peak memory (RSS)', `${(peakAfterFp32 / 2 ** 20).toFixed(0)} MiB (weights ${(weightBytes / 2 ** 20).toFixed(0)} MiB)`);
  console.log(`fp32, base graph:\n${lines.join('\n')}`);
  await fp32.model.release();

  const lora = await runModel(dir, {});
  console.log(`fp32 with LoRA inputs on all 7 projections (rank 0 fed): decode ${lora.decodeTokensPerSecond.toFixed(1)} tokens/s (${(lora.decodeTokensPerSecond / fp32.decodeTokensPerSecond).toFixed(2)}x base graph), TTFT ${lora.ttftMs.toFixed(0)} ms`);
  await lora.model.release();

  for (const bits of [8, 4] as const) {
    const quantized = await runModel(dir, { loraTargets: [], linearOverride: quantizedLinear(bits) });
    const error = logitError(fp32.lastLogits, quantized.lastLogits);
    console.log(
      `int${bits} MatMulNBits (block 32): decode ${quantized.decodeTokensPerSecond.toFixed(1)} tokens/s = ${(quantized.decodeTokensPerSecond / fp32.decodeTokensPerSecond).toFixed(2)}x fp32, ` +
        `${(quantized.decodeTokensPerSecond / decodeCeiling).toFixed(2)}x the fp32 ceiling; TTFT ${quantized.ttftMs.toFixed(0)} ms; load ${quantized.loadMs.toFixed(0)} ms; ` +
        `logit error max ${error.maxAbs.toExponential(2)}, relative RMS ${(error.relativeRms * 100).toFixed(2)}%, same top-1: ${error.top1}`,
    );
    await quantized.model.release();
  }
  console.log(`peak memory of the whole run: ${((process.resourceUsage().maxRSS * 1024) / 2 ** 20).toFixed(0)} MiB`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
