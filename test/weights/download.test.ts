import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { FIXTURES } from '../support/fixtures.js';
import { WeightLoadError } from '../../src/errors.js';
import { defaultCacheDir } from '../../src/node/cache.js';
import { fetchPretrained } from '../../src/node/download.js';
import type { DownloadProgress, DownloadRetry } from '../../src/platform/index.js';
import { getPretrained, type PretrainedEntry } from '../../src/weights/pretrained/registry.js';

// 300 kB of deterministic bytes, served by a loopback server that can misbehave on request.
const CONTENT = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
const DIGEST = createHash('sha256').update(CONTENT).digest('hex');
const requests: { path: string; range?: string }[] = [];
let drops = 0;
let stalls = 0;

/** No Content-Length, and bytes for as long as the client reads (capped at 64 MB to protect the test). */
function endless(response: ServerResponse): void {
  response.writeHead(200); // chunked
  let sent = 0;
  const more = () => {
    while (!response.destroyed && sent < 64 << 20) {
      sent += CONTENT.byteLength;
      if (!response.write(CONTENT)) return void response.once('drain', more);
    }
    response.end();
  };
  more();
}

function serve(request: IncomingMessage, response: ServerResponse): void {
  const [, mode] = (request.url ?? '').split('/');
  requests.push({ path: request.url ?? '', range: request.headers.range });
  if (mode === 'missing') { response.writeHead(404, 'Not Found').end(); return; }
  if (mode === 'endless') { endless(response); return; }
  const body = mode === 'corrupt' ? Buffer.from(CONTENT).fill(0, 0, 10) : CONTENT;
  const start = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
  const slice = body.subarray(start);
  response.writeHead(start > 0 ? 206 : 200, { 'Content-Length': slice.byteLength, ...(start > 0 ? { 'Content-Range': `bytes ${start}-${body.byteLength - 1}/${body.byteLength}` } : {}) });
  if (mode === 'stall' && stalls > 0) {
    // Send a third of what was promised, then nothing more, keeping the connection open.
    stalls--;
    response.write(slice.subarray(0, Math.floor(slice.byteLength / 3)));
    return;
  }
  if (mode === 'flaky' && drops > 0) {
    // Send a third of what was promised, then drop the connection.
    drops--;
    response.write(slice.subarray(0, Math.floor(slice.byteLength / 3)), () => response.destroy());
    return;
  }
  response.end(slice);
}

const server = createServer(serve);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => { server.closeAllConnections(); server.close(); });

const entry: PretrainedEntry = { ...getPretrained('lukemelas:efficientnet-b0'), fileName: `weights-${DIGEST.slice(0, 8)}.pth`, sha256: DIGEST.slice(0, 8) };

async function withCache<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'efficientnet-ts-cache-'));
  try { return await run(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

const fast = { retryDelayMs: 5 };

test('downloads, verifies, reports progress, then reuses the cached file', () => withCache(async (cacheDir) => {
  const progress: DownloadProgress[] = [];
  const first = await fetchPretrained(entry, { ...fast, cacheDir, baseUrl: `${origin}/ok/`, onProgress: (p) => progress.push(p) });
  assert.equal(first.downloaded, true);
  assert.equal(first.path, join(cacheDir, entry.fileName));
  assert.ok((await readFile(first.path)).equals(CONTENT));
  assert.equal(progress.at(-1)?.received, CONTENT.byteLength);
  assert.equal(progress.at(-1)?.total, CONTENT.byteLength);
  assert.equal(progress.at(-1)?.url, `${origin}/ok/${entry.fileName}`);
  const before = requests.length;
  const second = await fetchPretrained(entry, { ...fast, cacheDir, baseUrl: `${origin}/ok` });
  assert.deepEqual([second.downloaded, second.path, requests.length], [false, first.path, before], 'no request for a verified cached file');
  assert.deepEqual((await readdir(cacheDir)).sort(), [entry.fileName, `${entry.fileName}.sha256`], 'no temporary file left');
}));

test('a dropped connection is resumed with a Range request', () => withCache(async (cacheDir) => {
  drops = 2;
  const before = requests.length;
  const { path } = await fetchPretrained(entry, { ...fast, cacheDir, baseUrl: `${origin}/flaky` });
  assert.ok((await readFile(path)).equals(CONTENT));
  const made = requests.slice(before);
  assert.equal(made.length, 3);
  assert.equal(made[0].range, undefined);
  assert.match(made[1].range ?? '', /^bytes=100000-$/);
  assert.match(made[2].range ?? '', /^bytes=\d+-$/);
}));

test('retries are bounded', () => withCache(async (cacheDir) => {
  drops = 10;
  await assert.rejects(fetchPretrained(entry, { ...fast, cacheDir, baseUrl: `${origin}/flaky`, retries: 2 }), WeightLoadError);
  drops = 0;
}));

test('404, hash mismatch and no connection name the URL and where to put the file', () => withCache(async (cacheDir) => {
  const target = join(cacheDir, entry.fileName);
  const expectError = (pattern: RegExp) => (error: unknown) => {
    assert.ok(error instanceof WeightLoadError);
    assert.match(error.message, pattern);
    assert.ok(error.message.includes(`save it as ${target}`), error.message);
    assert.ok(!error.message.includes('\n'));
    return true;
  };
  await assert.rejects(fetchPretrained(entry, { ...fast, cacheDir, baseUrl: `${origin}/missing` }), expectError(/from http:\/\/127\.0\.0\.1:\d+\/missing\/weights-\w+\.pth: HTTP 404 Not Found/));
  await assert.rejects(fetchPretrained(entry, { ...fast, cacheDir, baseUrl: `${origin}/corrupt` }), expectError(/SHA-256 is [0-9a-f]{64}, expected one starting with/));
  assert.deepEqual(await readdir(cacheDir), [], 'the corrupt download is removed');
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  await assert.rejects(fetchPretrained(entry, { ...fast, cacheDir, baseUrl: `http://127.0.0.1:${port}`, retries: 1 }), expectError(/no connection \(ECONNREFUSED\)/));
}));

test('a cached file that fails its hash is replaced; the mirror comes from EFFICIENTNET_TS_BASE_URL', () => withCache(async (cacheDir) => {
  await import('node:fs/promises').then((fs) => fs.writeFile(join(cacheDir, entry.fileName), 'truncated'));
  process.env.EFFICIENTNET_TS_BASE_URL = `${origin}/ok`;
  try {
    const { downloaded, path } = await fetchPretrained(entry, { ...fast, cacheDir });
    assert.equal(downloaded, true);
    assert.ok((await readFile(path)).equals(CONTENT));
  } finally {
    delete process.env.EFFICIENTNET_TS_BASE_URL;
  }
}));

test('the cache directory follows EFFICIENTNET_TS_CACHE, then XDG_CACHE_HOME, then ~/.cache', () => {
  assert.equal(defaultCacheDir({ EFFICIENTNET_TS_CACHE: '/a', XDG_CACHE_HOME: '/b' }), '/a');
  assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/b' }), join('/b', 'efficientnet-ts'));
  assert.match(defaultCacheDir({}), /\.cache[\\/]efficientnet-ts$/);
});

test('a mirror that stalls mid-body is abandoned after the idle timeout and resumed with a Range request, retries shown', () => withCache(async (cacheDir) => {
  stalls = 1;
  const before = requests.length;
  const retries: DownloadRetry[] = [];
  const started = Date.now();
  const { path } = await fetchPretrained(entry, { ...fast, cacheDir, baseUrl: `${origin}/stall`, idleTimeoutMs: 200, onRetry: (r) => retries.push(r) });
  assert.ok((await readFile(path)).equals(CONTENT));
  assert.ok(Date.now() - started < 5000, 'the stall is noticed within the idle timeout, not after 300 s');
  assert.deepEqual(requests.slice(before).map((r) => r.range), [undefined, 'bytes=100000-']);
  assert.deepEqual(retries.map((r) => [r.attempt, r.retries, r.received]), [[1, 3, 100000]]);
  assert.equal(retries[0].reason, 'no data for 0.2 s after 100000 bytes');
}));

test('a mirror that always stalls fails with the reason and the retry count', () => withCache(async (cacheDir) => {
  stalls = 10;
  await assert.rejects(fetchPretrained(entry, { ...fast, cacheDir, baseUrl: `${origin}/stall`, idleTimeoutMs: 100, retries: 2 }), (e: Error) =>
    e instanceof WeightLoadError && /: no data for 0\.1 s after \d+ bytes \(after 2 retries\)\. Download it by hand/.test(e.message));
  stalls = 0;
}));

test('a body without Content-Length is cut off at the limit, and nothing is kept', () => withCache(async (cacheDir) => {
  const before = requests.length;
  await assert.rejects(fetchPretrained(entry, { ...fast, cacheDir, baseUrl: `${origin}/endless`, maxBytes: 1_000_000 }), (e: Error) =>
    e instanceof WeightLoadError && /the server sent more than the 1000000-byte limit \(it gave no Content-Length\); cut off/.test(e.message));
  assert.equal(requests.length - before, 1, 'not retried');
  assert.deepEqual(await readdir(cacheDir), []);
}));

test('the command line shows each retry of a stalled download on its own line, then one error line', () => withCache(async (cacheDir) => {
  stalls = 10;
  const bin = join(FIXTURES, '..', '..', 'bin', 'efficientnet.js');
  const env = { ...process.env, EFFICIENTNET_TS_CACHE: cacheDir, EFFICIENTNET_TS_BASE_URL: `${origin}/stall`, EFFICIENTNET_TS_IDLE_TIMEOUT: '0.1' };
  const result = await promisify(execFile)(process.execPath, [bin, 'classify', join(FIXTURES, 'images', 'coffee.jpg'), '--weights', 'lukemelas:efficientnet-b0'], { env }).then(
    () => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
  stalls = 0;
  assert.equal(result.code, 1);
  const lines = result.stderr.trim().split('\n');
  assert.deepEqual(lines.slice(0, 3).map((l) => /retry (\d) of 3, resuming at byte (\d+)/.exec(l)?.[1]), ['1', '2', '3'], result.stderr);
  assert.match(lines[0], /^efficientnet: download: no data for 0\.1 s after \d+ bytes; retry 1 of 3/);
  assert.match(lines[3], /^efficientnet: Could not get lukemelas:efficientnet-b0 .*no data for 0\.1 s .*\(after 3 retries\)/);
  assert.equal(lines.length, 4);
}));
