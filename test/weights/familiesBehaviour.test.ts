/**
 * Pins what each weight family decides today (padding, batch norm, evaluation transform) for
 * every registry entry, key family, variant and preset, against a snapshot written before the
 * families table existed. Regenerate only on purpose: `UPDATE_FAMILIES=1 node --test dist/test/weights/familiesBehaviour.test.js`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/arch/config.js';
import { buildNetwork } from '../../src/arch/network.js';
import { VARIANT_NAMES } from '../../src/arch/variants.js';
import { familyDefaults } from '../../src/model/checkpointConfig.js';
import { PRESET_NAMES, preset } from '../../src/data/presets.js';
import { defaultPreprocess } from '../../src/data/defaults.js';
import { PRETRAINED } from '../../src/weights/pretrained/registry.js';
import { FIXTURES } from '../support/fixtures.js';

const SNAPSHOT = join(FIXTURES, 'families', 'behaviour.json');
const KEY_FAMILIES = ['lukemelas', 'torchvision', 'timm'] as const;
const MODEL_NAMES = [undefined, ...VARIANT_NAMES, ...VARIANT_NAMES.map((v) => v.replace('efficientnet-', 'tf_efficientnet_')), 'efficientnet_b6', ' TF_efficientnet_b5 '];

function attempt<T>(f: () => T): T | { error: string } {
  try {
    return f();
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function behaviour(): unknown {
  const registry = Object.fromEntries([...PRETRAINED.values()].map((e) => [e.tag, {
    arch: e.arch, url: e.url, sha256: e.sha256, keyFamily: e.keyFamily, padding: e.padding, batchNormEpsilon: e.batchNormEpsilon, numClasses: e.numClasses, preprocess: e.preprocess,
  }]));
  const defaults = Object.fromEntries(KEY_FAMILIES.flatMap((family) => MODEL_NAMES.map((name) => [`${family} ${name}`, familyDefaults(family, name)])));
  const presets = Object.fromEntries(PRESET_NAMES.flatMap((name) => VARIANT_NAMES.map((variant) => [`${name} ${variant}`, attempt(() => preset(name, variant))])));
  const networks: [string, ReturnType<typeof buildNetwork>][] = [
    ...VARIANT_NAMES.map((v) => [v, buildNetwork(resolveConfig(v))] as [string, ReturnType<typeof buildNetwork>]),
    ['b0 at 160', buildNetwork(resolveConfig('efficientnet-b0', { imageSize: 160 }))],
    ['b3 at 200×260', buildNetwork(resolveConfig('efficientnet-b3', { imageSize: [200, 260] }))],
    ['b0 grey', buildNetwork(resolveConfig('efficientnet-b0', { inChannels: 1 }))],
    ['b2 with 4 channels', buildNetwork(resolveConfig('efficientnet-b2', { inChannels: 4 }))],
  ];
  const preprocess = Object.fromEntries(networks.flatMap(([label, net]) => KEY_FAMILIES.flatMap((family) =>
    [undefined, net.config.name.replace('efficientnet-', 'tf_efficientnet_')].map((name) => [`${label} ${family} ${name}`, defaultPreprocess(net, family, name)]))));
  return JSON.parse(JSON.stringify({ registry, defaults, presets, preprocess }));
}

test('every family decision (registry entries, checkpoint defaults, presets, default preprocessing) is what it was before the families table', () => {
  const now = behaviour();
  if (process.env.UPDATE_FAMILIES === '1') writeFileSync(SNAPSHOT, `${JSON.stringify(now, null, 1)}\n`);
  assert.deepEqual(now, JSON.parse(readFileSync(SNAPSHOT, 'utf8')));
});
