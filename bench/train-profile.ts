/**
 * Where a training step's time goes (not a test): onnxruntime's own profiler on the training bench's
 * step graph (SmolLM2-135M-shaped random model, LoRA r16 on all linear layers, 1 x 512 tokens, CPU).
 * Prints kernel time per op type and the costliest nodes of the last profiled step, and can write the
 * optimised model (what onnxruntime actually runs) for inspection.
 * Run: npx tsc -p tsconfig.json && node out/bench/train-profile.js [--threads N] [--seq N] [--steps N] [--top N]
 *      [--optimized FILE] [--no-arena] [--pattern] [--no-spin] [--prepack]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { emitModel } from '../engine/src/graph/onnx';
import { LORA_MODULES } from '../engine/src/model/decoder';
import { loadModelFolder } from '../engine/src/model/folder';
import { initialLoraParameters, peakMemoryBytes, trainingSessionSettings } from '../engine/src/training/trainer';
import { buildTrainingGraph } from '../engine/src/training/trainingGraph';
import { BenchArguments, smolLM2ShapedModel } from './common';

const args = new BenchArguments();
const threads = args.positiveNumber('threads') ?? os.availableParallelism();
const sequence = args.positiveNumber('seq') ?? 512;
const steps = args.positiveNumber('steps') ?? 3;
const top = args.positiveNumber('top') ?? 30;
const optimizedPath = args.option('optimized');

interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: { op_name?: string; provider?: string; input_type_shape?: Record<string, number[]>[]; output_type_shape?: Record<string, number[]>[] };
}

const shapesOf = (list: Record<string, number[]>[] | undefined): number[][] => (list ?? []).map((entry) => Object.values(entry)[0] ?? []);

/** FLOPs of a matrix product from its profiled shapes (batch dims folded in), or 0 for other ops. */
function productFlops(e: ProfileEvent): number {
  const op = e.args?.op_name;
  if (op !== 'Gemm' && op !== 'MatMul' && op !== 'FusedMatMul') return 0;
  const [a] = shapesOf(e.args?.input_type_shape);
  const [y] = shapesOf(e.args?.output_type_shape);
  if (a === undefined || y === undefined || a.length < 2 || y.length < 2) return 0;
  const m = y[y.length - 2]!;
  // K is A's dim that is not M (A may be transposed); batch dims multiply.
  const k = a[a.length - 2] === m ? a[a.length - 1]! : a[a.length - 2]!;
  return 2 * y.reduce((p, d) => p * d, 1) * k;
}

async function main(): Promise<void> {
  const folder = loadModelFolder(smolLM2ShapedModel());
  const built = buildTrainingGraph(folder.config, { find: (name) => folder.tensors.get(name) }, { targets: LORA_MODULES, rank: 16, withGradients: true });
  const { bytes, externalFiles } = emitModel(built.graph);
  const prefix = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-train-profile-')), 'step');
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    // The training settings (arena on, memory pattern off); --no-arena / --pattern to compare.
    enableCpuMemArena: args.has('no-arena') ? false : trainingSessionSettings.memoryArena,
    enableMemPattern: args.has('pattern') ? true : trainingSessionSettings.memoryPattern,
    enableProfiling: true,
    profileFilePrefix: prefix,
    ...(optimizedPath !== undefined ? { optimizedModelFilePath: path.resolve(optimizedPath) } : {}),
    extra: {
      session: {
        disable_prepacking: args.has('prepack') ? '0' : '1',
        model_external_initializers_file_folder_path: [...new Set(externalFiles.values())][0]!,
        ...(args.has('no-spin') ? { 'intra_op.allow_spinning': '0' } : {}),
      },
    },
  });
  const size = sequence;
  const ids = BigInt64Array.from({ length: size }, (_, i) => BigInt((i * 7919) % folder.config.vocabSize));
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, [1, size]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: size }, (_, i) => BigInt(i)), [1, size]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(size).fill(1n), [1, size]),
    segment_ids: new ort.Tensor('int64', new BigInt64Array(size).fill(1n), [1, size]),
    labels: new ort.Tensor('int64', BigInt64Array.from({ length: size }, (_, i) => (i === size - 1 ? -100n : ids[i + 1]!)), [1, size]),
    loss_weights: new ort.Tensor('float32', new Float32Array(size).fill(1), [1, size]),
    lora_scale: new ort.Tensor('float32', Float32Array.of(2), []),
  };
  for (const p of initialLoraParameters(built.parameters, 1)) feeds[p.name] = new ort.Tensor('float32', p.data, p.shape as number[]);
  const outputs = ['loss_sum', ...built.parameters.map((p) => `grad.${p.name}`)];
  const runMs: number[] = [];
  const usage: string[] = [];
  for (let s = 0; s <= steps; s++) {
    const before = process.resourceUsage();
    const started = performance.now();
    await session.run(feeds, outputs);
    runMs.push(performance.now() - started);
    const after = process.resourceUsage();
    usage.push(`user ${((after.userCPUTime - before.userCPUTime) / 1000).toFixed(0)} ms, system ${((after.systemCPUTime - before.systemCPUTime) / 1000).toFixed(0)} ms, ${after.minorPageFault - before.minorPageFault} minor faults`);
  }
  console.log(`per run: ${usage.join('; ')}`);
  console.log(`peak memory ${(peakMemoryBytes() / 1024 ** 3).toFixed(2)} GB`);
  session.endProfiling();
  await session.release();
  const file = fs.readdirSync(path.dirname(prefix)).find((name) => name.endsWith('.json'))!;
  const events = JSON.parse(fs.readFileSync(path.join(path.dirname(prefix), file), 'utf8')) as ProfileEvent[];
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const last = runs[runs.length - 1]!;
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time') && e.ts >= last.ts && e.ts <= last.ts + last.dur);
  const total = kernels.reduce((sum, e) => sum + e.dur, 0);
  console.log(`runs (ms): ${runMs.map((ms) => ms.toFixed(0)).join(', ')}; last profiled run ${(last.dur / 1000).toFixed(0)} ms, kernels ${(total / 1000).toFixed(0)} ms over ${kernels.length} nodes`);
  const byOp = new Map<string, { us: number; count: number }>();
  for (const e of kernels) {
    const op = e.args?.op_name ?? '?';
    const entry = byOp.get(op) ?? { us: 0, count: 0 };
    entry.us += e.dur;
    entry.count++;
    byOp.set(op, entry);
  }
  console.log('by op type:');
  for (const [op, { us, count }] of [...byOp].sort((a, b) => b[1].us - a[1].us)) {
    console.log(`  ${op.padEnd(24)} ${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${count} nodes`);
  }
  const products = new Map<string, { us: number; count: number; flops: number }>();
  for (const e of kernels) {
    const flops = productFlops(e);
    if (flops === 0) continue;
    const key = `${e.args!.op_name} ${shapesOf(e.args?.input_type_shape).map((d) => d.join('x')).join(', ')} -> ${shapesOf(e.args?.output_type_shape).map((d) => d.join('x')).join(', ')}${e.name.startsWith('grad.') ? ' (backward)' : ''}`;
    const entry = products.get(key) ?? { us: 0, count: 0, flops: 0 };
    entry.us += e.dur;
    entry.count++;
    entry.flops += flops;
    products.set(key, entry);
  }
  const productUs = [...products.values()].reduce((sum, p) => sum + p.us, 0);
  const productFlopsTotal = [...products.values()].reduce((sum, p) => sum + p.flops, 0);
  console.log(`matrix products: ${(productUs / 1000).toFixed(0)} ms, ${(productFlopsTotal / 1e9).toFixed(1)} GFLOP, ${(productFlopsTotal / productUs / 1e3).toFixed(1)} GFLOP/s; by shape:`);
  for (const [key, { us, count, flops }] of [...products].sort((a, b) => b[1].us - a[1].us).slice(0, top)) {
    console.log(`  ${(us / 1000).toFixed(1).padStart(7)} ms x${String(count).padEnd(4)} ${(flops / us / 1e3).toFixed(1).padStart(6)} GFLOP/s  ${key}`);
  }
  // Everything else by op and output shape: which memory-bound passes cost what.
  const passes = new Map<string, { us: number; count: number }>();
  for (const e of kernels) {
    if (productFlops(e) !== 0) continue;
    const key = `${e.args?.op_name ?? '?'} -> ${shapesOf(e.args?.output_type_shape).map((d) => d.join('x')).join(', ')}${e.name.startsWith('grad.') ? ' (backward)' : ''}`;
    const entry = passes.get(key) ?? { us: 0, count: 0 };
    entry.us += e.dur;
    entry.count++;
    passes.set(key, entry);
  }
  const passUs = [...passes.values()].reduce((sum, p) => sum + p.us, 0);
  console.log(`other ops: ${(passUs / 1000).toFixed(0)} ms; by op and output shape:`);
  for (const [key, { us, count }] of [...passes].sort((a, b) => b[1].us - a[1].us).slice(0, top)) {
    console.log(`  ${(us / 1000).toFixed(1).padStart(7)} ms x${String(count).padEnd(4)} ${key}`);
  }
  console.log(`costliest ${top} nodes:`);
  for (const e of [...kernels].sort((a, b) => b.dur - a.dur).slice(0, top)) {
    console.log(`  ${(e.dur / 1000).toFixed(2).padStart(7)} ms  ${(e.args?.op_name ?? '?').padEnd(18)} ${e.name.replace(/_kernel_time$/, '')}`);
  }
  // Per op type, grouped by node name with layer numbers erased: which kind of node in each layer costs what.
  const byRole = new Map<string, { us: number; count: number }>();
  for (const e of kernels) {
    const role = `${e.args?.op_name ?? '?'} ${e.name.replace(/_kernel_time$/, '').replace(/\d+/g, '#')}`;
    const entry = byRole.get(role) ?? { us: 0, count: 0 };
    entry.us += e.dur;
    entry.count++;
    byRole.set(role, entry);
  }
  console.log(`costliest ${top} node roles (digits erased):`);
  for (const [role, { us, count }] of [...byRole].sort((a, b) => b[1].us - a[1].us).slice(0, top)) {
    console.log(`  ${(us / 1000).toFixed(1).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}% x${String(count).padEnd(4)} ${role}`);
  }
  fs.rmSync(path.dirname(prefix), { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
