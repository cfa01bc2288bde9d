import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNpy, serializeNpy } from '../../src/io/npy.js';
import { FileFormatError } from '../../src/errors.js';

function npyBytes(descr: string, shape: string, data: Uint8Array, version = 1): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const prefix = Buffer.alloc(version === 1 ? 10 : 12);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = version;
  if (version === 1) prefix.writeUInt16LE(header.length, 8);
  else prefix.writeUInt32LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), data]);
}

test('float32 and int64 arrays round-trip', () => {
  const x = { dtype: 'float32' as const, shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, -6]) };
  const bytes = Buffer.concat(serializeNpy(x));
  assert.equal((bytes.length - 6 * 4) % 64, 0, 'data 64-byte aligned');
  assert.deepEqual(parseNpy(bytes), x);
  const labels = { dtype: 'int64' as const, shape: [3], data: new BigInt64Array([0n, 9n, 3n]) };
  assert.deepEqual(parseNpy(Buffer.concat(serializeNpy(labels))), labels);
});

test('float64, float16, int32 and version 2 files are converted', () => {
  const f64 = new Float64Array([0.5, -1.25]);
  assert.deepEqual([...parseNpy(npyBytes('<f8', '(2,)', new Uint8Array(f64.buffer))).data], [0.5, -1.25]);
  const f16 = new Uint16Array([0x3c00, 0xc000]); // 1, -2
  assert.deepEqual([...parseNpy(npyBytes('<f2', '(2,)', new Uint8Array(f16.buffer), 2)).data], [1, -2]);
  const i32 = new Int32Array([4, -1]);
  assert.deepEqual([...parseNpy(npyBytes('<i4', '(1, 2)', new Uint8Array(i32.buffer))).data], [4n, -1n]);
});

test('bad npy files name what is wrong', () => {
  assert.throws(() => parseNpy(Buffer.from('hello world!'), 'x.npy'), (e: Error) => e instanceof FileFormatError && /x.npy .*\\x93NUMPY/.test(e.message));
  assert.throws(() => parseNpy(npyBytes('<c8', '(1,)', new Uint8Array(8))), /dtype '<c8' is not supported/);
  assert.throws(() => parseNpy(npyBytes('<f4', '(4,)', new Uint8Array(8))), /needs 16 data bytes but the file has 8/);
});
