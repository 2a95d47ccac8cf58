// Bundles the host (src/main.ts and its dependencies) into one file, dist/host.js: one file to read at
// start instead of hundreds of modules. CommonJS dependencies inside the ESM bundle get a real `require`.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/host.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  banner: {
    js: "import { createRequire as __mcpCreateRequire } from 'node:module'; const require = __mcpCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
