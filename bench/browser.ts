/**
 * b0 inference at 224 px, batch 1, in headless Chromium on onnxruntime-web's wasm backend
 * (threads: the page is cross-origin isolated), beside onnxruntime-node on the same bytes in
 * this process. Nothing else runs in the page yet: the library's browser entry is to come.
 */
import { EfficientNet } from '../src/index.js';
import { browserMissing } from '../test/browser/support/chromium.js';
import { BrowserHarness } from '../test/browser/support/harness.js';
import { median, timeOnce } from './stats.js';

const ROUNDS = 10;
const THREADS = 2;

export async function benchBrowser(): Promise<void> {
  if (browserMissing) {
    console.log(`skipped: ${browserMissing}`);
    return;
  }
  const net = EfficientNet.fromName('efficientnet-b0', { runtime: { intraOpThreads: THREADS } });
  const dims = [1, 3, 224, 224];
  const data = new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i));
  const harness = await BrowserHarness.open();
  try {
    const page = await harness.run(net.toOnnx({ batchSize: 1 }), { provider: 'wasm', feeds: { input: { dims, data } }, rounds: ROUNDS, threads: THREADS });
    for (let i = 0; i < 3; i++) await net.forward({ data, dims });
    const node: number[] = [];
    for (let i = 0; i < ROUNDS; i++) node.push(await timeOnce(() => net.forward({ data, dims })));
    console.log(`b0 inference at 224 px, batch 1, median of ${ROUNDS} runs after the first (ms)`);
    console.log('where\tthreads\tmedian\tfirst run\tsession create');
    console.log(`browser wasm\t${page.threads}\t${median(page.roundMs).toFixed(1)}\t${page.firstRunMs.toFixed(0)}\t${page.createMs.toFixed(0)}`);
    console.log(`node cpu\t${THREADS}\t${median(node).toFixed(1)}`);
  } finally {
    await harness.close();
    await net.dispose();
  }
}
