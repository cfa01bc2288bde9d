/**
 * int8 beside fp32: b0 at 224 and b3 at 300, batch 1 and 8, each side timed in its own fresh
 * process, sides alternating (fp32, int8, fp32, int8, ...), plus the ONNX size on disk. The
 * calibration uses synthetic inputs: this measures speed; accuracy is measured by
 * test/runtime/quantize and `efficientnet eval --int8` on real images. Then b0's batch-8 kernel
 * time role by role, fp32 beside int8 (int8Account.ts): where the speed-up comes from and what
 * holds it back. BENCH_ROUNDS (default 10) runs per process; BENCH_SPIN=1 times both sides with
 * spinning onnxruntime threads (`spinWait`), which int8's many shorter kernels wait on less.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EfficientNet } from '../src/index.js';
import { printRoleAccounts } from './int8Account.js';
import { median } from './stats.js';

const THREADS = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const SPIN = process.env.BENCH_SPIN === '1';
const PROCESSES = 2; // per side

function synthetic(batch: number, size: number, seed: number) {
  return { data: new Float32Array(batch * 3 * size * size).map((_, i) => Math.sin(i * 0.001 + seed)), dims: [batch, 3, size, size] };
}

/** One side in this process: prints its median latency (ms) and ONNX size (bytes) as JSON. */
async function worker(model: string, size: number, batch: number, side: 'fp32' | 'int8'): Promise<void> {
  let net = EfficientNet.fromName(model, { runtime: { intraOpThreads: THREADS, ...(SPIN ? { spinWait: true } : {}) } });
  if (side === 'int8') net = await net.quantizeBatches([synthetic(2, size, 1)]);
  const x = synthetic(batch, size, 2);
  for (let i = 0; i < 2; i++) await net.forward(x);
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    await net.forward(x);
    times.push(performance.now() - start);
  }
  console.log(JSON.stringify({ ms: median(times), bytes: net.toOnnx().byteLength }));
  await net.dispose();
}

export async function benchInt8(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  console.log(`int8 vs fp32, ${THREADS} threads${SPIN ? ' (spinning)' : ''}, median of ${ROUNDS} runs per process, ${PROCESSES} fresh processes per side, alternating`);
  console.log('model\tsize\tbatch\tfp32 ms\tint8 ms\tspeed-up\tfp32 MB\tint8 MB');
  for (const [model, size] of [['efficientnet-b0', 224], ['efficientnet-b3', 300]] as const) {
    for (const batch of [1, 8]) {
      const results: Record<string, { ms: number; bytes: number }[]> = { fp32: [], int8: [] };
      for (let p = 0; p < PROCESSES; p++) {
        for (const side of ['fp32', 'int8'] as const) {
          const { stdout } = await promisify(execFile)(process.execPath, ['--import', new URL('../src/node/register.js', import.meta.url).pathname, self, 'worker', model, String(size), String(batch), side], { maxBuffer: 1 << 20 });
          results[side].push(JSON.parse(stdout.trim().split('\n').pop()!));
        }
      }
      const [f, q] = [median(results.fp32.map((r) => r.ms)), median(results.int8.map((r) => r.ms))];
      console.log(`${model}\t${size}\t${batch}\t${f.toFixed(1)}\t${q.toFixed(1)}\t${(f / q).toFixed(2)}\t${(results.fp32[0].bytes / 1e6).toFixed(1)}\t${(results.int8[0].bytes / 1e6).toFixed(1)}`);
    }
  }
  await printRoleAccounts('efficientnet-b0', 224, 8, THREADS);
}

if (process.argv[2] === 'worker') {
  const [model, size, batch, side] = process.argv.slice(3);
  await worker(model, Number(size), Number(batch), side as 'fp32' | 'int8');
}
