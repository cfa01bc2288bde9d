/**
 * A built ONNX model opened for a graph pass: its nodes, initializers and outputs as plain
 * mutable records, and back to bytes. The quantization and fp16 passes rewrite the float
 * inference graph this way, so they never depend on how the emitter built it.
 */
import { AttributeType, ModelProto } from '../onnx/schema.js';

/** ONNX `TensorProto.DataType` codes the passes write (schema.ts lists the ones the builder writes). */
export const TENSOR_TYPE = { float32: 1, uint8: 2, int8: 3, int32: 6, float16: 10 } as const;

export interface PassNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  domain: string;
  /** Encoded AttributeProto records, kept as decoded. */
  attribute: unknown[];
}

export interface PassInitializer {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

interface DecodedModel {
  graph: {
    node: { input: string[]; output: string[]; name: string; opType: string; domain?: string; attribute?: unknown[] }[];
    initializer: { name: string; dims: (number | { toNumber(): number })[]; dataType: number; rawData: Uint8Array }[];
    input: { name: string; type: unknown }[];
    output: { name: string; type: unknown }[];
  };
  opsetImport: { domain?: string; version: unknown }[];
  [key: string]: unknown;
}

/**
 * A model open for rewriting.
 *
 * @example
 * const m = OpenModel.decode(bytes);
 * m.nodes = m.nodes.filter((n) => n.opType !== 'Identity');
 * const out = m.encode();
 */
export class OpenModel {
  nodes: PassNode[];
  readonly initializers: Map<string, PassInitializer>;

  private constructor(private readonly decoded: DecodedModel) {
    this.nodes = decoded.graph.node.map((n) => ({ opType: n.opType, inputs: [...n.input], outputs: [...n.output], name: n.name, domain: n.domain ?? '', attribute: n.attribute ?? [] }));
    this.initializers = new Map(decoded.graph.initializer.map((t) => [t.name, { name: t.name, dims: t.dims.map(Number), dataType: t.dataType, rawData: t.rawData }]));
  }

  static decode(bytes: Uint8Array): OpenModel {
    return new OpenModel(ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, arrays: true }) as unknown as DecodedModel);
  }

  /** The graph's input names. */
  get inputNames(): string[] {
    return this.decoded.graph.input.map((v) => v.name);
  }

  /** The graph's output names. */
  get outputNames(): string[] {
    return this.decoded.graph.output.map((v) => v.name);
  }

  /** Adds graph outputs of unknown shape (for calibration: every observed tensor). */
  addFloatOutputs(names: readonly string[]): void {
    for (const name of names) this.decoded.graph.output.push({ name, type: { tensorType: { elemType: TENSOR_TYPE.float32 } } });
  }

  /** The element type code of a graph input or output (TENSOR_TYPE), or undefined for another name. */
  valueType(name: string): number | undefined {
    const all = [...this.decoded.graph.input, ...this.decoded.graph.output];
    return (all.find((v) => v.name === name)?.type as { tensorType?: { elemType?: number } } | undefined)?.tensorType?.elemType;
  }

  /** A float32 initializer's values (a copy-free view when aligned). */
  floats(name: string): Float32Array | undefined {
    const t = this.initializers.get(name);
    if (!t || t.dataType !== TENSOR_TYPE.float32) return undefined;
    // Decoded bytes may be an unaligned view into the file (a Buffer slice): copy those.
    const bytes = t.rawData.byteOffset % 4 === 0 ? t.rawData : new Uint8Array(t.rawData);
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }

  /** Adds (or replaces) an initializer. */
  setInitializer(name: string, dataType: number, dims: readonly number[], data: ArrayBufferView): string {
    this.initializers.set(name, { name, dims: [...dims], dataType, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  /** A node record; `attributes` take ints and floats as ONNX attributes. */
  static node(opType: string, inputs: string[], outputs: string[], name: string, attributes: Record<string, number> = {}, domain = ''): PassNode {
    const attribute = Object.entries(attributes).map(([key, value]) => ({ name: key, type: AttributeType.INT, i: value }));
    return { opType, inputs, outputs, name, domain, attribute };
  }

  /** The model's bytes, with `metadata` merged into its metadata properties. */
  encode(metadata: Readonly<Record<string, string>> = {}): Uint8Array {
    const used = new Set(this.nodes.flatMap((n) => n.inputs));
    const domains = new Set(this.nodes.map((n) => n.domain).filter((d) => d !== ''));
    const known = new Set(this.decoded.opsetImport.map((o) => o.domain ?? ''));
    const props = [...((this.decoded.metadataProps as { key: string; value: string }[] | undefined) ?? []).filter((p) => !(p.key in metadata)), ...Object.entries(metadata).map(([key, value]) => ({ key, value }))];
    const message = {
      ...this.decoded,
      opsetImport: [...this.decoded.opsetImport, ...[...domains].filter((d) => !known.has(d)).map((domain) => ({ domain, version: 1 }))],
      metadataProps: props,
      graph: {
        ...this.decoded.graph,
        node: this.nodes.map((n) => ({ input: n.inputs, output: n.outputs, name: n.name, opType: n.opType, domain: n.domain, attribute: n.attribute })),
        // Initializers no node reads any more (the float weights a pass replaced) are dropped.
        initializer: [...this.initializers.values()].filter((t) => used.has(t.name)),
      },
    };
    return ModelProto.encode(ModelProto.fromObject(message)).finish();
  }
}
