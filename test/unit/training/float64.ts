/**
 * Test-only: a float64 copy of a float32 graph, so the whole model's gradients can be checked against
 * finite differences in double precision. External float32 weights are read and inlined as doubles;
 * Cast targets and ConstantOfShape fills that are float32 become float64.
 */
import { GraphBuilder, ONNX_DTYPE } from '../../../engine/src/graph/builder';
import { attr, type Attribute, type DType, type Value } from '../../../engine/src/graph/ir';
import { toFloat32 } from '../../../engine/src/model/safetensors';
import * as fs from 'node:fs';

const widen = (dtype: DType): DType => (dtype === 'float32' ? 'float64' : dtype);

export function toFloat64(source: GraphBuilder): GraphBuilder {
  const g = new GraphBuilder(`${source.name}_f64`);
  const initializerNames = new Set(source.initializers.map((i) => i.name));
  for (const input of source.inputs) if (!initializerNames.has(input.name)) g.input(input.name, widen(input.dtype), input.shape ?? []);
  for (const initializer of source.initializers) {
    let bytes: Uint8Array;
    if (initializer.data.kind === 'inline') bytes = initializer.data.bytes;
    else {
      const fd = fs.openSync(initializer.data.file, 'r');
      bytes = Buffer.alloc(initializer.data.length);
      fs.readSync(fd, bytes, 0, initializer.data.length, initializer.data.offset);
      fs.closeSync(fd);
    }
    if (initializer.dtype === 'float32' || initializer.dtype === 'float16' || initializer.dtype === 'bfloat16') {
      bytes = new Uint8Array(Float64Array.from(toFloat32(bytes, initializer.dtype)).buffer);
      g.initializer(initializer.name, 'float64', initializer.shape, bytes);
    } else {
      g.initializer(initializer.name, initializer.dtype, initializer.shape, Uint8Array.from(bytes));
    }
  }
  for (const node of source.nodes) {
    const attributes: Record<string, Attribute> = {};
    for (const [key, value] of Object.entries(node.attributes)) {
      if (node.op === 'Cast' && key === 'to' && value.kind === 'int' && value.value === ONNX_DTYPE.float32) attributes[key] = attr.int(ONNX_DTYPE.float64);
      else if (value.kind === 'tensor' && value.value.dtype === 'float32') {
        const floats = new Float32Array(value.value.bytes.slice().buffer);
        attributes[key] = attr.tensor({ dtype: 'float64', shape: value.value.shape, bytes: new Uint8Array(Float64Array.from(floats).buffer) });
      } else attributes[key] = value;
    }
    const inputs = node.inputs.map((name): Value | undefined => (name === '' ? undefined : g.value(name)));
    const outputs = node.outputs.map((name) => {
      const v = source.value(name);
      return { dtype: widen(v.dtype), shape: v.shape, name };
    });
    g.op(node.op, inputs, outputs, attributes, node.domain);
  }
  for (const output of source.outputs) g.output(g.value(output.name));
  return g;
}
