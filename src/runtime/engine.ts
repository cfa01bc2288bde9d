/**
 * One inference engine per model. Batch norm is folded once; one session's graph gives logits,
 * pooled features and the final feature map together (they lie on one chain), and each call
 * fetches only what it needs. Endpoints come from a second graph built on first use from the
 * same folded buffers: as outputs of the main graph they would cost every `forward` the
 * reorders of five more maps (`npm run bench -- inference` measures the trade).
 */
import type { NetworkSpec } from '../arch/network.js';
import type { StateDict } from '../weights/tensor.js';
import { FoldedWeights } from './fold.js';
import { type InferenceGraph, buildInferenceGraph } from './inference.js';
import { type FloatBatch, checkImageBatch } from './inputs.js';
import { type RuntimeOptions, Session } from './session.js';

/** What one call of the main graph can fetch. */
export type MainOutput = 'logits' | 'pooled' | 'features';

interface Compiled {
  readonly graph: InferenceGraph;
  readonly session: Session;
}

/**
 * Runs a network on onnxruntime, compiling its graphs lazily.
 *
 * @example
 * const engine = new InferenceEngine(network, weights, { intraOpThreads: 2 });
 * const { logits } = await engine.run(batch, ['logits']); // [N, K]
 */
export class InferenceEngine {
  private readonly folded: FoldedWeights;
  private main?: Promise<Compiled>;
  private endpointGraph?: Promise<Compiled>;

  constructor(
    private readonly network: NetworkSpec,
    weights: StateDict,
    private readonly options: RuntimeOptions = {},
    /** The graph builder: the float graph by default, or a pass over it (src/runtime/quantize). */
    private readonly build: typeof buildInferenceGraph = buildInferenceGraph,
  ) {
    this.folded = new FoldedWeights(weights);
  }

  /** The execution provider that runs the main graph: the first of `executionProviders` available here (compiles it if needed). */
  async provider(): Promise<string> {
    return (await this.mainGraph()).session.provider;
  }

  /** Fetches the named outputs of the main graph for an NCHW batch. */
  async run<K extends MainOutput>(x: FloatBatch, outputs: readonly K[]): Promise<Record<K, FloatBatch>> {
    checkImageBatch(x, this.network.config);
    const { session } = await this.mainGraph();
    return floatBatches(await session.run(feeds(x), outputs)) as Record<K, FloatBatch>;
  }

  /** Every endpoint (`reduction_1` … the head), from the endpoints graph. */
  async endpoints(x: FloatBatch): Promise<Record<string, FloatBatch>> {
    checkImageBatch(x, this.network.config);
    this.endpointGraph ??= this.compile(['endpoints'], () => { this.endpointGraph = undefined; });
    const { graph, session } = await this.endpointGraph;
    const results = floatBatches(await session.run(feeds(x)));
    return Object.fromEntries([...graph.endpointOutputs].map(([name, output]) => [name, results[output]]));
  }

  /** Frees the compiled sessions; a later call compiles again. */
  async dispose(): Promise<void> {
    const compiled = [this.main, this.endpointGraph];
    this.main = this.endpointGraph = undefined;
    await Promise.all(compiled.map(async (c) => (await c?.catch(() => undefined))?.session.release()));
  }

  private mainGraph(): Promise<Compiled> {
    const outputs: MainOutput[] = this.network.fc ? ['logits', 'pooled', 'features'] : ['pooled', 'features'];
    this.main ??= this.compile(outputs, () => { this.main = undefined; });
    return this.main;
  }

  private compile(outputs: Parameters<typeof buildInferenceGraph>[2], onFailure: () => void): Promise<Compiled> {
    const graph = this.build(this.network, this.folded, outputs, { external: true });
    const compiled = Session.create(graph.model, this.options, graph.externalData).then((session) => ({ graph, session }));
    compiled.catch(onFailure); // a failed compile is retried by the next call
    return compiled;
  }
}

function feeds(x: FloatBatch) {
  return { input: { type: 'float32' as const, dims: x.dims, data: x.data } };
}

function floatBatches(results: Record<string, { dims: readonly number[]; data: unknown }>): Record<string, FloatBatch> {
  const out: Record<string, FloatBatch> = {};
  for (const [name, value] of Object.entries(results)) out[name] = { data: value.data as Float32Array, dims: value.dims };
  return out;
}
