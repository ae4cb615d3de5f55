/**
 * Preview benchmark (not a test): how fast the panel answers what you type, and whether the engine
 * ever blocks the extension host. The bench process plays the extension host: it keeps the dataset
 * text, does the host's per-keystroke work (find and normalise the record with the language service's
 * library), and drives the real engine process through the preview's EngineClient, as the panel does.
 *
 *  - keystroke -> first streamed token of the adapter's answer, without the debounce and with the
 *    default 120 ms debounce (target < 300 ms on the tiny demo model), beside the engine's own
 *    time-to-first-token measured in the same request (the ratio is the preview's overhead);
 *  - a typing burst: each keystroke cancels the running answer and starts a new one; last key -> first token;
 *  - the host's per-keystroke work on a 2,000-record file;
 *  - the extension host's event-loop delay while the engine streams a long answer, against idle.
 *
 * Models: the tiny demo model and a random model shaped like SmolLM2-135M (fp32, CPU), each with a
 * random rank-16 LoRA adapter on every projection.
 * Run: npx tsc -p tsconfig.json && node out/bench/preview.js [--quick] [--threads N]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { GenerateRequest, GenerateTokenNotification, LoadAdapterRequest, LoadModelRequest } from '../protocol/messages';
import { type EngineClient, EngineRequestError, createPreviewEngineClient } from '../client/src/preview/engineClient';
import { previewTarget, previewTargetOfLine } from '../client/src/preview/record';
import { RoundScheduler } from '../client/src/preview/scheduler';
import { SeededRandom } from '../engine/src/generate/random';
import { type LoraAdapter, savePeftAdapter } from '../engine/src/lora/peft';
import { loadModelFolder } from '../engine/src/model/folder';
import { LORA_MODULES, moduleName, moduleShape } from '../engine/src/model/decoder';
import { createTinyModel } from '../engine/src/tiny/createTinyModel';
import { BenchArguments, percentile, sleep, smolLM2ShapedModel } from './common';

const args = new BenchArguments();
const quick = args.quick;
const threads = args.positiveNumber('threads');
const DEBOUNCE_MS = 120;
const RECORDS = 2000;
const EDITED_RECORD = 1000;

function randomAdapter(modelDir: string, out: string, rank: number, seed: number): void {
  const config = loadModelFolder(modelDir).config;
  const random = new SeededRandom(seed);
  const modules = new Map<string, { a: Float32Array; b: Float32Array; rank: number; scale: number }>();
  for (let layer = 0; layer < config.numLayers; layer++) {
    for (const module of LORA_MODULES) {
      const shape = moduleShape(config, module);
      modules.set(moduleName(layer, module), {
        a: Float32Array.from({ length: rank * shape.in }, () => random.normal() * 0.02),
        b: Float32Array.from({ length: shape.out * rank }, () => random.normal() * 0.02),
        rank,
        scale: 2,
      });
    }
  }
  const adapter: LoraAdapter = { peftConfig: { r: rank, lora_alpha: 2 * rank }, modules };
  savePeftAdapter(out, adapter, path.basename(modelDir));
}

/** A JSONL dataset of chat records; the instruction of record `EDITED_RECORD` is what the bench "types". */
function datasetLines(): string[] {
  const lines: string[] = [];
  for (let index = 0; index < RECORDS; index++) {
    lines.push(JSON.stringify({ messages: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: `Question ${index}: what is ${index} plus ${index}?` }, { role: 'assistant', content: `${index} plus ${index} is ${2 * index}.` }] }));
  }
  return lines;
}

/** The host side of one keystroke: edit the text, find the record under the cursor, build the prompt. */
function keystroke(lines: string[], typed: string): { messages: { role: string; content: string }[] } {
  const record = JSON.parse(lines[EDITED_RECORD] as string) as { messages: { role: string; content: string }[] };
  const user = record.messages[1];
  if (user !== undefined) user.content += typed;
  lines[EDITED_RECORD] = JSON.stringify(record);
  // As the host does for JSONL: parse only the line under the cursor.
  const target = previewTargetOfLine(lines[EDITED_RECORD] as string, EDITED_RECORD, EDITED_RECORD, benchFile);
  if (target?.messages === undefined) throw new Error('the edited record has no prompt');
  return { messages: target.messages };
}

const benchFile = { uri: 'file:///bench.jsonl', fileName: 'bench.jsonl', kind: 'jsonl' as const };

/** Host work per keystroke on a large file: the one-line path against parsing the whole file (JSON arrays take that path). */
function hostWork(records: number): { linePath: number; wholeFile: number; megabytes: number } {
  const lines = Array.from({ length: records }, (_, index) => JSON.stringify({ messages: [{ role: 'user', content: `Question ${index}: what is ${index} plus ${index}?` }, { role: 'assistant', content: `${index} plus ${index} is ${2 * index}.` }] }));
  const middle = Math.floor(records / 2);
  const linePath: number[] = [];
  const wholeFile: number[] = [];
  for (let run = 0; run < 7; run++) {
    let start = performance.now();
    previewTargetOfLine(lines[middle] as string, middle, middle, benchFile);
    linePath.push(performance.now() - start);
    start = performance.now();
    previewTarget(lines.join('\n'), { position: { line: middle, character: 0 } }, benchFile);
    wholeFile.push(performance.now() - start);
  }
  return { linePath: percentile(linePath, 0.5), wholeFile: percentile(wholeFile, 0.5), megabytes: lines.join('\n').length / 1e6 };
}

interface Timing {
  firstTokenMs: number;
  engineTimeToFirstTokenMs: number;
}

/** One keystroke -> first adapter token; the answer is then cancelled, as the next keystroke would. */
async function keystrokeToFirstToken(engine: EngineClient, modelId: string, adapterId: string, lines: string[], debounceMs: number, typed: string): Promise<Timing> {
  const start = performance.now();
  if (debounceMs > 0) await sleep(debounceMs);
  const { messages } = keystroke(lines, typed);
  const abort = new AbortController();
  let firstTokenMs = Number.NaN;
  let engineTimeToFirstTokenMs = Number.NaN;
  await engine
    .request(GenerateRequest.method, { modelId, adapterId, messages, maxTokens: 32, sampling: { temperature: 0 } }, {
      signal: abort.signal,
      onNotification: (method) => {
        if (method !== GenerateTokenNotification.method || !Number.isNaN(firstTokenMs)) return;
        firstTokenMs = performance.now() - start;
        abort.abort();
      },
    })
    .then(
      (result) => {
        engineTimeToFirstTokenMs = result.timeToFirstTokenMs;
      },
      (error: unknown) => {
        if (!(error instanceof EngineRequestError && error.code === 'cancelled')) throw error;
      },
    );
  return { firstTokenMs, engineTimeToFirstTokenMs };
}

/**
 * Keys every `intervalMs`, each starting a round through the preview's own RoundScheduler (which
 * aborts the running answer and waits for it to settle). Returns last key -> first token of the last answer.
 */
async function typingBurst(engine: EngineClient, modelId: string, adapterId: string, lines: string[], keys: number, intervalMs: number): Promise<number> {
  const scheduler = new RoundScheduler();
  let result = Number.NaN;
  const rounds: Promise<void>[] = [];
  for (let key = 0; key < keys; key++) {
    const keyTime = performance.now();
    const { messages } = keystroke(lines, String.fromCharCode(97 + (key % 26)));
    const isLast = key === keys - 1;
    rounds.push(
      scheduler.run(async (signal) => {
        await engine
          .request(GenerateRequest.method, { modelId, adapterId, messages, maxTokens: 64, sampling: { temperature: 0 } }, {
            signal,
            onNotification: () => {
              if (isLast && Number.isNaN(result)) {
                result = performance.now() - keyTime;
                scheduler.abort();
              }
            },
          })
          .catch(() => undefined);
      }),
    );
    if (!isLast) await sleep(intervalMs);
  }
  await Promise.all(rounds);
  return result;
}

async function eventLoopDelay(work: () => Promise<unknown>): Promise<{ p50: number; p99: number; max: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  await work();
  histogram.disable();
  return { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 };
}

async function benchModel(label: string, modelDir: string, adapterDir: string): Promise<void> {
  const workerPath = path.join(__dirname, '..', 'engine', 'src', 'worker.js');
  const engine = createPreviewEngineClient({ workerPath });
  try {
    const loadStart = performance.now();
    const model = await engine.request(LoadModelRequest.method, { path: modelDir, device: 'cpu', ...(threads === undefined ? {} : { threads }) });
    const adapter = await engine.request(LoadAdapterRequest.method, { modelId: model.modelId, path: adapterDir });
    console.log(`\n${label}: ${model.architecture}, ${(model.parameters / 1e6).toFixed(1)}M parameters, ${model.device}; load + adapter ${Math.round(performance.now() - loadStart)} ms`);
    const lines = datasetLines();
    // Warm-up: the first run of a session pays for graph optimisation.
    for (let warm = 0; warm < 2; warm++) await keystrokeToFirstToken(engine, model.modelId, adapter.adapterId, lines, 0, 'w');

    const runs = quick ? 5 : 15;
    const direct: Timing[] = [];
    for (let run = 0; run < runs; run++) direct.push(await keystrokeToFirstToken(engine, model.modelId, adapter.adapterId, lines, 0, 'x'));
    const debounced: Timing[] = [];
    for (let run = 0; run < Math.ceil(runs / 2); run++) debounced.push(await keystrokeToFirstToken(engine, model.modelId, adapter.adapterId, lines, DEBOUNCE_MS, 'y'));
    const firstToken = direct.map((timing) => timing.firstTokenMs);
    const engineFirst = direct.map((timing) => timing.engineTimeToFirstTokenMs).filter((value) => Number.isFinite(value));
    const median = percentile(firstToken, 0.5);
    console.log(`  keystroke -> first adapter token, no debounce:   median ${median.toFixed(1)} ms, p90 ${percentile(firstToken, 0.9).toFixed(1)} ms (${runs} keystrokes)`);
    const withDebounce = debounced.map((timing) => timing.firstTokenMs);
    const debouncedMedian = percentile(withDebounce, 0.5);
    const target = label.startsWith('tiny') ? (debouncedMedian < 300 ? '  [target < 300 ms: met]' : '  [target < 300 ms: MISSED]') : '';
    console.log(`  keystroke -> first adapter token, ${DEBOUNCE_MS} ms debounce: median ${debouncedMedian.toFixed(1)} ms, p90 ${percentile(withDebounce, 0.9).toFixed(1)} ms${target}`);
    if (engineFirst.length > 0) {
      const engineMedian = percentile(engineFirst, 0.5);
      console.log(`  engine's own time to first token (same requests): median ${engineMedian.toFixed(1)} ms -> preview overhead ${(median - engineMedian).toFixed(1)} ms, ratio ${(median / engineMedian).toFixed(2)}x`);
    }

    const bursts: number[] = [];
    for (let run = 0; run < (quick ? 2 : 4); run++) bursts.push(await typingBurst(engine, model.modelId, adapter.adapterId, lines, 10, 60));
    console.log(`  typing burst (10 keys, 60 ms apart, each cancels the last answer): last key -> first token median ${percentile(bursts, 0.5).toFixed(1)} ms`);

    const { messages } = keystroke(lines, '?');
    const idle = await eventLoopDelay(() => sleep(quick ? 1000 : 2000));
    let streamed = 0;
    const busy = await eventLoopDelay(() =>
      engine.request(GenerateRequest.method, { modelId: model.modelId, adapterId: adapter.adapterId, messages, maxTokens: quick ? 96 : 256, sampling: { temperature: 0.8, seed: 1 } }, { onNotification: () => streamed++ }),
    );
    console.log(`  host event-loop delay idle:                 p50 ${idle.p50.toFixed(2)} ms, p99 ${idle.p99.toFixed(2)} ms, max ${idle.max.toFixed(2)} ms`);
    console.log(`  host event-loop delay while ${String(streamed).padStart(3)} tokens stream: p50 ${busy.p50.toFixed(2)} ms, p99 ${busy.p99.toFixed(2)} ms, max ${busy.max.toFixed(2)} ms (p99 ratio ${(busy.p99 / idle.p99).toFixed(2)}x idle)`);
  } finally {
    await engine.dispose();
  }
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tunesmith-bench-preview-'));
  try {
    console.log(`preview benchmark: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), node ${process.version}${quick ? ', --quick' : ''}`);
    for (const records of [2_000, 100_000]) {
      const work = hostWork(records);
      console.log(`host work per keystroke, ${records} records (${work.megabytes.toFixed(1)} MB): JSONL one-line path ${work.linePath.toFixed(3)} ms, whole-file parse ${work.wholeFile.toFixed(1)} ms (${(work.wholeFile / work.linePath).toFixed(0)}x)`);
    }
    const tiny = path.join(root, 'tiny');
    createTinyModel({ out: tiny, seed: 0 });
    randomAdapter(tiny, path.join(root, 'tiny-adapter'), 16, 1);
    await benchModel('tiny demo model', tiny, path.join(root, 'tiny-adapter'));

    const smol = smolLM2ShapedModel();
    randomAdapter(smol, path.join(root, 'smol-adapter'), 16, 2);
    await benchModel('SmolLM2-135M-shaped', smol, path.join(root, 'smol-adapter'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
