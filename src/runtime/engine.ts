/**
 * One inference engine per model, holding one onnxruntime session at a time. Batch norm is
 * folded once; the graph gives logits, pooled features and the final feature map together
 * (they lie on one chain) and each call fetches only what it needs. The first endpoints call
 * recompiles the graph from the same folded buffers with the endpoints as extra outputs and
 * retires the first session: two live sessions held b3 at 1.31× the memory of `forward` alone,
 * while the extra outputs cost `forward` a few reorders (`npm run bench -- inference`). The graph
 * is compiled for the network's own image size, which onnxruntime plans better than symbolic
 * height and width (b0 at 224, batch 1: 7.0 against 7.2 ms); the first input of another size
 * recompiles it once with symbolic ones, in the same way.
 */
import type { NetworkSpec } from '../arch/network.js';
import type { StateDict } from '../weights/tensor.js';
import { FoldedWeights } from './fold.js';
import { type InferenceGraph, type InferenceOutput, buildInferenceGraph } from './inference.js';
import { type FloatBatch, checkImageBatch } from './inputs.js';
import { FP16_PROVIDERS, type RuntimeOptions, Session } from './session.js';
import { buildFp16Graph } from './quantize/fp16.js';
import { RuntimeError } from '../errors.js';

/** What one call of the main graph can fetch. */
export type MainOutput = 'logits' | 'pooled' | 'features';

/** What the live graph must offer beyond logits, pooled features and the feature map. */
interface Needs {
  /** The endpoints as outputs. */
  readonly endpoints: boolean;
  /** Symbolic height and width, for inputs of another size than the network's. */
  readonly anySize: boolean;
}

interface Compiled {
  readonly graph: InferenceGraph;
  readonly session: Session;
  readonly endpoints: boolean;
  /** Runs in flight: a retired session is released when the last one ends. */
  active: number;
  retired: boolean;
}

/**
 * Runs a network on onnxruntime, compiling its graph on first use.
 *
 * @example
 * const engine = new InferenceEngine(network, weights, { intraOpThreads: 2 });
 * const { logits } = await engine.run(batch, ['logits']); // [N, K]
 */
export class InferenceEngine {
  private readonly folded: FoldedWeights;
  private current?: Promise<Compiled>;
  private currentHasEndpoints = false;
  private currentTakesAnySize = false;
  /** Whether the live session's idle threads spin. */
  private currentSpins?: boolean;
  private imagesDecodeBeside = false;

  constructor(
    private readonly network: NetworkSpec,
    weights: StateDict,
    private readonly options: RuntimeOptions = {},
    /** The graph builder: the float graph by default, or a pass over it (src/runtime/quantize). */
    private readonly build: typeof buildInferenceGraph = buildInferenceGraph,
  ) {
    if (options.fp16 && build !== buildInferenceGraph) throw new RuntimeError('fp16 runs the float model in float16: an int8 model has its own graph; run it without fp16');
    this.folded = new FoldedWeights(weights);
  }

  /** The execution provider that runs the graph: the first of `executionProviders` available here (compiles it if needed). */
  async provider(): Promise<string> {
    return (await this.graph({ endpoints: false, anySize: false })).session.provider;
  }

  /** Fetches the named outputs for an NCHW batch. */
  async run<K extends MainOutput>(x: FloatBatch, outputs: readonly K[]): Promise<Record<K, FloatBatch>> {
    checkImageBatch(x, this.network.config);
    return this.use({ endpoints: false, anySize: this.otherSize(x) }, async ({ session }) => floatBatches(await session.run(feeds(x), outputs)) as Record<K, FloatBatch>);
  }

  /** Every endpoint (`reduction_1` … the head). */
  async endpoints(x: FloatBatch): Promise<Record<string, FloatBatch>> {
    checkImageBatch(x, this.network.config);
    return this.use({ endpoints: true, anySize: this.otherSize(x) }, async ({ graph, session }) => {
      const results = floatBatches(await session.run(feeds(x), [...new Set(graph.endpointOutputs.values())]));
      return Object.fromEntries([...graph.endpointOutputs].map(([name, output]) => [name, results[output]]));
    });
  }

  /**
   * Says that images decode beside this engine's runs (classify, embed, evaluate, fit on files):
   * its idle threads then sleep between runs and leave the cores to the decoder. Without it they
   * spin, onnxruntime's default and the faster choice for tensors back to back (`npm run bench --
   * inference`: raw spin against raw sleep). A live spinning session is recompiled at the next run.
   */
  decodesImagesBeside(): void {
    this.imagesDecodeBeside = true;
  }

  /** Frees the session (once runs in flight end); a later call compiles again. */
  async dispose(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    const compiled = await current?.catch(() => undefined);
    if (compiled) await retire(compiled);
  }

  /** Whether `x` has another height and width than the network's own. */
  private otherSize(x: FloatBatch): boolean {
    const [height, width] = this.network.config.imageSize;
    return x.dims[2] !== height || x.dims[3] !== width;
  }

  /** The live graph, recompiled the first time endpoint outputs or another image size are asked for. */
  private graph(needs: Needs): Promise<Compiled> {
    const prior = this.current;
    const [priorEndpoints, priorAnySize, priorSpins] = [this.currentHasEndpoints, this.currentTakesAnySize, this.currentSpins];
    const spin = this.options.spinWait ?? !this.imagesDecodeBeside;
    const offers = (this.currentHasEndpoints || !needs.endpoints) && (this.currentTakesAnySize || !needs.anySize);
    if (prior && offers && this.currentSpins === spin) return prior;
    // What a previous graph offered stays offered: the graph only ever grows.
    const withEndpoints = needs.endpoints || (prior !== undefined && this.currentHasEndpoints);
    const anySize = needs.anySize || (prior !== undefined && this.currentTakesAnySize);
    const outputs: InferenceOutput[] = this.network.fc ? ['logits', 'pooled', 'features'] : ['pooled', 'features'];
    if (withEndpoints) outputs.push('endpoints');
    const built = this.build(this.network, this.folded, outputs, { external: true, ...(anySize ? {} : { imageSize: this.network.config.imageSize }) });
    // Same inputs, outputs and endpoint names in both graphs: `built` describes either.
    const graphFor = (provider: string) => (this.options.fp16 && FP16_PROVIDERS.has(provider) ? buildFp16Graph(this.network, this.folded, outputs) : built);
    const next = Session.create(graphFor, { ...this.options, spinWait: spin }).then(async (session) => {
      const old = await prior?.catch(() => undefined);
      if (old) await retire(old);
      return { graph: built, session, endpoints: withEndpoints, active: 0, retired: false };
    });
    this.current = next;
    [this.currentHasEndpoints, this.currentTakesAnySize, this.currentSpins] = [withEndpoints, anySize, spin];
    next.catch(() => {
      if (this.current !== next) return;
      this.current = prior; // a failed compile leaves the previous graph in use, and the next call retries
      [this.currentHasEndpoints, this.currentTakesAnySize, this.currentSpins] = [priorEndpoints, priorAnySize, priorSpins];
    });
    return next;
  }

  /** Runs `fn` on the live graph, which stays unreleased until `fn` ends. */
  private async use<T>(needs: Needs, fn: (compiled: Compiled) => Promise<T>): Promise<T> {
    let compiled = await this.graph(needs);
    while (compiled.retired) compiled = await this.graph(needs); // replaced while we waited
    compiled.active++;
    try {
      return await fn(compiled);
    } finally {
      compiled.active--;
      if (compiled.retired && compiled.active === 0) await compiled.session.release();
    }
  }
}

async function retire(compiled: Compiled): Promise<void> {
  if (compiled.retired) return;
  compiled.retired = true;
  if (compiled.active === 0) await compiled.session.release();
}

function feeds(x: FloatBatch) {
  return { input: { type: 'float32' as const, dims: x.dims, data: x.data } };
}

function floatBatches(results: Record<string, { dims: readonly number[]; data: unknown }>): Record<string, FloatBatch> {
  const out: Record<string, FloatBatch> = {};
  for (const [name, value] of Object.entries(results)) out[name] = { data: value.data as Float32Array, dims: value.dims };
  return out;
}
