/**
 * Oracle parity: our preprocessing against torchvision 0.14 + PIL 9.4 on real photos and on every
 * input format. The oracle (scripts/make_image_fixtures.py) stores PIL's resized and cropped bytes;
 * normalising them here reproduces torchvision's tensor (the script checks this to 1e-6, and the
 * per-channel sums it recorded are checked again below).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { preprocessImage } from '../../src/data/preprocess.js';
import { preset, type PresetName } from '../../src/data/presets.js';
import type { PreprocessConfig } from '../../src/weights/preprocessConfig.js';
import { difference, fixture } from './fixtures.js';

interface Entry {
  file: string;
  label: string;
  channels: 1 | 3;
  config: PreprocessConfig;
  shape: [number, number, number]; // [H, W, C]
  channelSums: number[];
  offset: number;
}

const manifest = JSON.parse(readFileSync(fixture('oracle.json'), 'utf8')) as { entries: Entry[] };
const blob = gunzipSync(readFileSync(fixture('oracle.bin.gz')));

/** Undoes the script's delta coding (left neighbour, then row above, mod 256): [H, W, C] bytes. */
function oraclePixels({ shape: [h, w, c], offset }: Entry): Uint8Array {
  const out = Uint8Array.from(blob.subarray(offset, offset + h * w * c));
  const row = w * c;
  for (let i = row; i < out.length; i++) out[i] = (out[i] + out[i - row]) & 255;
  for (let y = 0; y < h; y++) {
    for (let i = y * row + c; i < (y + 1) * row; i++) out[i] = (out[i] + out[i - c]) & 255;
  }
  return out;
}

/** torchvision's ToTensor + Normalize on the oracle bytes: [C, H, W] float. */
function oracleTensor(entry: Entry): Float64Array {
  const [h, w, c] = entry.shape;
  const pixels = oraclePixels(entry);
  const out = new Float64Array(c * h * w);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < h * w; i++) out[ch * h * w + i] = (pixels[i * c + ch] / 255 - entry.config.mean[ch]) / entry.config.std[ch];
  }
  return out;
}

const BAR = 0.02; // the bar: mean absolute difference after normalisation

test('oracle bytes reproduce the tensors torchvision computed', () => {
  for (const entry of manifest.entries) {
    const [h, w, c] = entry.shape;
    const tensor = oracleTensor(entry);
    for (let ch = 0; ch < c; ch++) {
      let sum = 0;
      for (let i = 0; i < h * w; i++) sum += tensor[ch * h * w + i];
      assert.ok(Math.abs(sum - entry.channelSums[ch]) < 1e-5 * h * w, `${entry.file} ${entry.label} channel ${ch}`);
    }
  }
});

test(`preprocessing matches torchvision + PIL within ${BAR} (mean |Δ| after normalisation)`, async (t) => {
  const rows: string[] = [];
  let worst = 0;
  for (const entry of manifest.entries) {
    const ours = await preprocessImage(fixture(entry.file), entry.config, { channels: entry.channels });
    assert.deepEqual(ours.dims, [entry.shape[2], entry.shape[0], entry.shape[1]], `${entry.file} ${entry.label}`);
    const { mean, max } = difference(ours.data, oracleTensor(entry));
    worst = Math.max(worst, mean);
    rows.push(`${entry.file} ${entry.label}: mean ${mean.toExponential(2)} max ${max.toExponential(2)}`);
    assert.ok(mean < BAR, `${entry.file} ${entry.label}: mean |Δ| ${mean} ≥ ${BAR}`);
    // Stricter than the bar: the resampler is a port of PIL's, so every byte should agree and
    // only float rounding (~1e-7) remain. One byte off would show as ≥ 1 / 255 / std ≈ 0.017.
    assert.ok(max < 1e-4, `${entry.file} ${entry.label}: max |Δ| ${max}, expected PIL's exact bytes`);
  }
  t.diagnostic(`worst mean |Δ| ${worst.toExponential(2)} over ${rows.length} cases`);
  for (const row of rows) t.diagnostic(row);
});

test('presets equal the transforms the oracle ran', () => {
  const checked = manifest.entries.filter((e) => e.label.startsWith('preset '));
  assert.ok(checked.length >= 4);
  for (const entry of checked) {
    const [, name, variant] = entry.label.split(' ');
    const config = preset(name as PresetName, variant);
    assert.deepEqual(
      { ...config, mean: [...config.mean], std: [...config.std], crop: [...config.crop] },
      { ...entry.config, crop: [...entry.config.crop] },
      entry.label,
    );
  }
});
