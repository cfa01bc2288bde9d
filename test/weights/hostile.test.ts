import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCheckpoint } from '../../src/weights/checkpoint.js';
import { FileFormatError } from '../../src/errors.js';
import { buildZip } from '../../src/weights/formats/zipWriter.js';
import { fixture } from './fixtures.js';

/** Pickle bytes from opcode text (latin-1) and byte arrays. */
const bytes = (...parts: (string | number[] | Uint8Array)[]): Buffer => Buffer.concat(parts.map((p) => Buffer.from(typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
const str = (s: string) => bytes('X', [s.length, 0, 0, 0], s); // BINUNICODE

/** A zip-format checkpoint around a hand-written data.pkl and optional storages. */
function pthWith(pickle: Uint8Array, storages: Record<string, Uint8Array> = {}): Buffer {
  const chunks = buildZip([
    { name: 'archive/data.pkl', data: pickle },
    ...Object.entries(storages).map(([key, data]) => ({ name: `archive/data/${key}`, data })),
  ]);
  return Buffer.concat(chunks);
}

/** `{ 'w': _rebuild_tensor_v2(storage(numel), offset, (size,), (stride,), False, OrderedDict()) }`. */
function tensorPickle(numel: number, offset: number, size: number, stride: number): Buffer {
  return bytes('\x80\x02}(', str('w'), 'ctorch._utils\n_rebuild_tensor_v2\n((', str('storage'), 'ctorch\nFloatStorage\n', str('0'), str('cpu'),
    'K', [numel], 'tQK', [offset], 'K', [size], '\x85K', [stride], '\x85\x89ccollections\nOrderedDict\n)RtRu.');
}

/** Runs `parse` and demands a one-line FileFormatError matching `pattern`. */
function assertFormatError(parse: () => unknown, pattern: RegExp): void {
  assert.throws(parse, (error: unknown) => {
    assert.ok(error instanceof FileFormatError, `expected a FileFormatError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'), `one line: ${error.message}`);
    return true;
  });
}

const parse = (data: Uint8Array) => () => parseCheckpoint(data, { source: 'evil.pth' });

test('a hand-made tensor pickle reads (the hostile variants below differ in one thing each)', () => {
  const { tensors } = parseCheckpoint(pthWith(tensorPickle(4, 1, 3, 1), { 0: new Uint8Array(new Float32Array([0, 1, 2, 3]).buffer) }));
  assert.deepEqual([...tensors.get('w')!.data], [1, 2, 3]);
});

test('globals that would run code are refused by name', () => {
  assertFormatError(parse(pthWith(bytes('\x80\x02cos\nsystem\n', str('echo pwned'), '\x85R.'))), /evil\.pth.*'os\.system', which is not allowed/);
  assertFormatError(parse(pthWith(bytes('\x80\x02cposix\nsystem\n', str('id'), '\x85R.'))), /'posix\.system'/);
  // Protocol 4 spelling: STACK_GLOBAL from two short strings.
  assertFormatError(parse(pthWith(bytes('\x80\x04\x8c\x08builtins\x8c\x04eval\x93', str('1+1'), '\x85R.'))), /'builtins\.eval'/);
  assertFormatError(parse(pthWith(bytes('\x80\x02cefficientnet_pytorch.model\nEfficientNet\n)\x81.'))), /save model\.state_dict\(\) instead/);
});

test('unknown opcodes are named with their offset', () => {
  assertFormatError(parse(pthWith(bytes('\x80\x02\xff.'))), /opcode 0xff at byte 2/);
  assertFormatError(parse(pthWith(bytes('\x80\x02I42\n.'))), /opcode 0x49 at byte 2/); // text INT (protocol 0)
});

test('tensors reaching outside their storage are refused', () => {
  const storage = { 0: new Uint8Array(16) };
  assertFormatError(parse(pthWith(tensorPickle(4, 2, 3, 1), storage)), /reads element 4 of storage '0', which has 4/);
  assertFormatError(parse(pthWith(tensorPickle(4, 0, 3, 2), storage)), /reads element 4/);
  assertFormatError(parse(pthWith(tensorPickle(8, 0, 8, 1), storage)), /should hold 8 float32 values \(32 bytes\) but has 16/);
  assertFormatError(parse(pthWith(tensorPickle(4, 0, 4, 1))), /no entry 'archive\/data\/0'/);
  // 200 elements from a 1-element storage through a zero stride is allowed (broadcast), bounded.
  assert.equal(parseCheckpoint(pthWith(tensorPickle(1, 0, 200, 0), { 0: new Uint8Array(4) })).tensors.get('w')!.data.length, 200);
});

test('truncated zip and legacy files fail cleanly at every length', () => {
  for (const name of ['lukemelas-zip.pth', 'lukemelas-legacy.pth']) {
    const whole = fixture(name);
    for (let length = 0; length < whole.byteLength; length += 7) {
      assert.throws(() => parseCheckpoint(whole.subarray(0, length), { source: name }), FileFormatError, `${name} cut at ${length}`);
    }
  }
  assertFormatError(() => parseCheckpoint(fixture('lukemelas-legacy.pth').subarray(0, 2400), { source: 'old.pth' }), /old\.pth .*truncated/);
});

test('random corruption gives a FileFormatError or a result, never another error', () => {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (const name of ['lukemelas-zip.pth', 'lukemelas-legacy.pth']) {
    const whole = fixture(name);
    for (let trial = 0; trial < 300; trial++) {
      const damaged = Buffer.from(whole);
      for (let i = 0; i < 3; i++) damaged[Math.floor(random() * damaged.byteLength)] = Math.floor(random() * 256);
      try { parseCheckpoint(damaged); } catch (error) { assert.ok(error instanceof FileFormatError, `${name} trial ${trial}: ${String(error)}`); }
    }
  }
});

test('wrong magic bytes name the formats that were expected', () => {
  assertFormatError(parse(Buffer.from('<html>404 Not Found</html>')), /evil\.pth is not a checkpoint: expected a PyTorch zip .* it starts with 3c 68 74 6d/);
  assertFormatError(parse(Buffer.alloc(0)), /empty file/);
  // A legacy stream whose first pickle is not PyTorch's magic number.
  assertFormatError(parse(bytes('\x80\x02K\x07.')), /magic number is 7/);
  // A zip that is not a checkpoint.
  assertFormatError(parse(Buffer.concat(buildZip([{ name: 'readme.txt', data: Buffer.from('hi') }]))), /expected one '<archive>\/data\.pkl'/);
});

test('safetensors headers that lie are refused', () => {
  const header = (json: string, dataBytes: number, claimed = json.length) => {
    const out = Buffer.alloc(8 + json.length + dataBytes);
    out.writeBigUInt64LE(BigInt(claimed));
    out.write(json, 8, 'latin1');
    return out;
  };
  assertFormatError(parse(header('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', 8, 4000)), /header claims 4000 bytes/);
  assertFormatError(parse(header('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', 4)), /fall outside the 4-byte data section/);
  assertFormatError(parse(header('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', 8)), /spans 8 bytes but float32 \[3\] needs 12/);
});

test('hostile pickles cost linear time and no recursion', () => {
  // 200k nested lists: no stack overflow, and no state dict in the end.
  const depth = 200_000;
  const nested = bytes('\x80\x02', ']'.repeat(depth), 'a'.repeat(depth - 1), '.');
  assertFormatError(parse(pthWith(nested)), /holds no state dict/);
  // A list that contains itself (through the memo) does not loop.
  assertFormatError(parse(pthWith(bytes('\x80\x02]q\x00h\x00a.'))), /holds no state dict/);
  // Lengths larger than the data are caught before anything is allocated.
  assertFormatError(parse(pthWith(bytes('\x80\x02X\xff\xff\xff\x7f'))), /BINUNICODE at byte 7 needs 2147483647 bytes/);
  assertFormatError(parse(pthWith(bytes('\x80\x02h\x05.'))), /memo entry 5/);
  assertFormatError(parse(pthWith(bytes('\x80\x02u.'))), /no MARK/);
});
