/**
 * The browser the tests drive: Debian's chromium-headless-shell through playwright-core (which
 * downloads nothing when given an executable). Its WebGPU runs on SwiftShader, a real WebGPU
 * device on the CPU: slow, but enough to test correctness on machines without a GPU.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's package puts it; EFFICIENTNET_TS_CHROMIUM points elsewhere. */
export const CHROMIUM_PATH = process.env.EFFICIENTNET_TS_CHROMIUM ?? '/usr/bin/chromium-headless-shell';

/**
 * WebGPU is off by default on Linux (`--enable-unsafe-webgpu`); the SwiftShader adapter needs no
 * GPU and no Vulkan flag. navigator.gpu exists only in a secure context, which 127.0.0.1 is.
 */
export const CHROMIUM_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] as const;

/** Why the browser tests cannot run here (one line saying how to fix it), or false when they can. */
export const browserMissing: string | false = existsSync(CHROMIUM_PATH)
  ? false
  : `no browser at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium-headless-shell\` (.ci/run does)`;

/**
 * Starts headless Chromium with WebGPU on SwiftShader.
 *
 * @example
 * const browser = await launchChromium();
 * const page = await browser.newPage();
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS] });
}
