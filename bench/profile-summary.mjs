#!/usr/bin/env node
// Summarises a V8 CPU profile (`node --cpu-prof`, e.g. of the host under `npm run bench -- --profile DIR`):
// self time by package or source file and by function, frames of the bundled host (dist/host.js) mapped
// back to their sources through dist/host.js.map.
//
// Usage: node bench/profile-summary.mjs FILE.cpuprofile [--from MS] [--to MS] [--top N] [--by package|file]
//   --from/--to: only samples in this window, ms since the profile started
//   --timeline MS: also print, per MS-wide slice of time, the packages that took it
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d/.test(a));
const opt = (n, d) => {
  const i = args.indexOf(n);
  return i >= 0 ? args[i + 1] : d;
};
const from = Number(opt('--from', 0));
const to = Number(opt('--to', Infinity));
const top = Number(opt('--top', 25));
const by = opt('--by', 'package');
const bucket = Number(opt('--timeline', 0));
if (!file) {
  console.error('usage: profile-summary.mjs FILE.cpuprofile [--from MS] [--to MS] [--top N] [--by package|file]');
  process.exit(2);
}

const prof = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
const maps = new Map();
function sourceMapFor(url) {
  if (!url.endsWith('/dist/host.js')) return null;
  if (!maps.has(url)) {
    try {
      const path = fileURLToPath(url);
      maps.set(url, new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))));
    } catch {
      maps.set(url, null);
    }
  }
  return maps.get(url);
}

function where(cf) {
  let src = cf.url || `(${cf.functionName || 'program'})`;
  const sm = sourceMapFor(cf.url);
  if (sm) {
    const e = sm.findEntry(cf.lineNumber, cf.columnNumber);
    if (e && e.originalSource) src = e.originalSource;
  }
  src = src.replace(/^file:\/\//, '');
  const nm = src.lastIndexOf('node_modules/');
  let pkg;
  if (nm >= 0) {
    const rest = src.slice(nm + 'node_modules/'.length).split('/');
    pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  } else if (src.startsWith('node:') || !src.includes('/')) pkg = src;
  else pkg = src.replace(/^.*?\/(src|lua|bench|test)\//, '$1/');
  return { src: src.replace(/^.*node_modules\//, ''), pkg };
}

let t = prof.startTime;
const selfBy = new Map();
const selfFn = new Map();
let total = 0;
const slices = new Map();
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i] ?? 0;
  const ms = (t - prof.startTime) / 1000;
  const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
  if (ms < from || ms > to) continue;
  const n = nodes.get(prof.samples[i]);
  const w = where(n.callFrame);
  const key = by === 'file' ? w.src : w.pkg;
  selfBy.set(key, (selfBy.get(key) ?? 0) + dt);
  if (bucket) {
    const b = Math.floor(ms / bucket);
    if (!slices.has(b)) slices.set(b, new Map());
    slices.get(b).set(key, (slices.get(b).get(key) ?? 0) + dt);
  }
  const fk = `${n.callFrame.functionName || '(anonymous)'}  ${w.src}:${n.callFrame.lineNumber + 1}`;
  selfFn.set(fk, (selfFn.get(fk) ?? 0) + dt);
  total += dt;
}
const show = (m) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => `${v.toFixed(1).padStart(8)} ms  ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
    .join('\n');
console.log(`${file}: ${((prof.endTime - prof.startTime) / 1000).toFixed(1)} ms profiled, ${total.toFixed(1)} ms in the window`);
if (bucket) {
  console.log(`\ntimeline (${bucket} ms slices, top packages):`);
  for (const [b, m] of [...slices.entries()].sort((x, y) => x[0] - y[0])) {
    const parts = [...m.entries()].sort((x, y) => y[1] - x[1]).slice(0, 4).map(([k, v]) => `${k} ${v.toFixed(1)}`);
    console.log(`${String(b * bucket).padStart(6)} ms  ${parts.join(', ')}`);
  }
}
console.log(`\nself time by ${by}:\n${show(selfBy)}`);
console.log(`\nself time by function:\n${show(selfFn)}`);
