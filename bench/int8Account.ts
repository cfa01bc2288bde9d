/**
 * Where int8 and fp32 inference time goes, role by role (src/runtime/quantize/account.ts): each
 * side's exported graph at a fixed batch, compiled with onnxruntime's profiler in its own fresh
 * process (one warm-up run, then PROFILED runs), each kernel's time traced back to its role.
 * The roles whose int8 kernels are no faster than fp32's are what keeps int8 from a larger
 * speed-up; the table shows them beside the convolutions, where int8 gains.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EfficientNet } from '../src/index.js';
import { type AccountRole, type RoleTime, roleAccount } from '../src/runtime/quantize/account.js';
import { OpenModel } from '../src/runtime/quantize/onnxModel.js';
import { quantizeGraph } from '../src/runtime/quantize/qdq.js';
import { Session } from '../src/runtime/session.js';
import { swishAsOneLookup } from './int8WhatIf.js';
import { profilePrefix, readProfile } from './profiled.js';

/** fp32, int8, and int8 with each swish costing one lookup pass (int8WhatIf.ts: what a fused swish kernel would give). */
const SIDES = ['fp32', 'int8', 'int8, one-pass swish'] as const;
type Side = (typeof SIDES)[number];

const PROFILED = 8;

function synthetic(batch: number, size: number, seed: number) {
  return { data: new Float32Array(batch * 3 * size * size).map((_, i) => Math.sin(i * 0.001 + seed)), dims: [batch, 3, size, size] };
}

/** The graph a side runs. */
async function sideGraph(net: EfficientNet, size: number, batch: number, side: Side): Promise<Uint8Array> {
  if (side === 'fp32') return net.toOnnx({ batchSize: batch });
  const int8 = await net.quantizeBatches([synthetic(2, size, 1)]);
  const [calibration, bytes] = [int8.quantization!, int8.toOnnx({ batchSize: batch })];
  await int8.dispose();
  if (side === 'int8') return bytes;
  const graph = OpenModel.decode(net.toOnnx({ batchSize: batch }));
  swishAsOneLookup(graph);
  quantizeGraph(graph, calibration.ranges, new Set(calibration.keepFloat));
  return graph.encode();
}

/** One side in this process: prints its role account as JSON. */
async function worker(model: string, size: number, batch: number, side: Side, threads: number): Promise<void> {
  const net = EfficientNet.fromName(model);
  const floatGraph = OpenModel.decode(net.toOnnx({ batchSize: batch }));
  const prefix = profilePrefix('int8-account');
  const session = await Session.create(await sideGraph(net, size, batch, side), { intraOpThreads: threads, profileFilePrefix: prefix, executionProviders: ['cpu'] });
  const x = synthetic(batch, size, 2);
  for (let i = 0; i < 1 + PROFILED; i++) await session.run({ [session.inputNames[0]]: { type: 'float32', dims: x.dims, data: x.data } });
  session.endProfiling();
  await session.release();
  await net.dispose();
  const account = await readProfile(prefix, 1, Infinity);
  console.log(JSON.stringify(account ? roleAccount(floatGraph, account) : []));
}

/**
 * Profiles the sides of `model` at `size` and `batch` (SIDES, in that order) and prints per role:
 * fp32 ms, int8 ms, their ratio, the int8 kernels, and the one-pass-swish figure.
 *
 * @example
 * await printRoleAccounts('efficientnet-b0', 224, 8, 2);
 */
export async function printRoleAccounts(model: string, size: number, batch: number, threads: number): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const sides: Record<string, RoleTime[]> = {};
  for (const side of SIDES) {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', new URL('../src/node/register.js', import.meta.url).pathname, self, 'account', model, String(size), String(batch), side, String(threads)], { maxBuffer: 1 << 22 });
    sides[side] = JSON.parse(stdout.trim().split('\n').pop()!) as RoleTime[];
  }
  const total = (rows: RoleTime[], role?: AccountRole) => rows.filter((r) => role === undefined || r.role === role).reduce((a, r) => a + r.ms, 0);
  const roles = [...new Set([...sides.int8, ...sides.fp32].map((r) => r.role))].sort((a, b) => total(sides.int8, b) - total(sides.int8, a));
  const lookup = sides[SIDES[2]];
  console.log(`\nkernel time by role, ${model} at ${size}, batch ${batch}, ${threads} threads (onnxruntime profile, mean of ${PROFILED} runs, each side in its own process)`);
  console.log(`role\tfp32 ms\tint8 ms\tfp32/int8\tint8 share\tint8 kernels (ms, nodes)\t${SIDES[2]} ms (fp32/it)`);
  for (const role of [...roles, undefined]) {
    const [f, q, l] = [total(sides.fp32, role), total(sides.int8, role), total(lookup, role)];
    const kernels = role === undefined ? '' : sides.int8.filter((r) => r.role === role).map((r) => `${r.op} ${r.ms.toFixed(1)} (${r.nodes})`).join(', ');
    console.log(`${role ?? 'total'}\t${f.toFixed(1)}\t${q.toFixed(1)}\t${q > 0 ? (f / q).toFixed(2) : '-'}\t${(100 * q / total(sides.int8)).toFixed(0)}%\t${kernels}\t${l.toFixed(1)} (${l > 0 ? (f / l).toFixed(2) : '-'})`);
  }
}

if (process.argv[2] === 'account') {
  const [model, size, batch, side, threads] = process.argv.slice(3);
  await worker(model, Number(size), Number(batch), side as Side, Number(threads));
}
