/**
 * `node bench/orphans.mjs`: counts what misbehaving stdio servers leave behind (issue 13, defect 2), in
 * a real Neovim 0.12 with the plugin. Each figure is the number of processes still alive, 2 s after the
 * scenario, in the process groups of the servers the host started (0 is the target):
 * - kill cycles: a `sh -c`-wrapped server with a child (test/servers/wrapped.sh) whose shell is killed
 *   (SIGKILL) `--cycles` times (default 100), `:Mcp restart` after each;
 * - host SIGKILL: the host is killed while running a server that ignores stdin EOF and SIGTERM (and has
 *   a child) and a wrapped one, `--hosts` times (default 10);
 * - stop while starting: `mcp.stop` of a wrapped server that is still starting, `--stops` times
 *   (default 20); also counted at the moment `stop` reports back;
 * - `:qa!` while starting, `--quits` times (default 5).
 */
import { startNvim, type NvimInstance } from '../../test/helpers/nvim.js';
import { api, hostPid, SLOW_INIT, waitStatus } from '../../test/helpers/mcp.js';
import { FLAKY, groupMembers, serverGroups, STUBBORN, WRAPPED } from '../../test/helpers/procs.js';
import { nvim012 } from './env.js';

const argv = process.argv.slice(2);
const num = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server groups of the host once there are `n`, each with at least `members` processes. */
async function groups(nv: NvimInstance, n: number, members: number): Promise<number[]> {
  const host = await hostPid(nv);
  const found = await nv.waitFor(
    () => {
      const g = serverGroups(host);
      return g.length === n && g.every((p) => groupMembers(p).length >= members) ? g : undefined;
    },
    { timeoutMs: 30_000, message: `${n} server groups` },
  );
  return found as number[];
}

/** Live processes in `pgids`, 2 s from now. */
async function after2s(pgids: number[]): Promise<number> {
  await sleep(2000);
  return groupMembers(...pgids).length;
}

async function killCycles(cycles: number): Promise<number> {
  const nv = await startNvim(nvim012(), { config: { mcpServers: { wrapped: { command: 'sh', args: [WRAPPED, 'node', FLAKY] } } } });
  const seen: number[] = [];
  try {
    await nv.lua('require("mcp").start("wrapped")');
    for (let i = 0; i < cycles; i++) {
      await waitStatus(nv, 'wrapped', 'connected', 30_000);
      const [group] = await groups(nv, 1, 3);
      seen.push(group!);
      process.kill(group!, 'SIGKILL');
      await waitStatus(nv, 'wrapped', 'failed', 30_000);
      await api(nv, 'function(cb) require("mcp").restart("wrapped", cb) end', 30_000);
    }
  } finally {
    await nv.quit();
  }
  return after2s(seen);
}

async function hostKills(times: number): Promise<number> {
  const seen: number[] = [];
  for (let i = 0; i < times; i++) {
    const nv = await startNvim(nvim012(), {
      config: { mcpServers: { stubborn: { command: 'node', args: [STUBBORN, '--ignore-term'] }, wrapped: { command: 'sh', args: [WRAPPED, 'node', FLAKY] } } },
    });
    try {
      await nv.lua('require("mcp").start("stubborn"); require("mcp").start("wrapped")');
      await Promise.all([waitStatus(nv, 'stubborn', 'connected', 30_000), waitStatus(nv, 'wrapped', 'connected', 30_000)]);
      seen.push(...(await groups(nv, 2, 2)));
      process.kill(await hostPid(nv), 'SIGKILL');
      await nv.waitFor('not require("mcp.host").running()');
    } finally {
      await nv.quit();
    }
  }
  return after2s(seen);
}

async function stopsWhileStarting(times: number): Promise<{ atCallback: number; after: number }> {
  const nv = await startNvim(nvim012(), { config: { mcpServers: { slow: { command: 'sh', args: [WRAPPED, 'node', SLOW_INIT, '30000'] } } } });
  const seen: number[] = [];
  let atCallback = 0;
  try {
    for (let i = 0; i < times; i++) {
      await nv.lua('require("mcp").start("slow")');
      const [group] = await groups(nv, 1, 3);
      seen.push(group!);
      await api(nv, 'function(cb) require("mcp").stop("slow", cb) end', 30_000);
      atCallback += groupMembers(group!).length;
    }
  } finally {
    await nv.quit();
  }
  return { atCallback, after: await after2s(seen) };
}

async function quitsWhileStarting(times: number): Promise<number> {
  const seen: number[] = [];
  for (let i = 0; i < times; i++) {
    const nv = await startNvim(nvim012(), { config: { mcpServers: { slow: { command: 'sh', args: [WRAPPED, 'node', SLOW_INIT, '30000'] } } } });
    await nv.lua('require("mcp").start("slow")');
    seen.push(...(await groups(nv, 1, 3)));
    await nv.quit();
  }
  return after2s(seen);
}

const cycles = num('--cycles', 100);
const hosts = num('--hosts', 10);
const stops = num('--stops', 20);
const quits = num('--quits', 5);
const rows: [string, string][] = [];
rows.push([`orphans after ${cycles} kill cycles of a sh -c-wrapped server with a child`, String(await killCycles(cycles))]);
rows.push([`orphans after ${hosts} host SIGKILLs (stdin-EOF- and SIGTERM-ignoring server + wrapped server)`, String(await hostKills(hosts))]);
const st = await stopsWhileStarting(stops);
rows.push([`orphans after ${stops} stops while starting (at the stop callback / 2 s later)`, `${st.atCallback} / ${st.after}`]);
rows.push([`orphans after ${quits} :qa! while starting`, String(await quitsWhileStarting(quits))]);
const width = Math.max(...rows.map(([k]) => k.length));
for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
process.exit(0);
