#!/usr/bin/env node
// `npm run bench`: bundles the bench (bench/src/*.ts, and the test helpers it shares) with esbuild into
// .cache/bench/, then runs it. Arguments are passed on (see bench/README.md).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.cache', 'bench');
await build({
  entryPoints: { main: join(root, 'bench/src/main.ts'), 'floor-memory': join(root, 'bench/src/floor-memory.ts') },
  outdir: out,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
await import(pathToFileURL(join(out, 'main.mjs')).href);
