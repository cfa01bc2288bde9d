/**
 * The profile reader (src/runtime/profile.ts) on a hand-written onnxruntime trace: warm-up runs
 * skipped, control-flow nodes not counted twice, per-type and per-node times per run, and the
 * slowest nodes with their input shapes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { operatorAccount } from '../../src/runtime/profile.js';

const run = (ts: number) => ({ cat: 'Session', name: 'model_run', ts, dur: 100 });
const node = (name: string, op: string, ts: number, dur: number, shapes: number[][]) => ({
  cat: 'Node', name: `${name}_kernel_time`, ts, dur, args: { op_name: op, input_type_shape: shapes.map((s) => ({ float: s })) },
});

test('operatorAccount: per-type and slowest-node times per counted run, with input shapes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'profile-test-'));
  try {
    const file = join(dir, 'trace.json');
    const events = [
      run(0), node('Conv_1', 'Conv', 1, 9000, [[16, 48, 32, 32], [192, 48, 3, 3]]), // warm-up: skipped
      run(1000), node('Conv_1', 'Conv', 1001, 3000, [[16, 48, 32, 32], [192, 48, 3, 3]]), node('Mul_2', 'Mul', 1002, 1000, [[4], [4]]), node('If_3', 'If', 1003, 5000, []),
      run(2000), node('Conv_1', 'Conv', 2001, 5000, [[16, 48, 32, 32], [192, 48, 3, 3]]), node('Mul_2', 'Mul', 2002, 1000, [[4], [4]]), node('Mul_4', 'Mul', 2003, 4000, [[8], []]),
    ];
    await writeFile(file, JSON.stringify(events));
    const account = await operatorAccount(file, 1, 2);
    assert.equal(account.runs, 2);
    assert.deepEqual(account.perType, [{ op: 'Conv', ms: 4, nodes: 1 }, { op: 'Mul', ms: 3, nodes: 2 }]);
    assert.equal(account.kernelMs, 7);
    assert.deepEqual(account.perNode, [
      { name: 'Conv_1', op: 'Conv', ms: 4, inputs: '16×48×32×32, 192×48×3×3' },
      { name: 'Mul_4', op: 'Mul', ms: 2, inputs: '8, scalar' },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
