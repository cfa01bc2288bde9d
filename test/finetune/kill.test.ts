/**
 * A `finetune` process killed (SIGKILL) mid-epoch, then run again with --resume, ends with the
 * same weights as a run that was never interrupted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cli } from '../support/cli.js';
import { FIXTURES } from '../support/fixtures.js';
import { readSafetensors } from '../../src/weights/formats/safetensors.js';
import { folderOf } from './support.js';

const BIN = join(FIXTURES, '..', '..', 'bin', 'efficientnet.js');
const ARGS = ['--model', 'efficientnet-b0', '--in-channels', '1', '--image-size', '32', '--epochs', '2', '--batch-size', '4', '--freeze', 'stages:2', '--checkpoint-every', '1', '--seed', '2'];

test('killed mid-epoch and resumed: the same weights as an uninterrupted run', async () => {
  const root = await folderOf(['bag', 'shoe'], 6); // 12 images, 3 steps per epoch
  try {
    const whole = join(root, 'whole.safetensors');
    assert.equal((await cli('finetune', root, ...ARGS, '--out', whole)).code, 0);

    const out = join(root, 'killed.safetensors');
    const child = spawn(process.execPath, [BIN, 'finetune', root, ...ARGS, '--out', out], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    while (!existsSync(join(root, 'killed.state.safetensors')) && child.exitCode === null) await sleep(20);
    child.kill('SIGKILL');
    await exited;
    assert.equal(child.signalCode, 'SIGKILL', 'the run was killed before it finished');
    const resumed = await cli('finetune', root, ...ARGS, '--out', out, '--resume');
    assert.equal(resumed.code, 0, resumed.stderr);

    const [a, b] = await Promise.all([readSafetensors(join(root, 'whole.last.safetensors')), readSafetensors(join(root, 'killed.last.safetensors'))]);
    assert.deepEqual([...b.tensors.keys()], [...a.tensors.keys()]);
    for (const [key, t] of a.tensors) assert.deepEqual(b.tensors.get(key)!.data, t.data, `'${key}' bit-identical`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
