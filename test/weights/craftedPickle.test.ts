/** Crafted pickle structure and ambiguous zips: bounded, type-checked, short one-line errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCheckpoint } from '../../src/weights/checkpoint.js';
import { FileFormatError } from '../../src/errors.js';
import { bytes, craftPth, craftZip, statePickle, str } from './craft.js';

/** A one-line FileFormatError of at most 400 characters matching `pattern`. */
function refused(file: Uint8Array, pattern: RegExp): void {
  assert.throws(() => parseCheckpoint(file, { source: 'evil.pth' }), (error: unknown) => {
    assert.ok(error instanceof FileFormatError, `expected a FileFormatError, got ${String(error).slice(0, 300)}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n') && error.message.length <= 400, `one short line (${error.message.length} chars): ${error.message.slice(0, 300)}`);
    return true;
  });
}

/** 20,000 nested one-tuples around None. */
const deepTuple = bytes('N', '\x85'.repeat(20_000));

test('20,000 levels of nesting in dict keys, torch.device arguments and persistent ids: errors, no stack overflow', () => {
  refused(craftPth(bytes('\x80\x02}', deepTuple, 'Ns.')), /evil\.pth holds no state dict: .* found a dict with keys a value nested deeper than 100 levels/);
  refused(craftPth(bytes('\x80\x02ctorch\ndevice\n', deepTuple, '\x85R.')), /torch\.device expects a type string and an optional index, got a value nested deeper than 100 levels/);
  refused(craftPth(bytes('\x80\x02', deepTuple, 'Q.')), /a persistent id is \(a tuple\/list, \.\.\.\) of 1, expected \('storage', type, key, location, numel\)/);
  // 20,000 nested lists as a value, deeper than the bound: the deep part becomes an inert marker.
  refused(craftPth(bytes('\x80\x02', ']'.repeat(20_000), 'a'.repeat(19_999), '.')), /holds no state dict/);
});

test('a container changed after it was nested (a recursive structure) is refused', () => {
  // a = []; b = [a]; a.append(b)
  refused(craftPth(bytes('\x80\x02]q\x00]q\x01h\x00ah\x00h\x01a.')), /APPEND\(S\) at byte 15 changes a tuple\/list that is already inside another value/);
});

test('whitelisted globals check their arguments', () => {
  const ordered = (args: string) => craftPth(bytes('\x80\x02ccollections\nOrderedDict\n', args, 'R.'));
  refused(ordered(']K\x01a\x85'), /collections\.OrderedDict expects \(key, value\) pairs, but item 0 is 1/);
  refused(ordered(']]K\x01a\x85a\x85'), /item 0 is a tuple\/list of 1/);
  refused(ordered('K\x07\x85'), /collections\.OrderedDict expects one list of \(key, value\) pairs, got 1 arguments, the first 7/);
  refused(craftPth(bytes('\x80\x02ctorch\nSize\n', str('x'), '\x85\x85R.')), /torch\.Size expects a tuple of non-negative integers, got a tuple\/list/);
  refused(craftPth(bytes('\x80\x02ctorch._utils\n_rebuild_parameter\n(K\x01\x88ccollections\nOrderedDict\n)RtR.')), /_rebuild_parameter expects a tensor, got 1/);
});

test('values quoted from a pickle are cut short', () => {
  const long = 'x'.repeat(36_000);
  refused(craftPth(bytes('\x80\x02c', long, '\nsystem\n)R.')), /the global 'x{80}… \(36007 characters\)', which is not allowed/);
  refused(craftPth(statePickle([{ key: 'w', storage: long, numel: 1, shape: [1], stride: [1] }])), /has no entry 'archive\/data\/x{67}… \(36013 characters\)' for a storage/);
  refused(craftPth(bytes('\x80\x02}', str(long), 'Ns.')), /found a dict with keys 'x{80}… \(36000 characters\)'/);
});

test('a zip with two entries of one name is refused (torch reads the first, we read the last)', () => {
  const good = statePickle([{ key: 'w', storage: '0', numel: 1, shape: [1], stride: [1] }]);
  const storage = new Uint8Array(4);
  refused(craftZip([{ name: 'archive/data.pkl', data: good }, { name: 'archive/data.pkl', data: bytes('\x80\x02}.') }, { name: 'archive/data/0', data: storage }]),
    /evil\.pth is not a readable zip archive: it has two entries named 'archive\/data\.pkl' \(PyTorch would read the first, other tools the last\), so what it holds is ambiguous/);
  refused(craftZip([{ name: 'archive/data.pkl', data: good }, { name: 'archive/data/0', data: storage }, { name: 'archive/data/0', data: new Uint8Array(8) }]), /two entries named 'archive\/data\/0'/);
  assert.equal(parseCheckpoint(craftZip([{ name: 'archive/data.pkl', data: good }, { name: 'archive/data/0', data: storage }])).tensors.size, 1);
});
