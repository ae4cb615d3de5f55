import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';
import { loadModelFolder } from '../../../engine/src/model/folder';
import { LORA_MODULES } from '../../../engine/src/model/decoder';
import { createSession } from '../../../engine/src/runtime/session';
import { buildTrainingGraph, IGNORE_INDEX } from '../../../engine/src/training/trainingGraph';
import { SeededRandom } from '../../../engine/src/training/random';

const script = path.resolve(__dirname, '../../../../test/fixtures/training/torch_reference.py');

/** The first Python that imports torch: PATH's python3, then Debian's (python3-torch installs there). */
function pythonWithTorch(): string | undefined {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    if (spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return candidate;
  }
  return undefined;
}

const python = pythonWithTorch();

for (const arch of ['llama', 'qwen2', 'qwen3'] as const) {
  test(
    `one training step of the tiny ${arch} model matches PyTorch autograd (loss and LoRA gradients within 1e-4)`,
    { skip: python === undefined ? "PyTorch is not installed (python3 -c 'import torch' failed); install Debian's python3-torch to run this comparison" : false, timeout: 120_000 },
    async () => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), `tunesmith-torch-${arch}-`));
      try {
        const dir = createTinyModel({
          out: root,
          arch,
          seed: 6,
          vocabSize: 400,
          initStd: 0.1,
          randomizeNorms: true,
          configOverrides: { hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 8 },
        }).dir;
        const folder = loadModelFolder(dir);
        const built = buildTrainingGraph(folder.config, { find: (name) => folder.tensors.get(name) }, { targets: LORA_MODULES, rank: 4, withGradients: true });
        const { session } = await createSession(built.graph, { threads: 1 });
        const random = new SeededRandom(21);
        const batch = 2;
        const sequence = 7;
        const n = batch * sequence;
        const ids = Array.from({ length: n }, () => random.integer(folder.config.vocabSize));
        // Row 0 packs two examples (segments 1 and 2); row 1 is one example with two padding slots.
        const segments = [1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 0, 0];
        const positions = [0, 1, 2, 3, 0, 1, 2, 0, 1, 2, 3, 4, 0, 0];
        const mask = segments.map((s) => (s === 0 ? 0 : 1));
        const labels = ids.map((_, i) => (segments[i] === 0 || i === 3 || i === 6 || i === 11 || i % 5 === 1 ? IGNORE_INDEX : random.integer(folder.config.vocabSize)));
        const weights = labels.map((l, i) => (l === IGNORE_INDEX ? 0 : i % 2 === 0 ? 1 : 0.5));
        const lora = built.parameters.map((p) => ({ name: p.name, shape: p.shape, data: Array.from({ length: p.shape[0] * p.shape[1] }, () => 0.2 * random.normal()) }));
        const scale = 1.75;
        const dims = [batch, sequence];
        const int64 = (values: number[]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims);
        const feeds: Record<string, ort.Tensor> = {
          input_ids: int64(ids),
          position_ids: int64(positions),
          attention_mask: int64(mask),
          segment_ids: int64(segments),
          labels: int64(labels),
          loss_weights: new ort.Tensor('float32', Float32Array.from(weights), dims),
          lora_scale: new ort.Tensor('float32', Float32Array.of(scale), []),
        };
        for (const p of lora) feeds[p.name] = new ort.Tensor('float32', Float32Array.from(p.data), p.shape);
        const ours = await session.run(feeds);
        await session.release();

        const rows = (values: number[]): number[][] => [values.slice(0, sequence), values.slice(sequence)];
        const input = path.join(root, 'input.json');
        const output = path.join(root, 'output.json');
        fs.writeFileSync(
          input,
          JSON.stringify({
            input_ids: rows(ids),
            position_ids: rows(positions),
            attention_mask: rows(mask),
            segment_ids: rows(segments),
            labels: rows(labels),
            loss_weights: rows(weights),
            lora_scale: scale,
            lora: Object.fromEntries(lora.map((p) => [p.name, { shape: p.shape, data: p.data }])),
          }),
        );
        const run = spawnSync(python!, [script, dir, input, output], { encoding: 'utf8', timeout: 100_000 });
        assert.equal(run.status, 0, `the PyTorch reference failed: ${run.stderr}`);
        const reference = JSON.parse(fs.readFileSync(output, 'utf8')) as { loss_sum: number; grads: Record<string, number[]> };

        const loss = Number(ours['loss_sum']!.data[0]);
        assert.ok(Math.abs(loss - reference.loss_sum) <= 1e-4 * Math.max(1, Math.abs(reference.loss_sum)), `loss ${loss} vs PyTorch ${reference.loss_sum}`);
        let worst = 0;
        let where = '';
        for (const p of built.parameters) {
          const mine = ours[`grad.${p.name}`]!.data as Float32Array;
          const theirs = reference.grads[p.name]!;
          for (let i = 0; i < theirs.length; i++) {
            const error = Math.abs(mine[i]! - theirs[i]!);
            if (error > worst) {
              worst = error;
              where = `${p.name}[${i}]: ${mine[i]} vs ${theirs[i]}`;
            }
          }
        }
        assert.ok(worst <= 1e-4, `largest LoRA gradient difference ${worst} at ${where}`);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  );
}
