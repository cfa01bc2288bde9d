/**
 * timm's "squash" evaluation resize (`crop_mode='squash'`, tf_efficientnetv2 M/L/XL): both sides
 * to the resize size, aspect ratio dropped, then the centre crop. Against torchvision 0.14 + PIL
 * 9.4 running Resize((s, s)) + CenterCrop on the committed photos (scripts/make_squash_fixtures.py):
 * PIL's exact bytes. The registry rows that timm marks squash carry it; S does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ConfigError } from '../../src/errors.js';
import { squashedSize } from '../../src/data/geometry.js';
import { preprocessImage } from '../../src/data/preprocess.js';
import type { PreprocessConfig } from '../../src/weights/preprocessConfig.js';
import { getPretrained } from '../../src/weights/pretrained/registry.js';
import { difference, fixture } from './fixtures.js';

interface Entry {
  file: string;
  label: string;
  config: PreprocessConfig;
  shape: [number, number, number]; // [H, W, C]
  offset: number;
}

const manifest = JSON.parse(readFileSync(fixture('squash-oracle.json'), 'utf8')) as { entries: Entry[] };
const blob = gunzipSync(readFileSync(fixture('squash-oracle.bin.gz')));

/** ToTensor + Normalize on the oracle's [H, W, C] bytes: [C, H, W]. */
function oracleTensor({ shape: [h, w, c], offset, config }: Entry): Float64Array {
  const out = new Float64Array(c * h * w);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < h * w; i++) out[ch * h * w + i] = (blob[offset + i * c + ch] / 255 - config.mean[ch]) / config.std[ch];
  }
  return out;
}

test('squash resize matches torchvision Resize((s, s)) + CenterCrop on PIL, byte for byte', async () => {
  assert.equal(manifest.entries.length, 4);
  for (const entry of manifest.entries) {
    const ours = await preprocessImage(fixture(entry.file), entry.config);
    assert.deepEqual(ours.dims, [3, entry.shape[0], entry.shape[1]], entry.label);
    const { max } = difference(ours.data, oracleTensor(entry));
    assert.ok(max < 1e-4, `${entry.file} ${entry.label}: max |Δ| ${max}, expected PIL's exact bytes`); // one byte off is 2 / 255
    // On a non-square photo the shorter-side resize crops other pixels: the mode matters.
    if (entry.file !== 'astronaut.jpg') {
      const shorter = await preprocessImage(fixture(entry.file), { ...entry.config, resizeMode: 'shorter' });
      assert.ok(difference(shorter.data, oracleTensor(entry)).mean > 0.05, `${entry.label}: shorter-side differs`);
    }
  }
});

test('squashedSize: square crops take resize on both sides; other crops keep their proportions', () => {
  assert.deepEqual(squashedSize(480, [480, 480]), [480, 480]);
  assert.deepEqual(squashedSize(256, [224, 448]), [256, 512]);
});

test('an unknown resize mode is one ConfigError naming it and the choices', async () => {
  const config = { ...manifest.entries[0].config, resizeMode: 'stretch' } as unknown as PreprocessConfig;
  await assert.rejects(preprocessImage(fixture('chelsea.jpg'), config), (e: Error) => e instanceof ConfigError && e.message === "Invalid resize mode: 'stretch'. Should be one of: 'shorter' or 'squash'");
});

test('registry: timm tf_efficientnetv2 M, L and XL squash to the test size; S and the B variants resize the shorter side', () => {
  for (const tag of ['timm:tf_efficientnetv2_m.in1k', 'timm:tf_efficientnetv2_l.in21k_ft_in1k', 'timm:tf_efficientnetv2_xl.in21k_ft_in1k']) {
    const { preprocess } = getPretrained(tag);
    assert.equal(preprocess.resizeMode, 'squash', tag);
    assert.equal(preprocess.resize, preprocess.crop[0], tag); // crop_pct 1.0: nothing cropped away
  }
  for (const tag of ['timm:tf_efficientnetv2_s.in1k', 'timm:tf_efficientnetv2_b3.in1k', 'torchvision:efficientnet_v2_l.IMAGENET1K_V1']) {
    assert.equal(getPretrained(tag).preprocess.resizeMode, undefined, tag);
  }
});
