import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { createTinyModel } from '../../../engine/src/tiny/createTinyModel';
import { loadModelFolder } from '../../../engine/src/model/folder';
import { emitModel } from '../../../engine/src/graph/onnx';
import { LORA_MODULES } from '../../../engine/src/model/decoder';
import { addGradients } from '../../../engine/src/training/autodiff';
import { buildTrainingGraph, IGNORE_INDEX } from '../../../engine/src/training/trainingGraph';
import { SeededRandom } from '../../../engine/src/training/random';
import { toFloat64 } from './float64';

/**
 * The whole tiny model (every LoRA target, GQA, RoPE, RMSNorm, SwiGLU, tied embeddings; Qwen2 biases
 * and Qwen3 q/k norms in their variants), differentiated by the autodiff and compared with float64
 * central finite differences of the same graph.
 */
for (const arch of ['llama', 'qwen2', 'qwen3'] as const) {
  test(`LoRA gradients of the whole tiny ${arch} model match float64 finite differences`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tunesmith-gradmodel-${arch}-`));
    try {
      createTinyModel({
        out: dir,
        arch,
        seed: 3,
        vocabSize: 300,
        randomizeNorms: true,
        initStd: 0.2,
        configOverrides: { hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 4 },
      });
      const folder = loadModelFolder(dir);
      const rank = 2;
      const built = buildTrainingGraph(folder.config, { find: (name) => folder.tensors.get(name) }, { targets: LORA_MODULES, rank, withGradients: false });
      const g = toFloat64(built.graph);
      const loss = g.value('loss_sum');
      const { gradients } = addGradients(g, loss, built.parameters.map((p) => g.value(p.name)));
      for (const p of built.parameters) g.output(gradients.get(p.name)!, `grad.${p.name}`);
      const session = await ort.InferenceSession.create(emitModel(g).bytes);

      const random = new SeededRandom(11);
      const batch = 2;
      const sequence = 5;
      const ids = BigInt64Array.from({ length: batch * sequence }, () => BigInt(random.integer(folder.config.vocabSize)));
      // Padding positions never carry a label (as in the data pipeline): a query that sees no key has a
      // flat softmax in floating point, whose finite difference is zero.
      const labels = BigInt64Array.from({ length: batch * sequence }, (_, i) => (i % 4 === 0 || i === sequence ? BigInt(IGNORE_INDEX) : BigInt(random.integer(folder.config.vocabSize))));
      const weights = Float64Array.from({ length: batch * sequence }, (_, i) => (i % 3 === 0 ? 0.5 : 1));
      // Second row is left-padded by one: its first key slot is masked out.
      const mask = BigInt64Array.from({ length: batch * sequence }, (_, i) => (i === sequence ? 0n : 1n));
      const positions = BigInt64Array.from({ length: batch * sequence }, (_, i) => BigInt(i % sequence));
      const parameters = built.parameters.map((p) => Float64Array.from({ length: p.shape[0] * p.shape[1] }, () => 0.3 * random.normal()));
      const feeds = (): Record<string, ort.Tensor> => {
        const f: Record<string, ort.Tensor> = {
          input_ids: new ort.Tensor('int64', ids, [batch, sequence]),
          position_ids: new ort.Tensor('int64', positions, [batch, sequence]),
          attention_mask: new ort.Tensor('int64', mask, [batch, sequence]),
          segment_ids: new ort.Tensor('int64', mask, [batch, sequence]),
          labels: new ort.Tensor('int64', labels, [batch, sequence]),
          loss_weights: new ort.Tensor('float64', weights, [batch, sequence]),
          lora_scale: new ort.Tensor('float64', Float64Array.of(1.5), []),
        };
        built.parameters.forEach((p, i) => (f[p.name] = new ort.Tensor('float64', parameters[i]!, p.shape)));
        return f;
      };
      const analytic = await session.run(feeds());
      const step = 1e-6;
      let worst = 0;
      let where = '';
      let checked = 0;
      for (let t = 0; t < built.parameters.length; t++) {
        const values = parameters[t]!;
        const gradient = analytic[`grad.${built.parameters[t]!.name}`]!.data as Float64Array;
        // Every other element keeps the test quick while covering every tensor.
        for (let k = 0; k < values.length; k += 2) {
          const saved = values[k]!;
          values[k] = saved + step;
          const up = Number((await session.run(feeds(), ['loss_sum']))['loss_sum']!.data[0]);
          values[k] = saved - step;
          const down = Number((await session.run(feeds(), ['loss_sum']))['loss_sum']!.data[0]);
          values[k] = saved;
          const numeric = (up - down) / (2 * step);
          const relative = Math.abs(numeric - gradient[k]!) / Math.max(1e-2, Math.abs(numeric), Math.abs(gradient[k]!));
          if (relative > worst) {
            worst = relative;
            where = `${built.parameters[t]!.name}[${k}] numeric ${numeric} analytic ${gradient[k]}`;
          }
          checked++;
        }
      }
      await session.release();
      assert.ok(checked > 100);
      assert.ok(worst < 1e-5, `worst relative error ${worst} at ${where}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
