/**
 * An in-memory ONNX graph under construction: values are named strings, nodes are appended in
 * execution order, constants become initializers. Pure: serialises to ModelProto bytes, runs
 * nothing (the session module does that).
 */
import { AttributeType, ELEM_TYPE_CODES, type ElemType, ModelProto } from './schema.js';

/** An attribute value with its ONNX type made explicit (ONNX distinguishes 1 from 1.0). */
export type Attribute =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly string: string }
  /** A subgraph (the body of Scan, Loop or If), from `GraphBuilder.subgraph`. */
  | { readonly graph: GraphBuilder };

/** A dimension: a fixed size or a symbolic name (`'batch'`). */
export type Dim = number | string;

export interface ConstantData {
  readonly type: ElemType;
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array | Int32Array | Uint8Array;
}

interface NodeRecord {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, Attribute>>;
  readonly name: string;
  readonly domain: string;
}

interface ValueInfo {
  readonly name: string;
  readonly type: ElemType;
  readonly dims?: readonly Dim[];
}

export interface ModelOptions {
  /** Default opset: 17 (BatchNormalization with training_mode needs ≥ 15). */
  readonly opset?: number;
  readonly producerName?: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /**
   * Let the node that produces a value renamed as an output write the output's name, dropping the
   * Identity `output` added (see `outputRenames`). Off by default: value names then depend on
   * which outputs the graph declares, and int8 calibration keys its ranges by name.
   */
  readonly renameOutputs?: boolean;
}

export const DEFAULT_OPSET = 17;

/** onnxruntime's blocked-layout CPU operators (ReorderInput, Conv, ReorderOutput). */
export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

/** Initializers at least this large go to external data (ONNX's `data_location = EXTERNAL`). */
const EXTERNAL_MIN_BYTES = 1024;

/** A model whose large initializers live outside the protobuf, one in-memory "file" each. */
export interface ModelWithExternalData {
  readonly model: Uint8Array;
  /** `path` as the initializer names it, `data` the tensor's own bytes (not copied), at `offset` in that file. */
  readonly externalData: readonly { readonly path: string; readonly data: Uint8Array; readonly offset: number }[];
}

/**
 * Builds one ONNX graph.
 *
 * @example
 * const g = new GraphBuilder('tiny');
 * const x = g.input('x', 'float32', ['batch', 4]);
 * g.output(g.node('Relu', [x]));
 * const bytes = g.toModel();
 */
export class GraphBuilder {
  private readonly nodes: NodeRecord[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers = new Map<string, ConstantData>();
  private readonly usedNames: Set<string>;
  private readonly counter: { next: number };

  constructor(readonly name: string, parent?: GraphBuilder) {
    // A subgraph shares its parent's names: ONNX values are unique across scopes.
    this.usedNames = parent?.usedNames ?? new Set();
    this.counter = parent?.counter ?? { next: 0 };
  }

  /**
   * An empty subgraph whose value names never clash with this graph's; its nodes may read this
   * graph's values by name. Pass it as a `{ graph }` attribute.
   *
   * @example
   * const body = g.subgraph('body');
   * g.nodeMulti('Scan', [init, xs], 1, { num_scan_inputs: { int: 1 }, body: { graph: body } });
   */
  subgraph(name: string): GraphBuilder {
    return new GraphBuilder(name, this);
  }

  /** A fresh value name starting with `prefix`. */
  fresh(prefix: string): string {
    let candidate = prefix;
    while (this.usedNames.has(candidate)) candidate = `${prefix}__${this.counter.next++}`;
    this.usedNames.add(candidate);
    return candidate;
  }

  /** Declares a graph input. */
  input(name: string, type: ElemType, dims: readonly Dim[]): string {
    if (this.usedNames.has(name)) throw new Error(`graph ${this.name}: value '${name}' is defined twice`);
    this.usedNames.add(name);
    this.inputs.push({ name, type, dims });
    return name;
  }

  /** Marks a value as a graph output, renaming it with an Identity when `as` differs. */
  output(value: string, as: string = value, type: ElemType = 'float32', dims?: readonly Dim[]): string {
    let name = value;
    if (as !== value) {
      if (this.usedNames.has(as)) throw new Error(`graph ${this.name}: output name '${as}' is already used`);
      this.usedNames.add(as);
      this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [as], attributes: {}, name: `${as}/identity`, domain: '' });
      name = as;
    }
    this.outputs.push({ name, type, dims });
    return name;
  }

  /** A named constant tensor (initializer). */
  constant(prefix: string, data: ConstantData): string {
    const name = this.fresh(prefix);
    this.initializers.set(name, data);
    return name;
  }

  /** A float32 constant. */
  floats(prefix: string, dims: readonly number[], values: Float32Array | readonly number[]): string {
    return this.constant(prefix, { type: 'float32', dims, data: values instanceof Float32Array ? values : Float32Array.from(values) });
  }

  /** An int64 constant (shapes, axes). */
  int64s(prefix: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(prefix, { type: 'int64', dims, data: BigInt64Array.from(values.map(BigInt)) });
  }

  /** Appends a node with one output and returns the output's name. */
  node(opType: string, inputs: readonly string[], attributes: Record<string, Attribute> = {}, outputName?: string): string {
    return this.nodeMulti(opType, inputs, 1, attributes, outputName ? [outputName] : undefined)[0];
  }

  /** Appends a node with several outputs (use '' in `inputs` for an omitted optional input). */
  nodeMulti(opType: string, inputs: readonly string[], outputCount: number, attributes: Record<string, Attribute> = {}, outputNames?: readonly string[], domain = ''): string[] {
    const base = outputNames?.[0] ?? opType.toLowerCase();
    const outputs = Array.from({ length: outputCount }, (_, i) => this.fresh(outputNames?.[i] ?? `${base}_${i}`));
    this.nodes.push({ opType, inputs, outputs, attributes, name: `${opType}_${this.nodes.length}`, domain });
    return outputs;
  }

  /** Number of nodes so far (for tests and reports). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Count of nodes per operator type. */
  operatorCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const n of this.nodes) counts.set(n.opType, (counts.get(n.opType) ?? 0) + 1);
    return counts;
  }

  /** Serialises the graph as one self-contained ONNX file (every initializer inline; < 2 GB). */
  toModel(options: ModelOptions = {}): Uint8Array {
    return this.encode(options, false).model;
  }

  /**
   * Serialises the graph with large initializers as external data that is handed to the engine
   * by reference: no copy of the weights into the protobuf, and no 2 GB protobuf limit (L2).
   */
  toModelWithExternalData(options: ModelOptions = {}, file?: string): ModelWithExternalData {
    return this.encode(options, true, file);
  }

  /** With `file`, every external initializer lives in that one file at a 64-byte aligned offset. */
  private encode(options: ModelOptions, external: boolean, file?: string): ModelWithExternalData {
    const opset = options.opset ?? DEFAULT_OPSET;
    const externalData: { path: string; data: Uint8Array; offset: number }[] = [];
    const graph = this.graphProto(external ? { data: externalData, file, offset: 0 } : undefined, options.renameOutputs === true);
    const domains = new Set<string>();
    const collect = (g: GraphBuilder): void => {
      for (const n of g.nodes) {
        if (n.domain !== '') domains.add(n.domain);
        for (const a of Object.values(n.attributes)) if ('graph' in a) collect(a.graph);
      }
    };
    collect(this);
    const message = ModelProto.create({
      // IR 8 goes with opsets up to 18.
      irVersion: opset <= 18 ? 8 : 9,
      producerName: options.producerName ?? 'efficientnet-ts',
      docString: options.docString ?? '',
      // Operators from other domains (onnxruntime's com.microsoft.*) are all at version 1.
      opsetImport: [{ domain: '', version: opset }, ...[...domains].map((domain) => ({ domain, version: 1 }))],
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph,
    });
    return { model: ModelProto.encode(message).finish(), externalData };
  }

  /**
   * The Identity nodes `output` added to rename a value, which can go: the node that produces the
   * value writes the output's name instead (its other readers, here and in subgraphs, follow).
   * onnxruntime keeps such an Identity, a copy of the tensor each run (a kernel dispatch on
   * WebGPU), whenever the value has other readers. A value that is a graph input, an initializer
   * or itself an output keeps its name, and so does one already renamed (its second name stays
   * an Identity). Returns the renames and the indices of the Identity nodes they replace.
   */
  private outputRenames(outer: ReadonlyMap<string, string>, rename: boolean): { renames: Map<string, string>; dropped: Set<number> } {
    const renames = new Map(outer);
    const dropped = new Set<number>();
    if (!rename) return { renames, dropped };
    const declared = new Set(this.outputs.map((o) => o.name));
    const written = new Set(this.nodes.flatMap((n) => n.outputs)); // values a node of this graph writes
    this.nodes.forEach((n, i) => {
      if (n.opType !== 'Identity' || n.domain !== '' || !declared.has(n.outputs[0])) return;
      const value = n.inputs[0];
      if (!written.has(value) || declared.has(value) || renames.has(value)) return;
      renames.set(value, n.outputs[0]);
      dropped.add(i);
    });
    return { renames, dropped };
  }

  /**
   * This graph as a GraphProto message; `external` collects the large initializers; `rename` drops
   * the output Identity nodes it can; `outer` holds the renames of enclosing graphs.
   */
  private graphProto(
    external: { data: { path: string; data: Uint8Array; offset: number }[]; file?: string; offset: number } | undefined, rename: boolean, outer: ReadonlyMap<string, string> = new Map(),
  ): Record<string, unknown> {
    const { renames, dropped } = this.outputRenames(outer, rename);
    const named = (value: string) => renames.get(value) ?? value;
    const valueInfo = (v: ValueInfo) => ({
      name: v.name,
      type: {
        tensorType: {
          elemType: ELEM_TYPE_CODES[v.type],
          ...(v.dims ? { shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}),
        },
      },
    });
    const initializer = [...this.initializers].map(([name, c], index) => {
      const bytes = new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength);
      const base = { name, dims: c.dims, dataType: ELEM_TYPE_CODES[c.type] };
      if (!external || bytes.byteLength < EXTERNAL_MIN_BYTES) return { ...base, rawData: bytes };
      const path = external.file ?? `initializer_${index}.bin`;
      const offset = external.file ? external.offset : 0;
      external.offset = Math.ceil((offset + bytes.byteLength) / 64) * 64;
      external.data.push({ path, data: bytes, offset });
      return {
        ...base,
        dataLocation: 1, // EXTERNAL
        externalData: [{ key: 'location', value: path }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(bytes.byteLength) }],
      };
    });
    return {
      name: this.name,
      node: this.nodes.filter((_, i) => !dropped.has(i)).map((n) => ({
        input: n.inputs.map(named),
        output: n.outputs.map(named),
        name: n.name,
        opType: n.opType,
        domain: n.domain,
        attribute: Object.entries(n.attributes).map(([name, a]) => ('graph' in a ? { name, type: AttributeType.GRAPH, g: a.graph.graphProto(external, rename, renames) } : encodeAttribute(name, a))),
      })),
      initializer,
      input: this.inputs.map(valueInfo),
      output: this.outputs.map((o) => valueInfo({ ...o, name: named(o.name) })),
    };
  }
}

function encodeAttribute(name: string, a: Exclude<Attribute, { readonly graph: GraphBuilder }>): Record<string, unknown> {
  if ('int' in a) return { name, type: AttributeType.INT, i: a.int };
  if ('float' in a) return { name, type: AttributeType.FLOAT, f: a.float };
  if ('ints' in a) return { name, type: AttributeType.INTS, ints: a.ints };
  if ('floats' in a) return { name, type: AttributeType.FLOATS, floats: a.floats };
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.string) };
}
