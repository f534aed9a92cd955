// Builds ONNX models with protobufjs from the schema subset in onnx.proto (the public ONNX schema,
// upstream field numbers). Exporters describe a graph with this builder; `toBytes` yields a
// ModelProto that onnxruntime loads.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const root = protobuf.loadSync(join(dirname(fileURLToPath(import.meta.url)), 'onnx.proto'));
const ModelProto = root.lookupType('onnx.ModelProto');

export const TensorType = { FLOAT: 1, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 } as const;
const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

/** An attribute value with its ONNX type spelled out (a JS number can't say float vs int). */
export type Attr =
  | { float: number }
  | { int: number }
  | { string: string }
  | { floats: ArrayLike<number> }
  | { ints: ArrayLike<number> }
  | { strings: string[] };

export type Dim = number | string;

interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, Attr>;
  domain?: string;
}

const enc = new TextEncoder();

function encodeAttr(name: string, a: Attr): Record<string, unknown> {
  if ('float' in a) return { name, type: AttrType.FLOAT, f: a.float };
  if ('int' in a) return { name, type: AttrType.INT, i: a.int };
  if ('string' in a) return { name, type: AttrType.STRING, s: enc.encode(a.string) };
  if ('floats' in a)
    return { name, type: AttrType.FLOATS, floats: Array.from(a.floats, (v) => Math.fround(v)) };
  if ('ints' in a) return { name, type: AttrType.INTS, ints: Array.from(a.ints) };
  return { name, type: AttrType.STRINGS, strings: a.strings.map((s) => enc.encode(s)) };
}

function valueInfo(name: string, elemType: number, dims: Dim[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export class OnnxGraphBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: Record<string, unknown>[] = [];
  private readonly inputs: ReturnType<typeof valueInfo>[] = [];
  private readonly outputs: ReturnType<typeof valueInfo>[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  input(name: string, dims: Dim[], elemType: number = TensorType.FLOAT): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, dims: Dim[], elemType: number = TensorType.FLOAT): string {
    this.outputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** A float32 constant (initializer); returns its name. */
  floats(name: string, data: ArrayLike<number>, dims: number[]): string {
    const f32 = Float32Array.from(data);
    const raw = new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
    this.initializers.push({ name, dims, dataType: TensorType.FLOAT, rawData: raw });
    return name;
  }

  /** A bool constant (initializer); returns its name. */
  bools(name: string, data: ArrayLike<boolean>, dims: number[]): string {
    const raw = Uint8Array.from(Array.from(data, (v) => (v ? 1 : 0)));
    this.initializers.push({ name, dims, dataType: TensorType.BOOL, rawData: raw });
    return name;
  }

  /** An int64 constant (initializer); returns its name. */
  int64s(name: string, data: ArrayLike<number>, dims: number[]): string {
    this.initializers.push({ name, dims, dataType: TensorType.INT64, int64Data: Array.from(data) });
    return name;
  }

  /** Adds a node; with no explicit output name one is generated. Returns the first output. */
  node(
    op: string,
    inputs: string[],
    opts: { outputs?: string[]; attrs?: Record<string, Attr>; domain?: string } = {},
  ) {
    const outputs = opts.outputs ?? [`${op.toLowerCase()}_${this.counter++}`];
    this.nodes.push({ op, inputs, outputs, attrs: opts.attrs, domain: opts.domain });
    return outputs[0]!;
  }

  toBytes(
    meta: { producer?: string; doc?: string; metadata?: Record<string, string>; mlOpset?: boolean } = {},
  ) {
    const opsetImport = [{ domain: '', version: 13 }];
    if (meta.mlOpset || this.nodes.some((n) => n.domain === 'ai.onnx.ml')) {
      opsetImport.push({ domain: 'ai.onnx.ml', version: 3 });
    }
    const model = {
      irVersion: 8,
      opsetImport,
      producerName: meta.producer ?? 'vigil',
      producerVersion: '0.1.0',
      docString: meta.doc ?? '',
      metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.name,
        node: this.nodes.map((n, i) => ({
          name: `${n.op}_${i}`,
          opType: n.op,
          domain: n.domain ?? '',
          input: n.inputs,
          output: n.outputs,
          attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => encodeAttr(k, v)),
        })),
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    const err = ModelProto.verify(model);
    if (err) throw new Error(`invalid ONNX model: ${err}`);
    return ModelProto.encode(ModelProto.fromObject(model)).finish();
  }
}

/** Decodes a ModelProto (for inspection and tests). */
export function decodeOnnxModel(bytes: Uint8Array): Record<string, any> {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, bytes: String }) as Record<
    string,
    any
  >;
}
