/**
 * Inference latency of b0 at 224 px, batch 1 and 8: our `forward` beside a raw onnxruntime
 * session on the same ONNX bytes (the bench imports onnxruntime directly: it is the peer, not
 * our code) and beside PyTorch on CPU when /usr/bin/python3 has torch.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { EfficientNet } from '../src/index.js';
import { interleaved } from './stats.js';

const THREADS = 2;
const ROUNDS = 30;

async function torchLatency(): Promise<Record<string, number> | undefined> {
  if (!existsSync('/usr/bin/python3')) return undefined;
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'torch_inference.py');
  try {
    const { stdout } = await promisify(execFile)('/usr/bin/python3', [script, String(THREADS), String(ROUNDS)]);
    return JSON.parse(stdout) as Record<string, number>;
  } catch {
    return undefined; // no torch on this machine
  }
}

export async function benchInference(): Promise<void> {
  const net = EfficientNet.fromName('efficientnet-b0', { runtime: { intraOpThreads: THREADS } });
  const raw = await ort.InferenceSession.create(net.toOnnx(), {
    intraOpNumThreads: THREADS, graphOptimizationLevel: 'all', executionMode: 'sequential',
  });
  const rows: string[] = [];
  const ours: Record<string, number> = {};
  for (const batch of [1, 8]) {
    const dims = [batch, 3, 224, 224];
    const data = new Float32Array(batch * 3 * 224 * 224).map((_, i) => Math.sin(i));
    const input = new ort.Tensor('float32', data, dims);
    const medians = await interleaved({
      ours: () => net.forward({ data, dims }),
      raw: () => raw.run({ input }),
    }, ROUNDS);
    ours[batch] = medians.ours;
    rows.push(`${batch}\t${medians.ours.toFixed(2)}\t${medians.raw.toFixed(2)}\t${(medians.ours / medians.raw).toFixed(3)}`);
  }
  await net.dispose();
  await raw.release();
  const torch = await torchLatency();
  console.log(`b0 inference at 224 px, ${THREADS} threads, median of ${ROUNDS} interleaved runs (ms)`);
  console.log('batch\tours\traw ort\tours/raw\tpytorch\tpytorch/ours');
  rows.forEach((row, i) => {
    const batch = [1, 8][i];
    const t = torch?.[String(batch)];
    console.log(`${row}\t${t ? t.toFixed(2) : 'n/a'}\t${t ? (t / ours[batch]).toFixed(2) : 'n/a'}`);
  });
}
