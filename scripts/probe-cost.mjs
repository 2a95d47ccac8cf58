#!/usr/bin/env node
// What era negotiation costs at connect time, through the host's own session code (src/session/connect.ts):
// for each server, the first start with no cached verdict (probe: server/discover, then initialize for a
// legacy server) against a restart with the verdict cached (straight into the era). Each connect spawns
// the server, completes the handshake and is timed until the client is usable; the process is then
// stopped. Runs alternate so that load on the machine hits both rows alike.
// Usage: node scripts/probe-cost.mjs [runs=7]
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const runs = Number(process.argv[2] ?? 7);
mkdirSync('.cache', { recursive: true });
const entry = `.cache/probe-cost-${process.pid}.mjs`;
await build({
  stdin: {
    contents: `export { connect } from './src/session/connect.ts';
      export { makeClient } from './src/session/client.ts';
      export { EraCache } from './src/session/era-cache.ts';
      export { silentLogger } from './src/log.ts';`,
    resolveDir: process.cwd(),
    loader: 'ts',
  },
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  outfile: entry,
  logLevel: 'warning',
});
const { connect, makeClient, EraCache, silentLogger } = await import(pathToFileURL(entry).href).finally(() => rmSync(entry, { force: true }));

const servers = {
  'server-everything': ['node_modules/@modelcontextprotocol/server-everything/dist/index.js', 'stdio'],
  'server-filesystem': ['node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', tmpdir()],
  'modern.mjs': ['test/servers/modern.mjs'],
  // Exits on server/discover: without a verdict it costs a second spawn.
  'strict-legacy.mjs': ['test/servers/strict-legacy.mjs'],
};
const hooks = { roots: () => [], onListChanged() {}, onResourceUpdated() {}, onLog() {} };

async function once(cfg, verdicts) {
  const t0 = performance.now();
  const conn = await connect(cfg, { timeoutMs: 30_000, onStderr() {}, makeClient: (n) => makeClient(n, hooks), verdicts, log: silentLogger });
  const ms = performance.now() - t0;
  await conn.client.close();
  return { ms, version: conn.protocolVersion };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`probe cost, ${runs} runs each (median, min-max), ms`);
for (const [name, args] of Object.entries(servers)) {
  const cfg = { name, transport: 'stdio', command: process.execPath, args, env: {}, disabled: false, roots: true, source: 'probe-cost' };
  const first = [];
  const cached = [];
  // One cache that keeps its verdict (seeded by a warm-up run), and a fresh one for every probing run;
  // which of the two goes first alternates, so that neither row always meets a cold machine.
  const keep = mkdtempSync(join(tmpdir(), 'mcp-probe-'));
  const known = new EraCache(keep, silentLogger);
  const { version } = await once(cfg, known);
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-probe-'));
    const probe = () => once(cfg, new EraCache(dir, silentLogger)).then((r) => first.push(r.ms));
    const straight = () => once(cfg, known).then((r) => cached.push(r.ms));
    if (i % 2) await straight().then(probe);
    else await probe().then(straight);
    rmSync(dir, { recursive: true, force: true });
  }
  rmSync(keep, { recursive: true, force: true });
  const fmt = (xs) => `${median(xs).toFixed(0).padStart(5)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
  console.log(`${name.padEnd(18)} ${version}  no verdict: ${fmt(first)}  cached verdict: ${fmt(cached)}  probe: ${(median(first) - median(cached)).toFixed(0)}`);
}
