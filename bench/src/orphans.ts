/**
 * The `orphans` case of `npm run bench` (`--only orphans`): counts what misbehaving stdio servers leave
 * behind (issue 13, defect 2), in a real Neovim 0.12 with the plugin. Each figure is the number of
 * processes still alive, 2 s after the scenario, in the process groups of the servers the host started
 * (0 is the target):
 * - kill cycles: a `sh -c`-wrapped server with a child (test/servers/wrapped.sh) whose shell is killed
 *   (SIGKILL) 100 times (10 with --quick), `:Mcp restart` after each;
 * - host SIGKILL: the host is killed while running a server that ignores stdin EOF and SIGTERM (and has
 *   a child) and a wrapped one, 10 times (2);
 * - stop while starting: `mcp.stop` of a wrapped server that is still starting, 20 times (3); also
 *   counted at the moment `stop` reports back (in the row's details);
 * - `:qa!` while starting, 5 times (2).
 */
import { startNvim, type NvimInstance } from '../../test/helpers/nvim.js';
import { api, hostPid, SLOW_INIT, waitStatus } from '../../test/helpers/mcp.js';
import { FLAKY, groupMembers, serverGroups, STUBBORN, WRAPPED } from '../../test/helpers/procs.js';
import type { Reps, Row } from './cases.js';
import { nvim012 } from './env.js';

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

/** One row per scenario: `ours` is the count of processes left 2 s later (n = 1), the target 0. */
function row(id: string, name: string, measure: string, left: number, details: Record<string, unknown>): Row {
  const one = { n: 1, median: left, p99: left, min: left, max: left, mean: left };
  return { id, case: name, measure, unit: 'processes', ours: one, target: '0 left after 2 s', pass: left === 0, details };
}

/** The `orphans` case: four scenarios, run in turn, each in fresh Neovims. */
export async function orphans(r: Reps): Promise<Row[]> {
  const cycles = r.quick ? 10 : 100;
  const hosts = r.quick ? 2 : 10;
  const stops = r.quick ? 3 : 20;
  const quits = r.quick ? 2 : 5;
  const rows: Row[] = [];
  rows.push(
    row('orphans-kill', 'orphans: server killed', `processes left in the server groups after ${cycles} SIGKILLs of a sh -c-wrapped server with a child, :Mcp restart after each`, await killCycles(cycles), { cycles }),
  );
  rows.push(
    row('orphans-host', 'orphans: host killed', `processes left after ${hosts} host SIGKILLs (a stdin-EOF- and SIGTERM-ignoring server with a child + a wrapped server)`, await hostKills(hosts), { hosts }),
  );
  const st = await stopsWhileStarting(stops);
  rows.push(
    row('orphans-stop', 'orphans: stop while starting', `processes left after ${stops} mcp.stop() of a wrapped server still starting`, st.after, { stops, at_stop_callback: st.atCallback }),
  );
  rows.push(row('orphans-quit', 'orphans: :qa! while starting', `processes left after ${quits} :qa! with a wrapped server still starting`, await quitsWhileStarting(quits), { quits }));
  return rows;
}
