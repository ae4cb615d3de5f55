/**
 * Emits a GraphBuilder graph as an ONNX ModelProto (protobuf bytes). External initializers are
 * written with `location` = the file's basename and the offset/length into it; the session loader
 * tells onnxruntime which folder those names live in (see ../runtime/session.ts), because
 * onnxruntime refuses absolute paths, '..' and symlinks that leave the model folder.
 *
 * Field numbers follow onnx/onnx.proto.
 */
import * as path from 'node:path';
import type { GraphBuilder } from './builder';
import { ONNX_DTYPE } from './builder';
import type { Attribute, Initializer, InlineTensor, Value } from './ir';
import { ProtoWriter } from './protobuf';

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

export interface EmittedModel {
  bytes: Uint8Array;
  /** Absolute folders of external data files, keyed by the location string written into the model. */
  externalFiles: Map<string, string>;
}

export function emitModel(graph: GraphBuilder, producer = 'tunesmith'): EmittedModel {
  const externalFiles = new Map<string, string>();
  const model = new ProtoWriter();
  // IR version 8 goes with opset 17..18; newer opsets need higher IR versions.
  const defaultOpset = graph.opsets.get('') ?? 17;
  model.int(1, defaultOpset >= 21 ? 10 : defaultOpset >= 19 ? 9 : 8);
  model.string(2, producer);
  model.message(7, encodeGraph(graph, externalFiles));
  for (const [domain, version] of graph.opsets) {
    model.message(8, new ProtoWriter().string(1, domain).int(2, version));
  }
  return { bytes: model.finish(), externalFiles };
}

function encodeGraph(graph: GraphBuilder, externalFiles: Map<string, string>): ProtoWriter {
  const out = new ProtoWriter();
  for (const node of graph.nodes) {
    const n = new ProtoWriter();
    for (const input of node.inputs) n.string(1, input);
    for (const output of node.outputs) n.string(2, output);
    n.string(3, node.name);
    n.string(4, node.op);
    for (const [name, attribute] of Object.entries(node.attributes)) n.message(5, encodeAttribute(name, attribute));
    if (node.domain !== '') n.string(7, node.domain);
    out.message(1, n);
  }
  out.string(2, graph.name);
  for (const initializer of graph.initializers) out.message(5, encodeInitializer(initializer, externalFiles));
  for (const input of graph.inputs) out.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) out.message(12, encodeValueInfo(output));
  return out;
}

function encodeAttribute(name: string, attribute: Attribute): ProtoWriter {
  const a = new ProtoWriter().string(1, name);
  switch (attribute.kind) {
    case 'float':
      a.float(2, attribute.value);
      break;
    case 'int':
      a.int(3, attribute.value);
      break;
    case 'string':
      a.string(4, attribute.value);
      break;
    case 'tensor':
      a.message(5, encodeInlineTensor('', attribute.value));
      break;
    case 'floats':
      a.packedFloats(7, attribute.value);
      break;
    case 'ints':
      a.packedInts(8, attribute.value);
      break;
  }
  a.int(20, ATTRIBUTE_TYPE[attribute.kind]);
  return a;
}

function encodeInlineTensor(name: string, tensor: InlineTensor): ProtoWriter {
  const t = new ProtoWriter();
  t.packedInts(1, tensor.shape);
  t.int(2, ONNX_DTYPE[tensor.dtype]);
  if (name !== '') t.string(8, name);
  t.bytes(9, tensor.bytes);
  return t;
}

function encodeInitializer(initializer: Initializer, externalFiles: Map<string, string>): ProtoWriter {
  if (initializer.data.kind === 'inline') {
    return encodeInlineTensor(initializer.name, { dtype: initializer.dtype, shape: initializer.shape, bytes: initializer.data.bytes });
  }
  const t = new ProtoWriter();
  t.packedInts(1, initializer.shape);
  t.int(2, ONNX_DTYPE[initializer.dtype]);
  t.string(8, initializer.name);
  const location = path.basename(initializer.data.file);
  const folder = path.dirname(initializer.data.file);
  const known = externalFiles.get(location);
  if (known !== undefined && known !== folder) {
    // Two files with one basename in different folders cannot share one external-data folder.
    throw new Error(`external data files '${path.join(known, location)}' and '${initializer.data.file}' share a name`);
  }
  externalFiles.set(location, folder);
  const entry = (key: string, value: string): ProtoWriter => new ProtoWriter().string(1, key).string(2, value);
  t.message(13, entry('location', location));
  t.message(13, entry('offset', String(initializer.data.offset)));
  t.message(13, entry('length', String(initializer.data.length)));
  t.int(14, 1);
  return t;
}

function encodeValueInfo(value: Value): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of value.shape ?? []) {
    const d = new ProtoWriter();
    if (typeof dim === 'number') d.int(1, dim);
    else d.string(2, dim);
    shape.message(1, d);
  }
  const tensorType = new ProtoWriter().int(1, ONNX_DTYPE[value.dtype]);
  if (value.shape !== undefined) tensorType.message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, value.name).message(2, type);
}
