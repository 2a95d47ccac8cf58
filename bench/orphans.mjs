#!/usr/bin/env node
// `node bench/orphans.mjs [--cycles N] [--hosts N] [--stops N] [--quits N]`: bundles bench/src/orphans.ts
// (and the test helpers it uses) with esbuild into .cache/bench/ and runs it: counts the processes that
// misbehaving stdio servers leave behind (see that file). Needs the host built (`npm run build`).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.cache', 'bench');
await build({
  entryPoints: { orphans: join(root, 'bench/src/orphans.ts') },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
await import(pathToFileURL(join(out, 'orphans.mjs')).href);
