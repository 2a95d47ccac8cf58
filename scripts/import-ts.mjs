// Imports a TypeScript module of src/ from a build script: bundles it with esbuild (its packages left
// external) into a temporary file next to node_modules, so that its own imports (ajv, ...) resolve, then
// removes the file.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {string} entry path of the module, relative to the repository root (e.g. `src/contract/index.ts`)
 * @returns {Promise<Record<string, unknown>>} the module's exports
 */
export async function importTs(entry) {
  const out = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
  });
  mkdirSync(join(root, '.cache'), { recursive: true });
  const file = join(root, `.cache/import-ts-${process.pid}-${entry.replace(/\W+/g, '_')}.mjs`);
  writeFileSync(file, out.outputFiles[0].text);
  try {
    return await import(pathToFileURL(file).href);
  } finally {
    rmSync(file, { force: true });
  }
}
