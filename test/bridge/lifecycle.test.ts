/**
 * The processes: the host starts on first use, comes back after it dies, restarts crashed servers, and
 * leaves nothing running when Neovim quits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { alive, callTool, childrenOf, cmdline, everythingStdio, filesystemStdio, hostPid, waitStatus } from '../helpers/mcp.js';

describe.each(nvimBinaries())('processes on Neovim $version', ({ bin }) => {
  let nv: NvimInstance | undefined;
  afterEach(async () => {
    await nv?.quit();
    nv = undefined;
  });

  it('does not start the host before the first use', async () => {
    nv = await startNvim(bin, { config: { mcpServers: { everything: everythingStdio() } } });
    await new Promise((r) => setTimeout(r, 300));
    expect(await nv.lua('return require("mcp.host").running()')).toBe(false);
    expect(childrenOf(nv.pid).filter((p) => cmdline(p).includes('rplugin/node/mcp'))).toEqual([]);
    await nv.lua('vim.cmd("Mcp")');
    const pid = await hostPid(nv);
    expect(cmdline(pid)).toContain('rplugin/node/mcp/index.js');
  });

  it('tells the user once when the host dies, and starts a new one on next use', async () => {
    nv = await startNvim(bin, { config: { mcpServers: { everything: everythingStdio() } } });
    await nv.lua(`_G.notes = {}
      local orig = vim.notify
      vim.notify = function(msg, level, o) table.insert(_G.notes, { msg = msg, level = level }) return orig(msg, level, o) end`);
    await nv.lua('require("mcp").start("everything")');
    await waitStatus(nv, 'everything');
    const first = await hostPid(nv);
    const server = childrenOf(first)[0]!;
    process.kill(first, 'SIGKILL');
    await nv.waitFor('not require("mcp.host").running()');
    const notes = await nv.waitFor<{ msg: string; level: number }[]>(
      'local n = vim.tbl_filter(function(x) return x.level == vim.log.levels.ERROR end, _G.notes)\nreturn #n > 0 and n or nil',
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]!.msg).toMatch(/host/i);
    // The orphaned server sees its stdin close and goes away.
    await nv.waitFor(() => !alive(server), { message: 'orphaned server to exit' });
    const echo = await callTool(nv, 'everything', 'echo', { message: 'again' });
    expect(echo.err).toBeNull();
    expect(echo.result!.content[0]!.text).toBe('Echo: again');
    const second = await hostPid(nv);
    expect(second).not.toBe(first);
    const errors = await nv.lua<number>('return #vim.tbl_filter(function(x) return x.level == vim.log.levels.ERROR end, _G.notes)');
    expect(errors).toBe(1);
  });

  it('shows a killed server as failed, and restart brings it back', async () => {
    nv = await startNvim(bin, { config: { mcpServers: { everything: everythingStdio() } } });
    await nv.lua('require("mcp").start("everything")');
    await waitStatus(nv, 'everything');
    const host = await hostPid(nv);
    const [server] = childrenOf(host);
    expect(cmdline(server!)).toContain('server-everything');
    process.kill(server!, 'SIGKILL');
    const failed = await waitStatus(nv, 'everything', 'failed');
    expect(failed.error).toMatch(/killed by SIGKILL/);
    await nv.lua('require("mcp").restart("everything")');
    await waitStatus(nv, 'everything');
    const echo = await callTool(nv, 'everything', 'echo', { message: 'back' });
    expect(echo.result!.content[0]!.text).toBe('Echo: back');
  });

  it('restarts a crashed server by itself', async () => {
    nv = await startNvim(bin, { config: { mcpServers: { everything: everythingStdio() } } });
    await nv.lua('require("mcp").start("everything")');
    await waitStatus(nv, 'everything');
    const [server] = childrenOf(await hostPid(nv));
    process.kill(server!, 'SIGKILL');
    await waitStatus(nv, 'everything', 'failed');
    await waitStatus(nv, 'everything', 'connected', 10_000);
    const [again] = childrenOf(await hostPid(nv));
    expect(again).not.toBe(server);
  });

  it('leaves no server process behind when Neovim quits', async () => {
    nv = await startNvim(bin, {
      config: { mcpServers: { everything: everythingStdio(), filesystem: filesystemStdio('/tmp'), npx: { command: 'sh', args: ['-c', 'sleep 300 & node "$0" stdio; exit', everythingStdio().args[0]!] } } },
    });
    await nv.lua('require("mcp").start("everything")');
    await Promise.all([waitStatus(nv, 'everything'), waitStatus(nv, 'filesystem'), waitStatus(nv, 'npx')]);
    const host = await hostPid(nv);
    const direct = childrenOf(host);
    // The `npx`-like server is a shell with children of its own (grandchildren of the host), one of
    // which (`sleep`) does not care that stdin closed: only killing the process group ends it.
    const all = [host, ...direct, ...direct.flatMap(childrenOf)];
    expect(all.length).toBeGreaterThanOrEqual(6);
    await nv.quit();
    nv = undefined;
    const deadline = Date.now() + 5000;
    while (all.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(all.filter(alive).map(cmdline)).toEqual([]);
  });
});
