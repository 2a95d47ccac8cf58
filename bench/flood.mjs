#!/usr/bin/env node
// `node bench/flood.mjs [--storm N] [--junk N] [--reps N]`: the flood bench (bench/src/flood.ts), bundled
// with esbuild into .cache/bench/ as bench/run.mjs does, then run. Needs a built host (`npm run build`).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.cache', 'bench');
await build({
  entryPoints: { flood: join(root, 'bench/src/flood.ts') },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
await import(pathToFileURL(join(out, 'flood.mjs')).href);
