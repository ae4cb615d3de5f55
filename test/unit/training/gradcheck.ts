/**
 * Gradient checking for the autodiff: builds a small graph in the engine's builder, lets `addGradients`
 * append the backward pass, runs it in onnxruntime and compares every analytic gradient with central
 * finite differences of the same graph's loss (computed in float64 by onnxruntime itself).
 */
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../engine/src/graph/builder';
import { emitModel } from '../../../engine/src/graph/onnx';
import type { DType, Value } from '../../../engine/src/graph/ir';
import { addGradients } from '../../../engine/src/training/autodiff';
import { SeededRandom } from '../../../engine/src/training/random';

export interface InputSpec {
  name: string;
  shape: number[];
  /** Values; random normal when omitted. */
  values?: number[];
  /** Draw values in [0.5, 1.5] (for Sqrt, Log, Div denominators, Pow bases). */
  positive?: boolean;
}

export interface GradcheckResult {
  worstRelativeError: number;
  worstAbsoluteError: number;
  where: string;
}

/** A float64 constant as an initializer (the builder's `constant` covers float32 only). */
export function constant64(graph: GraphBuilder, values: readonly number[], shape: readonly number[]): Value {
  return graph.initializer(graph.uniqueName('c64'), 'float64', shape, new Uint8Array(Float64Array.from(values).buffer));
}

/**
 * Checks d(loss)/d(inputs) where loss = sum(build(inputs) * R) for a fixed random R, so every output
 * element gets a distinct weight.
 */
export async function gradcheck(inputs: InputSpec[], build: (graph: GraphBuilder, values: Value[]) => Value, options: { dtype?: DType; seed?: number; step?: number } = {}): Promise<GradcheckResult> {
  const dtype = options.dtype ?? 'float64';
  const random = new SeededRandom(options.seed ?? 1);
  const graph = new GraphBuilder('gradcheck');
  const values = inputs.map((spec) => graph.input(spec.name, dtype, spec.shape));
  const output = build(graph, values);
  const outputShape = output.shape;
  if (outputShape === undefined || outputShape.some((d) => typeof d !== 'number')) throw new Error('gradcheck needs a static output shape');
  const count = (outputShape as number[]).reduce((p, d) => p * d, 1);
  const weights = Array.from({ length: count }, () => random.normal());
  const weightValue = dtype === 'float64' ? constant64(graph, weights, outputShape as number[]) : graph.constant('float32', weights, outputShape as number[]);
  const weighted = graph.mul(output, weightValue);
  const loss = graph.op('ReduceSum', [weighted], [{ dtype, shape: [] }], { keepdims: { kind: 'int', value: 0 } })[0]!;
  graph.output(loss, 'loss');
  const { gradients } = addGradients(graph, loss, values);
  for (const value of values) graph.output(gradients.get(value.name)!, `grad_${value.name}`);
  const session = await ort.InferenceSession.create(emitModel(graph).bytes);

  const data = inputs.map((spec) => {
    const n = spec.shape.reduce((p, d) => p * d, 1);
    return spec.values !== undefined ? Float64Array.from(spec.values) : Float64Array.from({ length: n }, () => (spec.positive ? 0.5 + random.next() : random.normal()));
  });
  const makeFeeds = (arrays: Float64Array[]): Record<string, ort.Tensor> => {
    const feeds: Record<string, ort.Tensor> = {};
    inputs.forEach((spec, i) => {
      feeds[spec.name] = dtype === 'float64' ? new ort.Tensor('float64', arrays[i]!, spec.shape) : new ort.Tensor('float32', Float32Array.from(arrays[i]!), spec.shape);
    });
    return feeds;
  };
  const lossAt = async (arrays: Float64Array[]): Promise<number> => Number((await session.run(makeFeeds(arrays), ['loss']))['loss']!.data[0]);
  const analytic = await session.run(makeFeeds(data));
  const step = options.step ?? (dtype === 'float64' ? 1e-6 : 1e-2);
  let worstRelativeError = 0;
  let worstAbsoluteError = 0;
  let where = '';
  for (let i = 0; i < inputs.length; i++) {
    const gradient = analytic[`grad_${inputs[i]!.name}`]!.data as Float64Array | Float32Array;
    for (let k = 0; k < data[i]!.length; k++) {
      const saved = data[i]![k]!;
      data[i]![k] = saved + step;
      const up = await lossAt(data);
      data[i]![k] = saved - step;
      const down = await lossAt(data);
      data[i]![k] = saved;
      const numeric = (up - down) / (2 * step);
      const absolute = Math.abs(numeric - gradient[k]!);
      const relative = absolute / Math.max(1, Math.abs(numeric), Math.abs(gradient[k]!));
      if (relative > worstRelativeError) {
        worstRelativeError = relative;
        where = `${inputs[i]!.name}[${k}]: numeric ${numeric}, analytic ${gradient[k]}`;
      }
      worstAbsoluteError = Math.max(worstAbsoluteError, absolute);
    }
  }
  await session.release();
  return { worstRelativeError, worstAbsoluteError, where };
}
