/**
 * b0 inference at 224 px, batch 1 and 8, in headless Chromium through the library's bundle
 * (dist/browser) on onnxruntime-web's wasm backend (threads: the page is cross-origin isolated),
 * beside a raw onnxruntime-web session on the same graph in the same page, runs interleaved;
 * and onnxruntime-node on the same weights in this process for scale. WebGPU in this headless
 * Chromium is SwiftShader (a CPU implementation): its figures are for correctness only.
 */
import { EfficientNet } from '../src/index.js';
import { browserMissing } from '../test/browser/support/chromium.js';
import { BrowserHarness } from '../test/browser/support/harness.js';
import { median, timeOnce } from './stats.js';

const ROUNDS: Record<number, number> = { 1: 10, 8: 4 };
const THREADS = 2;

export async function benchBrowser(): Promise<void> {
  if (browserMissing) {
    console.log(`skipped: ${browserMissing}`);
    return;
  }
  const net = EfficientNet.fromName('efficientnet-b0', { runtime: { intraOpThreads: THREADS } });
  const harness = await BrowserHarness.open({ page: 'library.html', ready: 'lib' });
  try {
    harness.server.put('b0.safetensors', net.saveBytes('b0.safetensors'));
    const page = await harness.call<{ rows: { batch: number; ours: number; raw: number }[]; threads: number; provider: string }>('lib', 'bench', {
      weights: 'b0.safetensors', provider: 'wasm', batches: [1, 8], rounds: ROUNDS,
    });
    console.log(`b0 inference at 224 px in headless Chromium, ${page.provider} with ${page.threads} threads, median of interleaved runs after the first (ms)`);
    console.log('batch\tours\traw ort-web\tours/raw\tnode cpu (same process, for scale)');
    for (const { batch, ours, raw } of page.rows) {
      const dims = [batch, 3, 224, 224];
      const data = new Float32Array(batch * 3 * 224 * 224).map((_, i) => Math.sin(i));
      await net.forward({ data, dims });
      const node: number[] = [];
      for (let i = 0; i < ROUNDS[batch]; i++) node.push(await timeOnce(() => net.forward({ data, dims })));
      console.log(`${batch}\t${ours.toFixed(1)}\t${raw.toFixed(1)}\t${(ours / raw).toFixed(3)}\t${median(node).toFixed(1)}`);
    }
  } finally {
    await harness.close();
    await net.dispose();
  }
}
