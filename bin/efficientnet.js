#!/usr/bin/env node
// Thin launcher: the CLI lives in the compiled TypeScript (built by `npm ci` through `prepare`).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
