// The subset of the public ONNX schema (onnx/onnx.proto, field numbers as published) needed to write
// small inference graphs, as a protobufjs descriptor, plus a helper that encodes a graph to model bytes.
import protobuf from 'protobufjs';

const descriptor = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            domain: { type: 'string', id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            strings: { rule: 'repeated', type: 'bytes', id: 9 },
            type: { type: 'int32', id: 20 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: 'repeated', type: 'float', id: 4 },
            int64Data: { rule: 'repeated', type: 'int64', id: 7 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
          },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } },
        },
        TypeProto: {
          fields: { tensorType: { type: 'TypeProtoTensor', id: 1 } },
        },
        TypeProtoTensor: {
          fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
        },
        Dimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
export const ModelProto = root.lookupType('onnx.ModelProto');

/** ONNX TensorProto.DataType values used here. */
export const OnnxDataType = { FLOAT: 1, INT64: 7 } as const;
/** AttributeProto.AttributeType values used here. */
export const OnnxAttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** float32 values (row-major) or, with dataType INT64, integers. */
  values: ArrayLike<number>;
  dataType?: number;
}

export type OnnxAttribute =
  | { name: string; f: number }
  | { name: string; i: number }
  | { name: string; s: string }
  | { name: string; floats: number[] }
  | { name: string; ints: number[] };

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attributes?: OnnxAttribute[];
}

export interface OnnxValueInfo {
  name: string;
  /** A dimension is a size, or a symbolic name such as 'batch'. */
  shape: (number | string)[];
  elemType?: number;
}

export interface OnnxGraph {
  name?: string;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  nodes: OnnxNode[];
  initializers?: OnnxTensor[];
  /** Opset of the default domain (default 17); add ai.onnx.ml etc. through extraOpsets. */
  opset?: number;
  extraOpsets?: { domain: string; version: number }[];
  producer?: string;
}

function tensorProto(t: OnnxTensor) {
  const dataType = t.dataType ?? OnnxDataType.FLOAT;
  if (dataType === OnnxDataType.FLOAT) {
    const f = Float32Array.from(t.values);
    return { name: t.name, dims: t.dims, dataType, rawData: new Uint8Array(f.buffer) };
  }
  return { name: t.name, dims: t.dims, dataType, int64Data: Array.from(t.values) };
}

function attributeProto(a: OnnxAttribute) {
  if ('f' in a) return { name: a.name, f: a.f, type: OnnxAttributeType.FLOAT };
  if ('i' in a) return { name: a.name, i: a.i, type: OnnxAttributeType.INT };
  if ('s' in a) return { name: a.name, s: new TextEncoder().encode(a.s), type: OnnxAttributeType.STRING };
  if ('floats' in a) return { name: a.name, floats: a.floats, type: OnnxAttributeType.FLOATS };
  return { name: a.name, ints: a.ints, type: OnnxAttributeType.INTS };
}

function valueInfo(v: OnnxValueInfo) {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.elemType ?? OnnxDataType.FLOAT,
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Encodes a graph as ONNX model bytes (IR version 8) that onnxruntime loads. */
export function encodeOnnxModel(g: OnnxGraph): Uint8Array {
  const message = ModelProto.fromObject({
    irVersion: 8,
    producerName: g.producer ?? 'vigil',
    opsetImport: [{ domain: '', version: g.opset ?? 17 }, ...(g.extraOpsets ?? [])],
    graph: {
      name: g.name ?? 'graph',
      node: g.nodes.map((n, i) => ({
        input: n.inputs,
        output: n.outputs,
        name: n.name ?? `${n.opType}_${i}`,
        opType: n.opType,
        domain: n.domain ?? '',
        attribute: (n.attributes ?? []).map(attributeProto),
      })),
      initializer: (g.initializers ?? []).map(tensorProto),
      input: g.inputs.map(valueInfo),
      output: g.outputs.map(valueInfo),
    },
  });
  return ModelProto.encode(message).finish();
}
