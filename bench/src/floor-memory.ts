/**
 * Floor of the "memory" case, run as its own Node process: the SDK's `Client` connected to the same
 * stdio servers the host gets (every list loaded), then this process's VmRSS. Prints one JSON line.
 * Usage: node floor-memory.mjs <settle_ms> <json array of { command, args }>
 */
import { readFileSync } from 'node:fs';
import { connectFloor, listAll } from './floor.js';
import type { ServerDef } from './env.js';

function kb(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

const settle = Number(process.argv[2] ?? 1000);
const defs = JSON.parse(process.argv[3] ?? '[]') as ServerDef[];
const floors = await Promise.all(defs.map((d) => connectFloor(d)));
await Promise.all(floors.map((f) => listAll(f.client)));
await new Promise((r) => setTimeout(r, settle));
process.stdout.write(JSON.stringify({ rss_kb: kb('VmRSS'), hwm_kb: kb('VmHWM'), clients: floors.length }) + '\n');
await Promise.all(floors.map((f) => f.close()));
process.exit(0);
