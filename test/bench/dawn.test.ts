/**
 * The one piece of the Dawn bench (bench/dawn.ts) that runs without a GPU: uploads from shared
 * memory are copied before they reach dawn.node, with writeBuffer's offsets counted as WebGPU
 * counts them (elements of a typed array, bytes of a DataView).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copySharedUploads } from '../../bench/dawn.js';

interface Call { readonly buffer: unknown; readonly offset: number; readonly data: unknown; readonly dataOffset?: number; readonly size?: number }

/** A stand-in GPUQueue class whose writeBuffer records what reached it. */
function fakeQueue(): { queue: { prototype: object }; calls: Call[] } {
  const calls: Call[] = [];
  class Queue {
    writeBuffer(buffer: unknown, offset: number, data: unknown, dataOffset?: number, size?: number): void {
      calls.push({ buffer, offset, data, dataOffset, size });
    }
  }
  copySharedUploads(Queue);
  return { queue: Queue, calls };
}

const write = (queue: { prototype: object }, ...args: unknown[]) => (new (queue as new () => { writeBuffer(...a: unknown[]): void })()).writeBuffer(...args);

test('a typed array on shared memory reaches writeBuffer as a private copy of the asked elements', () => {
  const { queue, calls } = fakeQueue();
  const shared = new Float32Array(new SharedArrayBuffer(10 * 4));
  shared.forEach((_, i) => { shared[i] = i; });
  write(queue, 'buf', 16, shared.subarray(2), 1, 3); // elements 3, 4, 5 of the whole
  const [call] = calls;
  assert.equal(call.offset, 16);
  assert.ok(call.data instanceof Uint8Array && !(call.data.buffer instanceof SharedArrayBuffer), 'a private copy');
  assert.deepEqual([...new Float32Array((call.data as Uint8Array).buffer)], [3, 4, 5]);
  assert.deepEqual([call.dataOffset, call.size], [0, 12]);
});

test('a DataView on shared memory counts its offset and size in bytes', () => {
  const { queue, calls } = fakeQueue();
  const bytes = new Uint8Array(new SharedArrayBuffer(8));
  bytes.forEach((_, i) => { bytes[i] = 10 + i; });
  write(queue, 'buf', 0, new DataView(bytes.buffer, 2), 1); // bytes 3..7
  assert.deepEqual([...(calls[0].data as Uint8Array)], [13, 14, 15, 16, 17]);
});

test('ordinary memory passes through untouched', () => {
  const { queue, calls } = fakeQueue();
  const data = new Float32Array(4);
  write(queue, 'buf', 8, data, 1, 2);
  assert.equal(calls[0].data, data);
  assert.deepEqual([calls[0].dataOffset, calls[0].size], [1, 2]);
});
