/**
 * One browser test session: the loopback server, headless Chromium and the engine page
 * (pages/index.html). Tests hand it ONNX bytes and float32 feeds and get the page's outputs
 * back as Float32Arrays, with every console line the page printed.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import type { PageEngine, PageEnvironment, PageProvider, PageRunResult } from './protocol.js';
import { startStaticServer, type StaticServer } from './server.js';

declare global {
  interface Window { engine?: PageEngine; [name: string]: unknown }
}

/** The checkout's root, from dist/test/browser/support. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export const MOUNTS: Readonly<Record<string, string>> = {
  '/ort/': join(ROOT, 'node_modules', 'onnxruntime-web', 'dist'),
  '/pages/': join(ROOT, 'test', 'browser', 'pages'),
  '/js/': join(ROOT, 'dist', 'test', 'browser', 'pages'),
  // The prebuilt bundle as a user serves it (npm run build), and the test fixtures.
  '/bundle/': join(ROOT, 'dist', 'browser'),
  '/fixtures/': join(ROOT, 'test', 'fixtures'),
};

export interface Float32Feed {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

export interface GraphRun extends PageRunResult {
  readonly outputs: Map<string, Float32Array>;
  /** Console lines the page printed while the session was created and run. */
  readonly log: readonly string[];
}

export interface GraphRunOptions {
  readonly provider: PageProvider;
  readonly feeds: Readonly<Record<string, Float32Feed>>;
  /** Outputs to bring back (default: none). */
  readonly fetch?: readonly string[];
  readonly rounds?: number;
  readonly threads?: number;
  readonly verbose?: boolean;
}

let runs = 0;

export class BrowserHarness {
  /** Every console line of the page, in order. */
  readonly console: string[] = [];

  private constructor(
    readonly server: StaticServer,
    private readonly browser: Browser,
    readonly page: Page,
  ) {
    page.on('console', (message) => this.console.push(message.text()));
    page.on('pageerror', (error) => this.console.push(`pageerror: ${error.message}`));
  }

  /**
   * Starts the server and the browser and loads a test page (default: the engine page), then
   * waits until the page has put its API on `window[ready]`.
   *
   * @example
   * const harness = await BrowserHarness.open();
   * try { console.log(await harness.environment()); } finally { await harness.close(); }
   */
  static async open(options: { page?: string; ready?: string } = {}): Promise<BrowserHarness> {
    const server = await startStaticServer(MOUNTS);
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      const harness = new BrowserHarness(server, browser, page);
      await page.goto(`${server.origin}/pages/${options.page ?? 'index.html'}`);
      await page.waitForFunction((name) => window[name] !== undefined, options.ready ?? 'engine', { timeout: 30_000 });
      return harness;
    } catch (error) {
      await browser?.close();
      await server.close();
      throw error;
    }
  }

  /**
   * Calls `window[api][name](request)` in the page; a failure there comes back with the page's
   * console lines so far.
   *
   * @example
   * const result = await harness.call('lib', 'logits', { weights: 'b0.pth', provider: 'wasm' });
   */
  async call<T>(api: string, name: string, request: unknown): Promise<T> {
    try {
      return await this.page.evaluate(([a, n, r]) => (window[a as string] as Record<string, (r: unknown) => Promise<unknown>>)[n as string](r), [api, name, request] as const) as T;
    } catch (error) {
      throw new Error(`${(error as Error).message.split('\n')[0]}\npage console:\n${this.console.slice(-20).join('\n')}`);
    }
  }

  environment(): Promise<PageEnvironment> {
    return this.page.evaluate(() => window.engine!.environment());
  }

  /**
   * Runs `model` once in the page (then `rounds` timed runs) and returns the fetched outputs.
   *
   * @example
   * const { outputs } = await harness.run(net.toOnnx({ batchSize: 1 }), { provider: 'wasm', feeds: { input }, fetch: ['logits'] });
   */
  async run(model: Uint8Array, options: GraphRunOptions): Promise<GraphRun> {
    const id = `run${++runs}/`;
    this.server.put(`${id}model.onnx`, model);
    const feeds: Record<string, readonly number[]> = {};
    for (const [name, feed] of Object.entries(options.feeds)) {
      const expected = feed.dims.reduce((a, b) => a * b, 1);
      if (feed.data.length !== expected) throw new Error(`feed '${name}' has ${feed.data.length} values for dims [${feed.dims.join(', ')}]`);
      this.server.put(`${id}in/${name}`, new Uint8Array(feed.data.buffer, feed.data.byteOffset, feed.data.byteLength));
      feeds[name] = feed.dims;
    }
    const fetch = options.fetch ?? [];
    const logStart = this.console.length;
    try {
      const result = await this.page.evaluate((request) => window.engine!.run(request), {
        model: `${id}model.onnx`, provider: options.provider, feeds, feedPrefix: `${id}in/`,
        fetch, outputPrefix: `${id}out/`, rounds: options.rounds, threads: options.threads, verbose: options.verbose,
      });
      const outputs = new Map(fetch.map((name) => {
        const bytes = this.server.take(`${id}out/${name}`);
        return [name, new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)];
      }));
      return { ...result, outputs, log: this.console.slice(logStart) };
    } finally {
      this.server.drop(id);
    }
  }

  async close(): Promise<void> {
    try {
      await this.browser.close();
    } finally {
      await this.server.close();
    }
  }
}
