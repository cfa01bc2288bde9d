/** Crafted safetensors headers: bounded nesting, no ambiguity, short messages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCheckpoint } from '../../src/weights/checkpoint.js';
import { parseSafetensors } from '../../src/weights/formats/safetensors.js';
import { FileFormatError } from '../../src/errors.js';

/** A safetensors file from header text and a data section of `dataBytes` zero bytes. */
function safetensors(json: string, dataBytes: number): Buffer {
  const header = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + header.byteLength + dataBytes);
  out.writeBigUInt64LE(BigInt(header.byteLength));
  header.copy(out, 8);
  return out;
}

/** A FileFormatError on one short line matching `pattern`. */
function refused(bytes: Buffer, pattern: RegExp, maxLength = 400): void {
  assert.throws(() => parseCheckpoint(bytes, { source: 'evil.safetensors' }), (error: unknown) => {
    assert.ok(error instanceof FileFormatError, `expected a FileFormatError, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n') && error.message.length <= maxLength, `one short line (${error.message.length} chars): ${error.message.slice(0, 300)}`);
    return true;
  });
}

const tensor = (offsets: string, shape = '[2]') => `{"dtype":"F32","shape":${shape},"data_offsets":${offsets}}`;

test('20,000 nested brackets anywhere in the header are refused before JSON.parse recurses', () => {
  const deep = '['.repeat(20_000) + ']'.repeat(20_000);
  const deepObject = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
  for (const header of [
    `{"w":{"dtype":${deep},"shape":[2],"data_offsets":[0,8]}}`,
    `{"w":{"dtype":"F32","shape":${deep},"data_offsets":[0,8]}}`,
    `{"w":{"dtype":"F32","shape":[2],"data_offsets":${deep}}}`,
    `{"__metadata__":${deepObject},"w":${tensor('[0,8]')}}`,
  ]) refused(safetensors(header, 8), /evil\.safetensors is not a valid safetensors file: the header is refused: it nests deeper than 4 levels/);
  // The format's own depth (a shape inside an entry inside the header) reads.
  assert.equal(parseSafetensors(safetensors(`{"w":${tensor('[0,8]')}}`, 8)).tensors.get('w')!.data.length, 2);
});

test('duplicate keys, at any level, are refused (JSON.parse would keep the last silently)', () => {
  refused(safetensors(`{"w":${tensor('[0,8]')},"w":${tensor('[8,16]')}}`, 16), /the key 'w' appears twice in one object/);
  // The same key spelled with an escape is the same key.
  refused(safetensors(`{"w":${tensor('[0,8]')},"\\u0077":${tensor('[8,16]')}}`, 16), /the key 'w' appears twice/);
  refused(safetensors(`{"w":{"dtype":"F32","dtype":"F16","shape":[2],"data_offsets":[0,8]}}`, 8), /the key 'dtype' appears twice/);
  // A key-like string as a value is not a key.
  assert.equal(parseSafetensors(safetensors(`{"__metadata__":{"a":"w","b":"w"},"w":${tensor('[0,8]')}}`, 8)).metadata.b, 'w');
});

test('offsets that overlap, alias, leave gaps or miss the end are refused, saying why', () => {
  refused(safetensors(`{"a":${tensor('[0,8]')},"b":${tensor('[0,8]')}}`, 8), /'b' \[0, 8\] overlaps 'a' \[0, 8\]: tensors may not share bytes/);
  refused(safetensors(`{"a":${tensor('[0,8]')},"b":${tensor('[4,12]')}}`, 12), /'b' \[4, 12\] overlaps 'a' \[0, 8\]/);
  refused(safetensors(`{"a":${tensor('[0,8]')},"b":${tensor('[12,20]')}}`, 20), /'b' \[12, 20\] leaves a gap of 4 bytes after 'a' \[0, 8\]: the offsets must be contiguous/);
  refused(safetensors(`{"a":${tensor('[4,12]')}}`, 12), /gap of 4 bytes after the start of the data/);
  refused(safetensors(`{"a":${tensor('[0,8]')}}`, 12), /the tensors end at byte 8 of the 12-byte data section: 4 bytes belong to no tensor/);
  // Contiguous in offset order though not in key order: fine.
  const { tensors } = parseSafetensors(safetensors(`{"b":${tensor('[8,16]')},"a":${tensor('[0,8]')}}`, 16));
  assert.deepEqual([...tensors.keys()], ['b', 'a']);
});

test('metadata must be a map of strings', () => {
  refused(safetensors(`{"__metadata__":{"format":["pt"]},"w":${tensor('[0,8]')}}`, 8), /__metadata__ has 'format': \["pt"\], expected a map of strings/);
  refused(safetensors(`{"__metadata__":"pt","w":${tensor('[0,8]')}}`, 8), /__metadata__ is "pt", expected a map of strings/);
});

test('values quoted from the file are cut short', () => {
  const long = 'x'.repeat(36_000);
  refused(safetensors(`{"w":{"dtype":"${long}","shape":[2],"data_offsets":[0,8]}}`, 8), /'w' has dtype "xxxx.*… \(36002 characters\), expected one of F32/);
  refused(safetensors(`{"${long}":{"dtype":"F99","shape":[2],"data_offsets":[0,8]}}`, 8), /'xxxx.*… \(36000 characters\)' has dtype "F99"/);
  refused(safetensors(`{"w":{"dtype":"F32","shape":[${'1,'.repeat(9000)}1],"data_offsets":[0,8]}}`, 8), /'w' spans 8 bytes but float32 \[1,1,.*… \(18003 characters\) needs 4/);
});
