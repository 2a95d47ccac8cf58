/**
 * The cases of issue 5. Each returns one or more rows: ours, the floor measured in the same run, the
 * target and whether it is met. Timings taken inside Neovim use vim.uv.hrtime() (bench/lua/bench.lua);
 * timings of the floor use performance.now() in this process.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEverythingHttp } from '../../test/helpers/mcp.js';
import type { VersionNegotiationOptions } from '@modelcontextprotocol/client';
import { BIG_RESOURCE, CACHE, catalog, everything, modern, nvim012, paged, repoRoot, SLOW_INIT, startBench, type BenchNvim, type ServerDef, type StdioDef } from './env.js';
import { connectFloor, listAll, type Floor } from './floor.js';
import { sleep, summarize, type Summary } from './stats.js';

export interface Row {
  id: string;
  case: string;
  /** What is measured, in one sentence (also in bench/README.md). */
  measure: string;
  /** 'processes', 'events', 'bytes': counts (the orphans and flood cases), shown as whole numbers. */
  unit: 'ms' | 'MB' | 'processes' | 'events' | 'bytes';
  ours: Summary;
  floor?: Summary;
  /** ours.median / floor.median */
  ratio?: number;
  target: string;
  pass: boolean;
  /** Extra figures: breakdowns, the other variant, sample counts. */
  details: Record<string, unknown>;
}

/** How many repetitions; `quick` divides them for a smoke run. */
export interface Reps {
  quick: boolean;
}
const reps = (r: Reps, full: number, quick: number) => (r.quick ? quick : full);

const echoArgs = { message: 'hello from the bench' };

function ratio(ours: Summary, floor: Summary): number {
  return ours.median / floor.median;
}

// ---------------------------------------------------------------------------------------------------
// startup cost

/** Elapsed ms at "--- NVIM STARTED ---" and the ms of the lines naming this repository. */
function parseStartuptime(file: string): { total: number; plugin: number } {
  let total = Number.NaN;
  let plugin = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.includes('NVIM STARTED')) total = Number(line.split(/\s+/)[0]);
    // "clock  self+sourced  self: sourcing <file>" and "clock  self+sourced  self: require('mcp...')"
    const m = /^\d+\.\d+\s+(\d+\.\d+)\s+\d+\.\d+:\s+(.*)$/.exec(line);
    // This checkout's files (not the Neovim runtime that scripts/nvim.sh keeps under .cache/).
    const ours = m && m[2]!.includes(`${repoRoot}/`) && !m[2]!.includes(`${repoRoot}/.cache/`);
    if (m && (ours || /require\('mcp[.')]/.test(m[2]!))) {
      // Count top-level entries only: a require inside a sourced file is inside its self+sourced.
      if (m[2]!.startsWith('sourcing') || !/require\('mcp[.')]/.test(m[2]!) || m[2]! === "require('mcp')") plugin += Number(m[1]);
    }
  }
  return { total, plugin };
}

export async function startupCost(r: Reps): Promise<Row[]> {
  const runs = reps(r, 60, 10);
  const root = mkdtempSync(join(tmpdir(), 'mcp-bench-startup-'));
  try {
    const xdg = Object.fromEntries(
      ['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_STATE_HOME', 'XDG_CACHE_HOME', 'XDG_CONFIG_DIRS', 'XDG_DATA_DIRS'].map((k) => [k, join(root, k)]),
    );
    for (const d of Object.values(xdg)) mkdirSync(d, { recursive: true });
    // The config file the host would read (Neovim never does at startup), and servers given in Lua too.
    mkdirSync(join(xdg.XDG_CONFIG_HOME!, 'nvim'), { recursive: true });
    const servers = { everything: everything(), paged: paged(), slow: { command: 'node', args: [SLOW_INIT, '4000'] } };
    writeFileSync(join(xdg.XDG_CONFIG_HOME!, 'nvim', 'mcp.json'), JSON.stringify({ mcpServers: servers }, null, 2));
    const luaServers = `{ everything = { command = 'node', args = { ${JSON.stringify(servers.everything.args[0])}, 'stdio' } }, paged = { command = 'node', args = { ${JSON.stringify(servers.paged.args[0])} } } }`;
    const rtp = `vim.opt.rtp:prepend(${JSON.stringify(repoRoot)})`;
    const inits: Record<string, string> = {
      without: `vim.g.mcp = { servers = ${luaServers} }\n`,
      plugin: `${rtp}\nvim.g.mcp = { servers = ${luaServers} }\n`,
      setup: `${rtp}\nrequire('mcp').setup({ servers = ${luaServers} })\n`,
    };
    const files: Record<string, string> = {};
    for (const [k, v] of Object.entries(inits)) writeFileSync((files[k] = join(root, `init-${k}.lua`)), v);
    const env: NodeJS.ProcessEnv = { ...process.env, ...xdg };
    for (const k of ['NVIM', 'NVIM_LISTEN_ADDRESS', 'VIMRUNTIME', 'VIM', 'VIMINIT', 'MYVIMRC', 'NVIM_APPNAME']) delete env[k];
    const bin = nvim012();
    const totals: Record<string, number[]> = { without: [], plugin: [], setup: [] };
    const pluginLines: Record<string, number[]> = { plugin: [], setup: [] };
    const log = join(root, 'startuptime.log');
    for (let i = 0; i < runs + 3; i++) {
      for (const k of Object.keys(inits)) {
        rmSync(log, { force: true });
        const res = spawnSync(bin, ['--headless', '-n', '-i', 'NONE', '-u', files[k]!, '--startuptime', log, '-c', 'qa!'], {
          env,
          cwd: root,
          stdio: 'ignore',
          timeout: 20_000,
        });
        if (res.status !== 0) throw new Error(`nvim --startuptime (${k}) exited with ${res.status}`);
        if (i < 3) continue; // warm-up: page cache
        const p = parseStartuptime(log);
        totals[k]!.push(p.total);
        if (k !== 'without') pluginLines[k]!.push(p.plugin);
      }
    }
    const without = summarize(totals.without!);
    const rows: Row[] = [];
    for (const k of ['plugin', 'setup'] as const) {
      const withIt = summarize(totals[k]!);
      const delta = withIt.median - without.median;
      const lines = summarize(pluginLines[k]!);
      rows.push({
        id: k === 'plugin' ? 'startup' : 'startup-setup',
        case: k === 'plugin' ? 'startup cost' : 'startup cost, setup() in init.lua',
        measure:
          k === 'plugin'
            ? 'nvim --startuptime: median total with the plugin on rtp (vim.g.mcp with servers, mcp.json with servers, no autostart) minus median total without it'
            : 'same, but init.lua calls require("mcp").setup({ servers = ... }) (no autostart)',
        unit: 'ms',
        ours: { ...withIt, median: delta, p99: Number.NaN, min: Number.NaN, max: Number.NaN, mean: Number.NaN, n: runs },
        target: '<= 1 ms',
        pass: delta <= 1,
        details: {
          total_with_median: withIt.median,
          total_with_p99: withIt.p99,
          total_without_median: without.median,
          total_without_p99: without.p99,
          plugin_lines_median_ms: lines.median,
          plugin_lines_p99_ms: lines.p99,
          plugin_lines: 'sum of self+sourced of the --startuptime lines naming this repository or require("mcp...")',
          runs,
        },
      });
    }
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------
// host ready

/** Spawn of a bare `node` that writes one byte: from spawn to that byte. */
function bareNode(script = "process.stdout.write('x')"): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn('node', ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    p.stdout.once('data', () => resolve(performance.now() - t0));
    p.once('error', reject);
  });
}

export async function hostReady(r: Reps): Promise<Row[]> {
  const n = reps(r, 15, 4);
  const ours: number[] = [];
  const listed: number[] = [];
  const floor: number[] = [];
  const sdk: number[] = [];
  const sdkImport = `await import(${JSON.stringify(join(repoRoot, 'node_modules/@modelcontextprotocol/client/dist/index.mjs'))}); process.stdout.write('x')`;
  for (let i = 0; i < n + 1; i++) {
    const b = await startBench({});
    try {
      const res = await b.run<{ ms: number; servers_ms: number }>('host_ready', [], 20_000);
      if (i > 0) {
        // The first is a warm-up (page cache).
        ours.push(res.ms);
        listed.push(res.servers_ms);
      }
    } finally {
      await b.quit();
    }
    const f = await bareNode();
    const s = await bareNode(sdkImport);
    if (i > 0) {
      floor.push(f);
      sdk.push(s);
    }
  }
  const o = summarize(ours);
  const fl = summarize(floor);
  return [
    {
      id: 'host-ready',
      case: 'host ready',
      measure: 'first API call that needs the host (require("mcp").servers(), no servers) to User McpHostStarted (the init reply), fresh Neovim each time',
      unit: 'ms',
      ours: o,
      floor: fl,
      ratio: ratio(o, fl),
      target: '<= 120 ms',
      pass: o.median <= 120,
      details: {
        floor_is: 'a bare node process: spawn to its first byte on stdout',
        node_plus_sdk_client_import: summarize(sdk),
        first_servers_reply: summarize(listed),
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// first server

export async function firstServer(r: Reps): Promise<Row[]> {
  const n = reps(r, 7, 2);
  const ours: number[] = [];
  const floor: number[] = [];
  const floorConnect: number[] = [];
  for (let i = 0; i < n + 1; i++) {
    const b = await startBench({ everything: everything() });
    try {
      const res = await b.run<{ ms: number; status: string }>('first_server', ['everything'], 30_000);
      if (res.status !== 'connected') throw new Error(`everything: ${res.status}`);
      if (i > 0) ours.push(res.ms);
    } finally {
      await b.quit();
    }
    const t0 = performance.now();
    const f = await connectFloor(everything());
    const t1 = performance.now();
    await listAll(f.client);
    const t2 = performance.now();
    await f.close();
    if (i > 0) {
      floor.push(t2 - t0);
      floorConnect.push(t1 - t0);
    }
  }
  const o = summarize(ours);
  const fl = summarize(floor);
  return [
    {
      id: 'first-server',
      case: 'first server',
      measure:
        'require("mcp").start("everything") in a fresh Neovim (host not running) to its callback (connected, lists loaded) vs the SDK Client: spawn + initialize + every list',
      unit: 'ms',
      ours: o,
      floor: fl,
      ratio: ratio(o, fl),
      target: 'ratio <= 1.1',
      pass: ratio(o, fl) <= 1.1,
      details: { floor_connect_only: summarize(floorConnect), ratio_to_connect_only: o.median / summarize(floorConnect).median },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// era probe (issue 9): what negotiating the protocol revision costs at a start

/**
 * In one Neovim with the host running: `start(name)` with no cached verdict (the host probes with
 * `server/discover`, then falls back to `initialize` for a 2025-11-25 server), `stop`, then `start` again
 * with the verdict cached (straight into the era). Fresh Neovim (so a fresh `stdpath("state")`) per run.
 * Floor: the SDK v2 client with its own stdio transport, `auto` negotiation (which spawns a second
 * process for a legacy server) and with the era given (`legacy`, or the revision pinned).
 */
export async function eraProbe(r: Reps): Promise<Row[]> {
  const n = reps(r, 7, 2);
  const servers: [string, StdioDef, VersionNegotiationOptions][] = [
    ['everything', everything(), { mode: 'legacy' }],
    ['modern', modern(), { mode: { pin: '2026-07-28' } }],
  ];
  const rows: Row[] = [];
  const samples = new Map<string, { first: number[]; cached: number[]; floorAuto: number[]; floorKnown: number[] }>();
  for (const [name] of servers) samples.set(name, { first: [], cached: [], floorAuto: [], floorKnown: [] });
  for (let i = 0; i < n + 1; i++) {
    const b = await startBench(Object.fromEntries(servers.map(([name, def]) => [name, { ...def, disabled: true }])));
    try {
      await b.run('host_ready', [], 20_000);
      for (const [name, def, known] of servers) {
        const first = await b.run<{ ms: number; status: string }>('first_server', [name], 30_000);
        await b.run('stop', [name], 10_000);
        const cached = await b.run<{ ms: number; status: string }>('first_server', [name], 30_000);
        await b.run('stop', [name], 10_000);
        const auto = await timeFloor(def, { mode: 'auto' });
        const given = await timeFloor(def, known);
        if (i === 0) continue; // warm-up
        const s = samples.get(name)!;
        s.first.push(first.ms);
        s.cached.push(cached.ms);
        s.floorAuto.push(auto);
        s.floorKnown.push(given);
      }
    } finally {
      await b.quit();
    }
  }
  for (const [name] of servers) {
    const s = samples.get(name)!;
    const first = summarize(s.first);
    const cached = summarize(s.cached);
    const floorAuto = summarize(s.floorAuto);
    const floorKnown = summarize(s.floorKnown);
    const era = name === 'modern' ? '2026-07-28 (test/servers/modern.mjs)' : '2025-11-25 (server-everything)';
    rows.push(
      {
        id: `era-probe-${name}-first`,
        case: `first start, no verdict: ${name}`,
        measure: `start() of a ${era} stdio server, host running, no cached era verdict (probe) to its callback; floor: SDK client, auto negotiation, connect + lists`,
        unit: 'ms',
        ours: first,
        floor: floorAuto,
        ratio: ratio(first, floorAuto),
        target: 'reported',
        pass: true,
        details: { probe_cost_ms: first.median - cached.median },
      },
      {
        id: `era-probe-${name}-cached`,
        case: `start, verdict cached: ${name}`,
        measure: `the same start() with the verdict cached (no probe); floor: SDK client told the era, connect + lists`,
        unit: 'ms',
        ours: cached,
        floor: floorKnown,
        ratio: ratio(cached, floorKnown),
        target: 'reported',
        pass: true,
        details: {},
      },
    );
  }
  return rows;
}

/** The SDK client on its own stdio transport: spawn, negotiate (`negotiation`), every list; ms. */
async function timeFloor(def: StdioDef, negotiation: VersionNegotiationOptions): Promise<number> {
  const t0 = performance.now();
  const f = await connectFloor(def, negotiation);
  await listAll(f.client);
  const ms = performance.now() - t0;
  await f.close();
  return ms;
}

// ---------------------------------------------------------------------------------------------------
// no head-of-line

export async function headOfLine(r: Reps): Promise<Row[]> {
  const n = reps(r, 7, 2);
  const withSlow: number[] = [];
  const alone: number[] = [];
  const withIdle: number[] = [];
  const slow: ServerDef = { command: 'node', args: [SLOW_INIT, '4000'] };
  // The same delay without the CPU: slow-init loads the SDK before it sleeps, which competes with the fast
  // server's own start on a 2-core machine. This one sleeps first, so any difference left is waiting.
  const idle: ServerDef = { command: 'sh', args: ['-c', `sleep 4; exec node ${JSON.stringify(SLOW_INIT)} 0`] };
  for (let i = 0; i < n + 1; i++) {
    for (const variant of ['alone', 'slow', 'idle'] as const) {
      const servers: Record<string, ServerDef> =
        variant === 'slow' ? { slow, fast: everything() } : variant === 'idle' ? { slow: idle, fast: everything() } : { fast: everything() };
      const b = await startBench(servers);
      try {
        const res = await b.run<{ ms: number }>('first_call', ['fast', 'echo', echoArgs], 30_000);
        if (res.ms > 3900) throw new Error(`fast server waited for the slow one (${res.ms} ms)`);
        if (i > 0) (variant === 'slow' ? withSlow : variant === 'idle' ? withIdle : alone).push(res.ms);
      } finally {
        await b.quit();
      }
    }
  }
  const o = summarize(withSlow);
  const fl = summarize(alone);
  const delta = o.median - fl.median;
  return [
    {
      id: 'head-of-line',
      case: 'no head-of-line',
      measure:
        'fresh Neovim, first API call is call_tool("fast", "echo"): to its callback, with a second server that answers initialize after 4 s (ours) vs without it (floor column)',
      unit: 'ms',
      ours: o,
      floor: fl,
      ratio: ratio(o, fl),
      target: 'within 50 ms of without',
      pass: delta <= 50,
      details: {
        delta_ms: delta,
        floor_is: 'the same measurement without the slow server (not the SDK)',
        with_idle_slow_server: summarize(withIdle),
        delta_idle_ms: summarize(withIdle).median - fl.median,
        idle_is: 'the slow server as `sh -c "sleep 4; exec node slow-init.mjs 0"`: the same 4 s, without loading the SDK (CPU) meanwhile',
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------
// call latency (stdio, HTTP), throughput, editor stays live

async function seqFloor(f: Floor, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f.client.callTool({ name: 'echo', arguments: echoArgs });
    out.push(performance.now() - t0);
  }
  return out;
}

async function latency(b: BenchNvim, server: string, f: Floor, total: number, blocks: number): Promise<{ ours: number[]; floor: number[] }> {
  // Warm-up: JIT, caches, connections.
  await b.run('seq_calls', [server, 'echo', echoArgs, 100]);
  await seqFloor(f, 100);
  const ours: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < blocks; i++) {
    const res = await b.run<{ samples: number[] }>('seq_calls', [server, 'echo', echoArgs, total / blocks], 120_000);
    ours.push(...res.samples);
    floor.push(...(await seqFloor(f, total / blocks)));
  }
  return { ours, floor };
}

export async function calls(r: Reps): Promise<Row[]> {
  const total = reps(r, 1000, 200);
  const blocks = 4;
  const http = await startEverythingHttp('streamableHttp');
  const b = await startBench({ everything: everything(), http: { url: http.url } });
  const rows: Row[] = [];
  try {
    // Start the host and both servers.
    await b.run('first_call', ['everything', 'echo', echoArgs], 30_000);
    await b.run('first_call', ['http', 'echo', echoArgs], 30_000);
    const fs = await connectFloor(everything());
    await listAll(fs.client);
    const fh = await connectFloor({ url: http.url });
    await listAll(fh.client);
    try {
      /** A latency row: ours against the floor, passing when the median costs at most `slackMs` more. */
      const latencyRow = (id: string, name: string, measure: string, t: { ours: number[]; floor: number[] }, slackMs: number): Row => {
        const o = summarize(t.ours);
        const fl = summarize(t.floor);
        return {
          id,
          case: name,
          measure,
          unit: 'ms',
          ours: o,
          floor: fl,
          ratio: ratio(o, fl),
          target: `median <= floor + ${slackMs} ms`,
          pass: o.median <= fl.median + slackMs,
          details: { overhead_median_ms: o.median - fl.median, overhead_p99_ms: o.p99 - fl.p99 },
        };
      };
      rows.push(
        latencyRow(
          'call-stdio',
          'call latency, stdio',
          `call_tool("everything", "echo") from Lua to its callback, ${total} sequential, vs SDK client.callTool (server-everything stdio)`,
          await latency(b, 'everything', fs, total, blocks),
          0.3,
        ),
      );
      rows.push(
        latencyRow(
          'call-http',
          'call latency, HTTP',
          `the same over Streamable HTTP (server-everything streamableHttp on 127.0.0.1, one server process for both)`,
          await latency(b, 'http', fh, total, blocks),
          0.5,
        ),
      );

      // Throughput and liveness: 500 concurrent calls.
      const n = 500;
      const runs = reps(r, 9, 3);
      const oursT: number[] = [];
      const floorT: number[] = [];
      const gaps: number[] = [];
      const gapsAfter: number[] = [];
      const issue: number[] = [];
      let errors = 0;
      for (let i = 0; i < runs + 1; i++) {
        const res = await b.run<{ ms: number; gap_ms: number; gap_after_issue_ms: number; issue_ms: number; errors: number }>(
          'concurrent',
          ['everything', 'echo', echoArgs, n],
          120_000,
        );
        const t0 = performance.now();
        await Promise.all(Array.from({ length: n }, () => fs.client.callTool({ name: 'echo', arguments: echoArgs })));
        const t1 = performance.now();
        if (i === 0) continue; // warm-up
        errors += res.errors;
        oursT.push(res.ms);
        gaps.push(res.gap_ms);
        gapsAfter.push(res.gap_after_issue_ms);
        issue.push(res.issue_ms);
        floorT.push(t1 - t0);
        await sleep(100);
      }
      const ot = summarize(oursT);
      const ft = summarize(floorT);
      rows.push({
        id: 'throughput',
        case: 'throughput',
        measure: `${n} concurrent call_tool("everything", "echo") issued in one Lua loop: first call to last callback, vs Promise.all of ${n} SDK callTool`,
        unit: 'ms',
        ours: ot,
        floor: ft,
        ratio: ratio(ot, ft),
        target: '<= 1.5 x floor',
        pass: ratio(ot, ft) <= 1.5,
        details: { errors, runs },
      });
      const g = summarize(gaps);
      rows.push({
        id: 'editor-live',
        case: 'editor stays live',
        measure: `longest gap between runs of a 1 ms vim.uv timer, from just before the ${n} calls are issued to the last callback (per run; median and worst over runs)`,
        unit: 'ms',
        ours: g,
        target: '<= 16 ms',
        pass: g.median <= 16,
        details: {
          worst_ms: g.max,
          gap_after_issue: summarize(gapsAfter),
          issue_loop_ms: summarize(issue),
          note: 'gap_after_issue counts only gaps ending after the issuing loop returned',
        },
      });
    } finally {
      await fs.close();
      await fh.close();
    }
  } finally {
    await b.quit();
    await http.stop();
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------
// big catalog and memory (one Neovim, ten paged servers)

interface Mem {
  rss_mb: number;
  hwm_mb: number;
  /** Private memory (heap, stacks, buffers). */
  anon_mb: number;
  /** Pages of mapped files: mostly the node executable itself, shared with every other node process. */
  file_mb: number;
  /** Proportional set size: shared pages divided among the processes that map them. */
  pss_mb: number;
}

/** Memory of a process from /proc: VmRSS, VmHWM, RssAnon, RssFile (status) and Pss (smaps_rollup). */
export function memoryOf(pid: number): Mem {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  let rollup = '';
  try {
    rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    /* older kernels */
  }
  const kb = (t: string, f: string) => Number(new RegExp(`^${f}:\\s+(\\d+) kB`, 'm').exec(t)?.[1] ?? Number.NaN);
  return {
    rss_mb: kb(text, 'VmRSS') / 1024,
    hwm_mb: kb(text, 'VmHWM') / 1024,
    anon_mb: kb(text, 'RssAnon') / 1024,
    file_mb: kb(text, 'RssFile') / 1024,
    pss_mb: kb(rollup, 'Pss') / 1024,
  };
}

function floorMemory(defs: ServerDef[], settleMs: number): Promise<Mem> {
  return new Promise((resolve, reject) => {
    execFile('node', [join(CACHE, 'floor-memory.mjs'), String(settleMs), JSON.stringify(defs)], { timeout: 60_000 }, (err, stdout) => {
      if (err) return reject(err);
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Mem);
    });
  });
}

/** Memory of a bare `node` that has done nothing for a second. */
function bareNodeMemory(): Promise<Mem> {
  return new Promise((resolve, reject) => {
    const p = spawn('node', ['-e', 'setTimeout(() => {}, 5000)'], { stdio: 'ignore' });
    p.once('error', reject);
    setTimeout(() => {
      const m = memoryOf(p.pid!);
      p.kill();
      resolve(m);
    }, 1000);
  });
}

async function catalogFloor(n: number): Promise<number[]> {
  const f = await connectFloor(catalog());
  await listAll(f.client);
  const out: number[] = [];
  try {
    for (let i = 0; i < n + 1; i++) {
      const done = new Promise<number>((resolve) => {
        f.client.setNotificationHandler('notifications/tools/list_changed', async () => {
          // What a client must do on list_changed: load every page again.
          let cursor: string | undefined;
          do {
            const res = await f.client.listTools(cursor ? { cursor } : {});
            cursor = res.nextCursor;
          } while (cursor);
          resolve(performance.now());
        });
      });
      const t0 = performance.now();
      await f.client.callTool({ name: 'touch_tools', arguments: {} });
      const t1 = await done;
      if (i > 0) out.push(t1 - t0);
      await sleep(30);
    }
  } finally {
    await f.close();
  }
  return out;
}

export async function catalogAndMemory(r: Reps): Promise<Row[]> {
  const count = 10;
  const names = Array.from({ length: count }, (_, i) => `paged${String(i + 1).padStart(2, '0')}`);
  const servers = Object.fromEntries(names.map((n) => [n, catalog(100, 50)]));
  const b = await startBench(servers);
  const rows: Row[] = [];
  try {
    // Open the hub with every server expanded (`:Mcp tools`): this starts the host, which starts them all.
    await b.nv.lua('vim.cmd("Mcp tools")');
    await b.nv.waitFor(
      `local n = 0 for _, s in ipairs(require("mcp").servers()) do if s.status == "connected" then n = n + 1 end end\nreturn n == ${count}`,
      { timeoutMs: 60_000, message: `${count} paged servers connected` },
    );
    const pid = await b.hostPid();

    // Memory, once things have settled.
    await sleep(2000);
    const mem = memoryOf(pid);
    const fmem = await floorMemory(names.map(() => catalog(100, 50)), 2000);
    const one = (v: number): Summary => ({ n: 1, median: v, p99: Number.NaN, min: v, max: v, mean: v });
    rows.push({
      id: 'memory',
      case: 'memory',
      measure: `host VmRSS (/proc/<pid>/status) with ${count} stdio servers connected (test/servers/paged.mjs 100 50 --touch: 100 tools, 100 prompts, 100 resources in pages of 50, plus touch_tools), 2 s after the last connected ("private" = RssAnon; the rest is mostly the node executable's own pages, shared by every node process); floor: a Node process with ${count} SDK Clients connected to the same servers, every list loaded`,
      unit: 'MB',
      ours: one(mem.rss_mb),
      floor: one(fmem.rss_mb),
      ratio: mem.rss_mb / fmem.rss_mb,
      target: '<= 60 MB',
      pass: mem.rss_mb <= 60,
      details: { host: mem, floor: fmem, bare_node: await bareNodeMemory() },
    });

    // Big catalog.
    await b.nv.lua('B.catalog_hook()');
    const n = reps(r, 20, 5);
    const ms: number[] = [];
    const push: number[] = [];
    const render: number[] = [];
    let lines = 0;
    for (let i = 0; i < n + 1; i++) {
      const res = await b.run<{ ms: number; push_ms: number; render_ms: number; lines: number }>('touch', [names[i % count]!], 20_000);
      if (i > 0) {
        ms.push(res.ms);
        push.push(res.push_ms);
        render.push(res.render_ms);
      }
      lines = res.lines;
      await sleep(50);
    }
    const fl = summarize(await catalogFloor(n));
    const o = summarize(ms);
    rows.unshift({
      id: 'big-catalog',
      case: 'big catalog',
      measure: `hub open with ${count} paged servers expanded (${lines} lines): from call_tool("touch_tools") (the server adds a tool and sends tools/list_changed) to the end of the hub's render with the new tool; floor: SDK client, touch_tools to every page of tools/list reloaded`,
      unit: 'ms',
      ours: o,
      floor: fl,
      ratio: ratio(o, fl),
      target: '<= 50 ms',
      pass: o.median <= 50,
      details: { to_push_arrival: summarize(push), render_itself: summarize(render), hub_lines: lines },
    });
  } finally {
    await b.quit();
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------
// big resource

export async function bigResource(r: Reps): Promise<Row[]> {
  const n = reps(r, 7, 2);
  const def: ServerDef = { command: 'node', args: [BIG_RESOURCE, String(10_000_000)] };
  const b = await startBench({ big: def });
  const ours: number[] = [];
  const floor: number[] = [];
  const parts: { read_ms: number[]; split_ms: number[]; insert_ms: number[] } = { read_ms: [], split_ms: [], insert_ms: [] };
  let lines = 0;
  let bytes = 0;
  try {
    await b.run('first_call', ['big', 'size', {}], 30_000);
    const f = await connectFloor(def);
    await listAll(f.client);
    try {
      for (let i = 0; i < n + 1; i++) {
        const res = await b.run<{ ms: number; read_ms: number; split_ms: number; insert_ms: number; lines: number; bytes: number }>(
          'big_resource',
          ['big', 'big://text'],
          60_000,
        );
        const t0 = performance.now();
        const fr = await f.client.readResource({ uri: 'big://text' });
        const t1 = performance.now();
        const first = fr.contents[0];
        if (!first || !('text' in first) || first.text.length !== res.bytes) throw new Error('floor read a different resource');
        if (i === 0) continue;
        ours.push(res.ms);
        parts.read_ms.push(res.read_ms);
        parts.split_ms.push(res.split_ms);
        parts.insert_ms.push(res.insert_ms);
        floor.push(t1 - t0);
        lines = res.lines;
        bytes = res.bytes;
        await sleep(200);
      }
    } finally {
      await f.close();
    }
  } finally {
    await b.quit();
  }
  const o = summarize(ours);
  const fl = summarize(floor);
  return [
    {
      id: 'big-resource',
      case: 'big resource',
      measure: `read_resource of a ${(bytes / 1e6).toFixed(1)} MB text resource (bench/servers/big-resource.mjs, ${lines} lines) to its lines inserted into a buffer (mcp.ui.result resource_lines + mcp.ui.insert); floor: SDK client.readResource`,
      unit: 'ms',
      ours: o,
      floor: fl,
      ratio: ratio(o, fl),
      target: '<= 300 ms (ratio reported)',
      pass: o.median <= 300,
      details: { read: summarize(parts.read_ms), split: summarize(parts.split_ms), insert: summarize(parts.insert_ms), lines, bytes },
    },
  ];
}
