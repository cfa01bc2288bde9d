/**
 * Inference, each side alone in a fresh process (bench/inferenceSide.ts), sides alternating
 * over several rounds, medians of the per-process medians:
 * - b0 at 224 px, batch 1 and 8: our `forward` beside a raw onnxruntime session on the same
 *   ONNX bytes, with onnxruntime's defaults (threads spin) and with our thread policy (they
 *   sleep), and beside PyTorch on CPU when /usr/bin/python3 has torch. Target: within 5%.
 * - the four outputs (forward, embed, extractFeatures, extractEndpoints) called in turn on one
 *   model against the sum of each alone. Target: within 1.15×.
 * - resident memory of b3 at 300 px after all four outputs against after `forward` alone.
 *   Target: within 1.3×.
 *
 *   npm run bench -- inference        (BENCH_ROUNDS=3 for a quicker, noisier run)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { OUTPUTS, THREADS } from './inferenceSide.js';
import { median } from './stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const RUNS = 15; // timed calls per process, after the warm-up
const HERE = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

async function side(name: string, batch: number, runs = RUNS): Promise<Record<string, number>> {
  const { stdout } = await run(process.execPath, [join(HERE, 'inferenceSide.js'), name, String(batch), String(runs)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, number>;
}

/** Every side once per round, in alternating order; per side and key, the median over rounds. */
async function alternating(sides: readonly string[], batch: number, runs = RUNS): Promise<Record<string, Record<string, number>>> {
  const samples: Record<string, Record<string, number[]>> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    for (const name of order) {
      for (const [key, value] of Object.entries(await side(name, batch, runs))) ((samples[name] ??= {})[key] ??= []).push(value);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([name, keys]) => [name, Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, median(v)]))]));
}

async function torchLatency(): Promise<Record<string, number> | undefined> {
  if (!existsSync('/usr/bin/python3')) return undefined;
  try {
    const { stdout } = await run('/usr/bin/python3', [join(HERE, '..', '..', 'bench', 'torch_inference.py'), String(THREADS), String(RUNS * ROUNDS)]);
    return JSON.parse(stdout) as Record<string, number>;
  } catch {
    return undefined; // no torch on this machine
  }
}

const ratio = (a: number, b: number) => (a / b).toFixed(3);

export async function benchInference(): Promise<void> {
  console.log(`b0 at 224 px, ${THREADS} threads, each side in its own process, ${ROUNDS} alternating rounds, median of ${RUNS} runs each (ms)`);
  console.log('batch\tours\traw (spin)\traw (sleep)\tours/raw(spin)\tours/raw(sleep)\tpytorch\tpytorch/ours');
  const torch = await torchLatency();
  for (const batch of [1, 8]) {
    const m = await alternating(['ours', 'raw', 'raw-nospin'], batch);
    const [ours, raw, sleep] = [m.ours.ms, m.raw.ms, m['raw-nospin'].ms];
    const t = torch?.[String(batch)];
    console.log(`${batch}\t${ours.toFixed(2)}\t${raw.toFixed(2)}\t${sleep.toFixed(2)}\t${ratio(ours, raw)}\t${ratio(ours, sleep)}\t${t ? t.toFixed(2) : 'n/a'}\t${t ? ratio(t, ours) : 'n/a'}`);
  }

  const four = await alternating(['alone', 'inturn'], 1);
  const sum = Object.keys(OUTPUTS).reduce((s, k) => s + four.alone[k], 0);
  const each = Object.keys(OUTPUTS).map((k) => `${k} ${four.alone[k].toFixed(2)}`).join(', ');
  console.log(`four outputs in turn, b0 batch 1: ${four.inturn.ms.toFixed(2)} ms against ${sum.toFixed(2)} summed alone (${each}): ${ratio(four.inturn.ms, sum)}× (target ≤ 1.15)`);

  const memory = await alternating(['rss-forward', 'rss-all'], 1, 3);
  const [forward, all] = [memory['rss-forward'].mb, memory['rss-all'].mb];
  console.log(`b3 at 300 px, batch 1, resident memory: ${all.toFixed(0)} MB after all four outputs, ${forward.toFixed(0)} MB after forward alone: ${ratio(all, forward)}× (target ≤ 1.3)`);
}
