/**
 * `npm run bench`: runs every case of issue 5 against Neovim 0.12 and real servers, prints one table and
 * writes the same as JSON to bench/results/<date>.json.
 *
 * Options: --only id,id (case ids: startup, host-ready, first-server, head-of-line, calls, chat, catalog,
 * big-resource, big-result, big-resource-buffer, era-probe, orphans, flood), --quick (few repetitions: a smoke run,
 * figures not meaningful), --profile <dir> (run every host under `node --cpu-prof`, profiles into <dir>),
 * --no-write (print only), --details (print each row's breakdown too).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { bigResource, calls, catalogAndMemory, eraProbe, firstServer, headOfLine, hostReady, startupCost, type Reps, type Row } from './cases.js';
import { bigResult } from './big-result.js';
import { bigResourceBuffer } from './big-resource-buffer.js';
import { chatLatency } from './chat.js';
import { orphans } from './orphans.js';
import { flood } from './flood.js';
import { nvim012, profileHostsInto, repoRoot } from './env.js';
import { fmt, rounded } from './stats.js';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = opt('--only')?.split(',');
const quick = argv.includes('--quick');
const write = !argv.includes('--no-write');
const showDetails = argv.includes('--details');
const profile = opt('--profile');
if (profile) profileHostsInto(profile);

const cases: [string, (r: Reps) => Promise<Row[]>][] = [
  ['startup', startupCost],
  ['host-ready', hostReady],
  ['first-server', firstServer],
  ['era-probe', eraProbe],
  ['head-of-line', headOfLine],
  ['calls', calls],
  ['chat', chatLatency],
  ['catalog', catalogAndMemory],
  ['big-resource', bigResource],
  ['big-result', bigResult],
  ['big-resource-buffer', bigResourceBuffer],
  ['orphans', orphans],
  ['flood', flood],
];

/** A count (processes, events, bytes): whole numbers as they are, a median between two with fmt. */
const count = (v: number): string => (Number.isInteger(v) ? String(v) : fmt(v));

function oursText(r: Row): string {
  const u = r.unit === 'MB' ? ' MB' : '';
  if (r.unit === 'processes') return `${r.ours.median} processes`;
  if (r.unit === 'events' || r.unit === 'bytes') {
    const m = `${count(r.ours.median)} ${r.unit}`;
    return r.ours.n <= 1 ? m : `${m} / p99 ${count(r.ours.p99)}`;
  }
  if (r.id === 'startup' || r.id === 'startup-setup') return `${fmt(r.ours.median)} (Δ medians)`;
  if (r.id === 'editor-live') return `${fmt(r.ours.median)} (worst ${fmt(r.ours.max)})`;
  if (r.id === 'memory') return `${fmt(r.ours.median)} MB (private ${fmt((r.details.host as { anon_mb: number }).anon_mb)})`;
  if (r.ours.n <= 1) return `${fmt(r.ours.median)}${u}`;
  return `${fmt(r.ours.median)} / p99 ${fmt(r.ours.p99)}${u}`;
}

function floorText(r: Row): string {
  if (!r.floor) return '—';
  const u = r.unit === 'MB' ? ' MB' : '';
  if (r.id === 'memory') return `${fmt(r.floor.median)} MB (private ${fmt((r.details.floor as { anon_mb: number }).anon_mb)})`;
  if (r.floor.n <= 1) return `${fmt(r.floor.median)}${u}`;
  return `${fmt(r.floor.median)} / p99 ${fmt(r.floor.p99)}${u}`;
}

function ratioText(r: Row): string {
  const delta = () => {
    const d = r.ours.median - r.floor!.median;
    return `${d < 0 ? '-' : '+'}${fmt(Math.abs(d))} ms`;
  };
  if (r.id === 'head-of-line' || r.id === 'call-stdio' || r.id === 'call-http' || r.id === 'chat-call' || r.id === 'flood-stall') return delta();
  return r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}x`;
}

function table(rows: Row[]): string {
  const head = ['case', 'ours (ms: median / p99)', 'floor', 'ratio', 'target', 'result'];
  const body = rows.map((r) => [r.case, oursText(r), floorText(r), ratioText(r), r.target, r.target === 'reported' ? '—' : r.pass ? 'pass' : 'FAIL']);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  return [line(head), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

const started = Date.now();
const rows: Row[] = [];
const errors: { case: string; error: string }[] = [];
for (const [id, run] of cases) {
  if (only && !only.includes(id)) continue;
  const t0 = Date.now();
  process.stderr.write(`bench: ${id}…`);
  try {
    rows.push(...(await run({ quick })));
    process.stderr.write(` ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (err) {
    process.stderr.write(` failed: ${(err as Error).stack ?? String(err)}\n`);
    errors.push({ case: id, error: (err as Error).message });
  }
}

const nvimVersion = execFileSync(nvim012(), ['--version'], { encoding: 'utf8' }).split('\n')[0];
let commit = '';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  if (execFileSync('git', ['status', '--porcelain', '--', 'src', 'lua', 'plugin'], { cwd: repoRoot, encoding: 'utf8' }).trim()) commit += '+dirty';
} catch {
  /* not a git checkout */
}
const result = {
  date: new Date().toISOString(),
  commit,
  quick,
  seconds: (Date.now() - started) / 1000,
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, loadavg_at_end: loadavg(), node: process.version, nvim: nvimVersion },
  rows: rows.map((r) => ({ ...r, ours_text: oursText(r), floor_text: floorText(r), ratio_text: ratioText(r) })),
  errors,
};

const out = table(rows);
process.stdout.write(`\n${out}\n\n`);
// Rows with the target 'reported' (the era probe) are figures to read, not targets to meet.
const judged = rows.filter((r) => r.target !== 'reported');
process.stdout.write(
  `${judged.filter((r) => r.pass).length}/${judged.length} targets met; ${result.seconds.toFixed(0)} s; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} cores; ${nvimVersion}, node ${process.version}${quick ? '; --quick: figures are not meaningful' : ''}\n`,
);
if (showDetails) for (const r of rows) process.stdout.write(`${r.id}: ${JSON.stringify(rounded(r.details))}\n`);
if (errors.length) process.stdout.write(`errors: ${errors.map((e) => `${e.case}: ${e.error}`).join('; ')}\n`);
if (write && !quick) {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${result.date.replace(/[:]/g, '-').replace(/\..*$/, '')}.json`);
  writeFileSync(file, JSON.stringify(rounded(result), null, 2) + '\n');
  process.stdout.write(`written: ${file}\n`);
}
process.exit(errors.length ? 1 : 0);
