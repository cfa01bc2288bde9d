/** A reader that stops early closes the pipe under the CLI: it must stop quietly, not crash on EPIPE. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN } from '../support/cli.js';

test('output piped into a reader that stops early (| head) ends quietly with exit 0', async () => {
  // The L2 summary is over 100 kB: far more than one pipe buffer, so later writes meet a closed pipe.
  const child = spawn(process.execPath, [BIN, 'summary', 'efficientnet-l2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  child.stdout.once('data', () => child.stdout.destroy()); // read the first chunk, then close, as `head -c` does
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(stderr, '');
  assert.equal(code, 0);
});
