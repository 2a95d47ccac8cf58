/**
 * Hostile servers, as a user meets them in the editor (issue 13, defects 2-4): nothing a server started
 * outlives it (checked by process group after each scenario: a crash, a stop while starting, `:qa!`
 * while starting, a killed host), a crashing server is restarted with a backoff that grows, and a dead
 * or silent HTTP server is noticed. Real Neovim, real host, the project's own misbehaving servers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { api, EVERYTHING, hostPid, SLOW_INIT, startModernHttp, waitStatus, type HttpServer } from '../helpers/mcp.js';
import { FLAKY, groupMembers, leftBehind, serverGroups, SILENT_HTTP, STUBBORN, WRAPPED } from '../helpers/procs.js';

/** Records what vim.notify shows in _G.notes. */
const RECORD_NOTES = `_G.notes = {}
  local orig = vim.notify
  vim.notify = function(m, l, o) table.insert(_G.notes, m) return orig(m, l, o) end`;

describe.each(nvimBinaries())('leftovers and restarts on Neovim $version', ({ bin }) => {
  let nv: NvimInstance | undefined;
  let http: HttpServer | undefined;
  let silent: ChildProcess | undefined;
  afterEach(async () => {
    await nv?.quit();
    nv = undefined;
    await http?.stop();
    http = undefined;
    silent?.kill('SIGKILL');
    silent = undefined;
  });

  /** The process groups of the host's stdio servers once there are `n` of them, each with `members` processes. */
  async function groups(n: number, members: number): Promise<number[]> {
    const host = await hostPid(nv!);
    const found = await nv!.waitFor(
      () => {
        const g = serverGroups(host);
        return g.length === n && g.every((pgid) => groupMembers(pgid).length >= members) ? g : undefined;
      },
      { message: `${n} server process groups of ${members} processes` },
    );
    return found as number[];
  }

  it('a crashing server behind `sh -c` leaves nothing behind and is restarted with a growing backoff', async () => {
    const wrapped = { command: 'sh', args: [WRAPPED, 'node', FLAKY, '--crash-after', '300'] };
    nv = await startNvim(bin, { config: { mcpServers: { crashy: wrapped } } });
    await nv.lua(RECORD_NOTES);
    await nv.lua('require("mcp").start("crashy")');
    await waitStatus(nv, 'crashy');
    // sh, sleep and the server.
    const [first] = await groups(1, 3);
    const failed = await waitStatus(nv, 'crashy', 'failed');
    expect(failed.error).toBe('server process exited with code 1; restarting in 1 s (restart 1 of 5)');
    expect(await leftBehind([first!])).toEqual([]);
    await waitStatus(nv, 'crashy', 'connected');
    const [second] = await groups(1, 3);
    expect(second).not.toBe(first);
    // It crashed again soon after connecting: the next wait is twice as long, not 1 s again.
    const again = await nv.waitFor<string>(
      `for _, s in ipairs(require("mcp").servers()) do if s.error and s.error:find("restart 2 of 5", 1, true) then return s.error end end
return nil`,
      { timeoutMs: 15_000, message: 'the second crash' },
    );
    expect(again).toBe('server process exited with code 1; restarting in 2 s (restart 2 of 5)');
    expect(await leftBehind([second!])).toEqual([]);
    const notes = await nv.lua<string[]>('return _G.notes');
    expect(notes.filter((n) => n.includes('crashy: server process exited'))).toEqual([
      'mcp: crashy: server process exited with code 1; restarting in 1 s (restart 1 of 5)',
      'mcp: crashy: server process exited with code 1; restarting in 2 s (restart 2 of 5)',
    ]);
  });

  it('stop while the server is still starting reports stopped only once its process group is gone', async () => {
    nv = await startNvim(bin, { config: { mcpServers: { slow: { command: 'sh', args: [WRAPPED, 'node', SLOW_INIT, '20000'] } } } });
    await nv.lua('require("mcp").start("slow")');
    const [group] = await groups(1, 3);
    expect((await servers()).slow).toBe('starting');
    const stopped = await api(nv, 'function(cb) require("mcp").stop("slow", cb) end');
    expect(stopped.err).toBeNull();
    expect((await servers()).slow).toBe('stopped');
    expect(groupMembers(group!)).toEqual([]);
  });

  it(':qa! while a server is still starting leaves nothing behind', async () => {
    nv = await startNvim(bin, { config: { mcpServers: { slow: { command: 'sh', args: [WRAPPED, 'node', SLOW_INIT, '20000'] } } } });
    await nv.lua('require("mcp").start("slow")');
    const [group] = await groups(1, 3);
    await nv.quit();
    nv = undefined;
    expect(await leftBehind([group!])).toEqual([]);
  });

  it('after the host is killed, servers that ignore stdin EOF and SIGTERM, and their children, are ended', async () => {
    nv = await startNvim(bin, {
      config: {
        mcpServers: {
          stubborn: { command: 'node', args: [STUBBORN, '--ignore-term'] },
          wrapped: { command: 'sh', args: [WRAPPED, 'node', EVERYTHING, 'stdio'] },
        },
      },
    });
    await nv.lua('require("mcp").start("stubborn"); require("mcp").start("wrapped")');
    await Promise.all([waitStatus(nv, 'stubborn'), waitStatus(nv, 'wrapped')]);
    const all = await groups(2, 2);
    process.kill(await hostPid(nv), 'SIGKILL');
    await nv.waitFor('not require("mcp.host").running()');
    expect(await leftBehind(all)).toEqual([]);
  });

  it('a Streamable HTTP server killed mid-call fails the call and shows the server failed, restarting', async () => {
    http = await startModernHttp();
    nv = await startNvim(bin, { config: { mcpServers: { remote: { url: http.url } } } });
    await nv.lua('require("mcp").start("remote")');
    await waitStatus(nv, 'remote');
    // Far longer than the test waits: the call fails because the server went, not at its deadline.
    const call = api(nv, 'function(cb) require("mcp").call_tool("remote", "slow", { ms = 50000 }, { timeout_ms = 55000 }, cb) end', 20_000);
    await new Promise((r) => setTimeout(r, 300));
    const url = http.url;
    http.proc.kill('SIGKILL');
    http = undefined;
    const out = await call;
    expect(out.err).toEqual({ code: -32011, message: 'server "remote": tools/call "slow": connection closed before the answer' });
    const failed = await waitStatus(nv, 'remote', 'failed');
    expect(failed.error).toMatch(new RegExp(`^lost the connection to ${url}: .*; restarting in 1 s \\(restart 1 of 5\\)$`));
    // The restart finds nobody there, and says so, naming the URL and the cause.
    const refused = await nv.waitFor<string>(
      `for _, s in ipairs(require("mcp").servers()) do if s.error and s.error:find("restart 2 of 5", 1, true) then return s.error end end
return nil`,
      { timeoutMs: 15_000, message: 'the failed restart' },
    );
    expect(refused).toBe(`cannot connect to ${url}: connection refused (ECONNREFUSED); restarting in 2 s (restart 2 of 5)`);
  });

  it('an SSE endpoint that never answers fails its start at the timeout, naming initialize', async () => {
    silent = spawn('node', [SILENT_HTTP], { stdio: ['ignore', 'ignore', 'pipe'] });
    const base = await new Promise<string>((resolve) =>
      silent!.stderr!.on('data', (d: Buffer) => {
        const m = /listening on (\S+)/.exec(d.toString());
        if (m) resolve(m[1]!);
      }),
    );
    nv = await startNvim(bin, { config: { mcpServers: { silent: { type: 'sse', url: `${base}/sse`, timeout_ms: 1000 } } } });
    const started = await api(nv, 'function(cb) require("mcp").start("silent", cb) end');
    expect(started.err).toEqual({ code: -32001, message: 'server "silent": start: initialize timed out after 1000 ms', data: { timeout_ms: 1000 } });
    expect((await waitStatus(nv, 'silent', 'failed')).error).toBe('server "silent": start: initialize timed out after 1000 ms');
  });

  /** Status by server name. */
  async function servers(): Promise<Record<string, string>> {
    const list = await nv!.lua<{ name: string; status: string }[]>('return require("mcp").servers()');
    return Object.fromEntries(list.map((s) => [s.name, s.status]));
  }
});
