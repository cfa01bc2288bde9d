/**
 * The only module that runs onnxruntime, through the platform's binding (onnxruntime-node or
 * onnxruntime-web). Wraps an inference session: picks the first execution provider that works on
 * this machine, validates feeds by name, shape rank and dtype before running, and reports shapes
 * and dtypes when a run fails.
 */
import type * as ort from 'onnxruntime-common';
import { platform } from '../platform/index.js';
import { InputShapeError, RuntimeError, oneOf } from '../errors.js';
import { GraphBuilder, NCHWC_DOMAIN } from './onnx/graph.js';

/** Plain tensor data crossing the runtime boundary. */
export type TensorValue =
  | { readonly type: 'float32'; readonly dims: readonly number[]; readonly data: Float32Array }
  | { readonly type: 'int64'; readonly dims: readonly number[]; readonly data: BigInt64Array }
  | { readonly type: 'int32'; readonly dims: readonly number[]; readonly data: Int32Array };

export type GraphOptimization = 'disabled' | 'basic' | 'extended' | 'all';

export interface RuntimeOptions {
  /** Threads inside one operator. Default: onnxruntime's choice (the physical cores). */
  intraOpThreads?: number;
  /**
   * Execution providers in order of preference, e.g. ['webgpu', 'cpu']: the first one that is
   * available on this machine is used (see `Session.provider`). Default: the platform's (Node
   * ['cpu']; a browser ['webgpu'] when it has an adapter, else ['wasm']).
   */
  executionProviders?: readonly string[];
  /** Graph optimisation level. Default 'all'. */
  graphOptimization?: GraphOptimization;
  /** Keep onnxruntime's CPU memory arena (faster; the default). */
  memoryArena?: boolean;
  /** Write onnxruntime's per-operator profile with this file prefix. */
  profileFilePrefix?: string;
  /**
   * Let onnxruntime plan all intermediate buffers up front (its default). Off, the arena serves
   * each tensor as it comes: a b0 training step at batch 8 peaks at 1.1 GB instead of 1.9 GB.
   */
  memoryPattern?: boolean;
  /**
   * Let idle onnxruntime threads spin waiting for work (onnxruntime's own default). Off on Node:
   * idle threads sleep and leave the cores to other work, such as decoding the next images
   * beside inference, which spinning halves; back-to-back tensor inference loses little or
   * nothing (`npm run bench -- inference` measures both). Turn on for latency-bound serving
   * on otherwise idle cores. Default: the platform's (on in a browser, where the wasm thread
   * pool serves only onnxruntime: `npm run bench -- browser`).
   */
  spinWait?: boolean;
  /**
   * Run the fp16 graph (weights and activations float16, float32 in and out) on the providers
   * that compute in float16: WebGPU, where the adapter has `shader-f16`. A provider later in
   * `executionProviders` that takes over (the CPU) runs the float32 graph. Default off.
   */
  fp16?: boolean;
}

/** Providers on which `fp16: true` runs the fp16 graph (the CPU and wasm have no float16 arithmetic: they cast each operator back). */
export const FP16_PROVIDERS: ReadonlySet<string> = new Set(['webgpu']);

/** A graph's bytes with its external initializers, or the graph to use on each provider. */
export type GraphSource =
  | Uint8Array
  | ((provider: string) => { readonly model: Uint8Array; readonly externalData: readonly { path: string; data: Uint8Array }[] });

/** 'wasm' is onnxruntime-web's CPU backend; the others are onnxruntime-node's. */
export const EXECUTION_PROVIDERS = ['cpu', 'webgpu', 'cuda', 'tensorrt', 'wasm'] as const;

let nchwcBlock: Promise<number> | undefined;
let compiled = 0;
let live = 0;

/**
 * How many sessions this process has compiled so far (each holds its own copy of the weights
 * and its own memory arena), so that tests can check that a model compiles only what it needs.
 *
 * @example
 * const before = compiledSessions(); await net.forward(x); await net.embed(x);
 * assert.equal(compiledSessions() - before, 1);
 */
export function compiledSessions(): number {
  return compiled;
}

/** How many sessions are compiled and not yet released. */
export function liveSessions(): number {
  return live;
}

function checkOptions(providers: readonly string[], options: RuntimeOptions): void {
  const problems: string[] = [];
  const unknown = providers.filter((p) => !(EXECUTION_PROVIDERS as readonly string[]).includes(p));
  if (providers.length === 0) problems.push(`executionProviders is empty. Should list some of: ${oneOf(EXECUTION_PROVIDERS)}`);
  if (unknown.length > 0) problems.push(`Unknown execution provider ${oneOf(unknown)}. Should be one of: ${oneOf(EXECUTION_PROVIDERS)}`);
  if (options.intraOpThreads !== undefined && !(Number.isInteger(options.intraOpThreads) && options.intraOpThreads >= 0)) {
    problems.push(`intraOpThreads ${options.intraOpThreads} should be a non-negative integer (0 lets onnxruntime choose)`);
  }
  if (problems.length > 0) throw new RuntimeError(problems.join('; '));
}

function sessionOptions(providers: readonly string[], options: RuntimeOptions, externalData: readonly { path: string; data: Uint8Array }[]): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: [...providers],
    graphOptimizationLevel: options.graphOptimization ?? 'all',
    executionMode: 'sequential',
    enableCpuMemArena: options.memoryArena ?? true,
    enableMemPattern: options.memoryPattern ?? true,
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
    extra: { 'session.intra_op.allow_spinning': (options.spinWait ?? platform().engine.spinWait) ? '1' : '0' },
    ...(options.profileFilePrefix ? { enableProfiling: true, profileFilePrefix: options.profileFilePrefix } : {}),
    ...(externalData.length > 0 ? { externalData: externalData.map(({ path, data }) => ({ path, data })) } : {}),
  };
}

/** onnxruntime's reason without its source path and assertion text: "Failed to get a WebGPU adapter: No supported adapters". */
function engineReason(error: unknown): string {
  const line = (error as Error).message.trim().split('\n')[0];
  return line.replace(/^.*? was false\. /, '').replace(/^\/\S+:\d+ /, '');
}

/**
 * The channel block of onnxruntime's blocked (NCHWc) CPU kernels on this machine (16 with
 * AVX-512, 8 with AVX2), probed once by reordering a 4-channel tensor; 0 when the build or the
 * CPU has none. Graph emitters use it to call the fast depthwise kernel directly.
 *
 * @example
 * const block = await nchwcBlockSize(); // 16 on an AVX-512 machine
 */
export function nchwcBlockSize(): Promise<number> {
  nchwcBlock ??= (async () => {
    try {
      const g = new GraphBuilder('nchwc-probe');
      g.output(g.nodeMulti('ReorderInput', [g.input('x', 'float32', [1, 4, 1, 1])], 1, {}, ['y'], NCHWC_DOMAIN)[0]);
      const session = await Session.create(g.toModel());
      const { y } = await session.run({ x: { type: 'float32', dims: [1, 4, 1, 1], data: new Float32Array(4) } });
      await session.release();
      return y.dims[1] > 4 ? y.dims[1] : 0;
    } catch {
      return 0;
    }
  })();
  return nchwcBlock;
}

/**
 * A compiled ONNX model ready to run.
 *
 * @example
 * const session = await Session.create(modelBytes, { intraOpThreads: 2 });
 * const { logits } = await session.run({ input: { type: 'float32', dims: [1, 3, 224, 224], data } });
 */
export class Session {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
    /** The execution provider that loaded the graph: the first of `executionProviders` available here. */
    readonly provider: string,
  ) {}

  /**
   * Compiles a model; `externalData` supplies the bytes of initializers stored outside the
   * protobuf (see GraphBuilder.toModelWithExternalData), without copying them first. Each
   * execution provider in turn is tried alone with the rest behind it; one that is unavailable
   * here (no GPU adapter, no CUDA library) hands over to the next. `model` may be a function
   * of the provider (the fp16 graph for WebGPU, the float32 one for the CPU).
   */
  static async create(model: GraphSource, options: RuntimeOptions = {}, externalData: readonly { path: string; data: Uint8Array }[] = []): Promise<Session> {
    const providers = options.executionProviders ?? await platform().engine.defaultProviders();
    checkOptions(providers, options);
    const failures: string[] = [];
    for (let i = 0; i < providers.length; i++) {
      try {
        const graph = typeof model === 'function' ? model(providers[i]) : { model, externalData };
        const session = await platform().engine.InferenceSession.create(graph.model, sessionOptions(providers.slice(i), options, graph.externalData));
        compiled++;
        live++;
        return new Session(session, session.inputNames, session.outputNames, providers[i]);
      } catch (error) {
        failures.push(`${providers[i]}: ${engineReason(error)}`);
      }
    }
    const tried = providers.length === 1 ? `provider ${failures[0]}` : `any of providers ${providers.join(', ')} (${failures.join('; ')})`;
    throw new RuntimeError(`onnxruntime could not load the graph with ${tried}`);
  }

  /** Runs the graph; every missing feed is named at once, and failures report what was fed. */
  async run(feeds: Record<string, TensorValue>, fetches: readonly string[] = this.outputNames): Promise<Record<string, TensorValue>> {
    const missing = this.inputNames.filter((n) => !(n in feeds));
    const unexpected = Object.keys(feeds).filter((n) => !this.inputNames.includes(n));
    if (missing.length > 0 || unexpected.length > 0) {
      const parts = [];
      if (missing.length > 0) parts.push(`missing inputs ${oneOf(missing)}`);
      if (unexpected.length > 0) parts.push(`unexpected inputs ${oneOf(unexpected)}`);
      throw new InputShapeError(`Cannot run the graph: ${parts.join('; ')}. Expected inputs: ${oneOf(this.inputNames)}`);
    }
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, value] of Object.entries(feeds)) ortFeeds[name] = new (platform().engine.Tensor)(value.type, value.data, value.dims);
    let results: ort.InferenceSession.OnnxValueMapType;
    try {
      results = await this.session.run(ortFeeds, [...fetches]);
    } catch (error) {
      const fed = Object.entries(feeds).map(([n, v]) => `${n}: ${v.type}[${v.dims.join(', ')}]`).join(', ');
      throw new RuntimeError(`onnxruntime failed (${(error as Error).message.split('\n')[0]}) with inputs ${fed}`);
    }
    const out: Record<string, TensorValue> = {};
    for (const name of fetches) {
      const t = results[name] as ort.Tensor;
      out[name] = { type: t.type as 'float32', dims: [...t.dims], data: t.data as Float32Array };
    }
    return out;
  }

  /** Ends profiling (if on) and returns the profile file path. */
  endProfiling(): string | undefined {
    return (this.session as unknown as { endProfiling?: () => string }).endProfiling?.();
  }

  /** Frees the native session. */
  async release(): Promise<void> {
    live--;
    await this.session.release();
  }
}
