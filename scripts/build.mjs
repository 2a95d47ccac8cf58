// Bundles the host (src/main.ts and its dependencies) into one file, dist/host.js: one file to read at
// start instead of hundreds of modules. CommonJS dependencies inside the ESM bundle get a real `require`.
import { build } from 'esbuild';
import { importTs } from './import-ts.mjs';
import { readFileSync } from 'node:fs';

// The `neovim` package requires winston at load time for a default logger the host never uses (it passes
// its own to attach()): ~300 KB of winston, logform, readable-stream, colors... parsed and run at every start.
// A stub that logs nothing stands in for it.
const noWinston = {
  name: 'no-winston',
  setup(b) {
    b.onResolve({ filter: /^winston$/ }, () => ({ path: 'winston', namespace: 'mcp-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'mcp-stub' }, () => ({
      loader: 'js',
      contents: `const noop = () => {};
        const logger = { level: 'error', info: noop, warn: noop, error: noop, debug: noop, add: noop };
        class Transport {}
        module.exports = { createLogger: () => logger, format: { combine: noop, splat: noop, timestamp: noop, printf: noop }, transports: { Console: Transport, File: Transport } };`,
    }));
  },
};

// The config validators (src/config/schema.ts) as ajv standalone code, so that the host compiles nothing
// at start: src/config/precompiled.ts is replaced by the generated module.
const { fileSchema, serverSchema } = await importTs('src/config/schema.ts');
const { Ajv } = await import('ajv');
const standaloneCode = (await import('ajv/dist/standalone/index.js')).default;
const ajvStandalone = new Ajv({ allErrors: true, strict: false, code: { source: true, esm: true } });
ajvStandalone.addSchema(fileSchema, 'file');
ajvStandalone.addSchema(serverSchema, 'server');
const validatorsCode = `${standaloneCode(ajvStandalone, { file: 'file', server: 'server' })}\nexport const precompiled = { file, server };\n`;
const precompiledValidators = {
  name: 'precompiled-validators',
  setup(b) {
    b.onResolve({ filter: /\/precompiled\.js$/ }, (a) => (a.importer.includes('/src/config/') ? { path: 'precompiled', namespace: 'mcp-precompiled' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'mcp-precompiled' }, () => ({ contents: validatorsCode, loader: 'js', resolveDir: process.cwd() }));
  },
};

// The version is package.json's, defined once (src/version.ts reads the file when not bundled).
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

// dist/conformance.js is the client the MCP conformance suite drives (scripts/conformance.mjs): the same
// config loader and session layer as the host, without Neovim.
for (const [entry, outfile] of [['src/main.ts', 'dist/host.js'], ['src/conformance/client.ts', 'dist/conformance.js']]) await build({
  plugins: [noWinston, precompiledValidators],
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  define: { __MCP_VERSION__: JSON.stringify(version) },
  banner: {
    js: "import { createRequire as __mcpCreateRequire } from 'node:module'; const require = __mcpCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
