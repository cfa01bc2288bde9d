/** Registry tags on the command line: a mirror that fails, and no network at all, each one clear line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FIXTURES } from '../support/fixtures.js';

const BIN = join(FIXTURES, '..', '..', 'bin', 'efficientnet.js');

async function cliWithEnv(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stderr: '' };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

test('a tag whose mirror answers 404 or is unreachable fails with the URL and where to put the file', async () => {
  const cache = await mkdtemp(join(tmpdir(), 'enet-cache-'));
  const requests: string[] = [];
  const server = createServer((req, res) => { requests.push(req.url ?? ''); res.writeHead(404).end(); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const image = join(FIXTURES, 'images', 'coffee.jpg');
    const missing = await cliWithEnv({ EFFICIENTNET_TS_CACHE: cache, EFFICIENTNET_TS_BASE_URL: `http://127.0.0.1:${port}/mirror` }, 'classify', image, '--weights', 'lukemelas:efficientnet-b0');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /HTTP 404/);
    assert.match(missing.stderr, new RegExp(`http://127\\.0\\.0\\.1:${port}/mirror/efficientnet-b0-355c32eb\\.pth`));
    assert.ok(missing.stderr.includes(join(cache, 'efficientnet-b0-355c32eb.pth')), missing.stderr);
    assert.deepEqual(requests, ['/mirror/efficientnet-b0-355c32eb.pth']);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const offline = await cliWithEnv({ EFFICIENTNET_TS_CACHE: cache, EFFICIENTNET_TS_BASE_URL: `http://127.0.0.1:${port}` }, 'classify', image, '--weights', 'lukemelas:efficientnet-b0');
    assert.equal(offline.code, 1);
    assert.match(offline.stderr, /Could not get lukemelas:efficientnet-b0/);
    assert.doesNotMatch(offline.stderr, /\n\s+at /);
    assert.deepEqual(await readdir(cache), [], 'nothing half-written in the cache');
  } finally {
    server.close();
    await rm(cache, { recursive: true, force: true });
  }
});
