/**
 * Floor of the "memory" case, run as its own Node process: the SDK's `Client` connected to the same
 * stdio servers the host gets (every list loaded), then this process's VmRSS. Prints one JSON line.
 * Usage: node floor-memory.mjs <settle_ms> <json array of { command, args }>
 */
import { readFileSync } from 'node:fs';
import { connectFloor, listAll } from './floor.js';
import type { ServerDef } from './env.js';

function mb(file: string, field: string): number {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return Number.NaN;
  }
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const settle = Number(process.argv[2] ?? 1000);
const defs = JSON.parse(process.argv[3] ?? '[]') as ServerDef[];
const floors = await Promise.all(defs.map((d) => connectFloor(d)));
await Promise.all(floors.map((f) => listAll(f.client)));
await new Promise((r) => setTimeout(r, settle));
const status = '/proc/self/status';
process.stdout.write(
  JSON.stringify({
    rss_mb: mb(status, 'VmRSS'),
    hwm_mb: mb(status, 'VmHWM'),
    anon_mb: mb(status, 'RssAnon'),
    file_mb: mb(status, 'RssFile'),
    pss_mb: mb('/proc/self/smaps_rollup', 'Pss'),
    clients: floors.length,
  }) + '\n',
);
await Promise.all(floors.map((f) => f.close()));
process.exit(0);
