/**
 * Edits to the config file apply live: only added, removed or changed servers restart, and a broken
 * edit keeps the running servers and says what is wrong and where.
 */
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { childrenOf, cmdline, everythingStdio, hostPid, servers, waitStatus } from '../helpers/mcp.js';

/** pid of the server process whose command line contains `marker`. */
function serverPid(host: number, marker: string): number | undefined {
  return childrenOf(host).find((p) => cmdline(p).includes(marker));
}

describe.each(nvimBinaries())('live configuration on Neovim $version', ({ bin }) => {
  let nv: NvimInstance | undefined;
  afterEach(async () => {
    await nv?.quit();
    nv = undefined;
  });

  it('restarts only what an edit changed', async () => {
    const one = { ...everythingStdio(), env: { MARK: 'one' } };
    const two = { command: 'node', args: [...everythingStdio().args, 'two'] };
    nv = await startNvim(bin, { config: { mcpServers: { one, two } } });
    const path = `${nv.dirs.config}/mcp.json`;
    await nv.lua('require("mcp").start("one")');
    await Promise.all([waitStatus(nv, 'one'), waitStatus(nv, 'two')]);
    const host = await hostPid(nv);
    const onePid = serverPid(host, 'stdio')!;
    const twoPid = serverPid(host, 'two')!;

    // Change `two`, remove nothing, add `three`.
    const three = { command: 'node', args: [...everythingStdio().args, 'three'] };
    writeFileSync(path, JSON.stringify({ mcpServers: { one, two: { ...two, args: [...two.args, 'changed'] }, three } }));
    await waitStatus(nv, 'three');
    await nv.waitFor(() => serverPid(host, 'changed'), { message: 'changed server to be running' });
    await waitStatus(nv, 'two');
    expect(childrenOf(host)).toContain(onePid);
    expect(childrenOf(host)).not.toContain(twoPid);

    // Remove `three`.
    writeFileSync(path, JSON.stringify({ mcpServers: { one, two: { ...two, args: [...two.args, 'changed'] } } }));
    await nv.waitFor(async () => !(await servers(nv!)).three, { message: 'three to be removed' });
    await nv.waitFor(() => !serverPid(host, 'three'), { message: 'three to stop' });
    expect(childrenOf(host)).toContain(onePid);
  });

  it('keeps the running servers when an edit breaks the file, and names file and key', async () => {
    nv = await startNvim(bin, { config: { mcpServers: { everything: everythingStdio() } } });
    const path = `${nv.dirs.config}/mcp.json`;
    await nv.lua(`_G.notes = {}
      vim.notify = function(msg, level) table.insert(_G.notes, { msg = msg, level = level }) end`);
    await nv.lua('require("mcp").start("everything")');
    await waitStatus(nv, 'everything');
    const pid = serverPid(await hostPid(nv), 'server-everything');

    writeFileSync(path, JSON.stringify({ mcpServers: { everything: { command: 'node', args: 'not-a-list' } } }));
    const note = await nv.waitFor<string>('_G.notes[1] and _G.notes[1].msg');
    expect(note).toContain(path);
    expect(note).toContain('mcpServers.everything.args: must be array');
    expect((await servers(nv)).everything!.status).toBe('connected');
    expect(serverPid(await hostPid(nv), 'server-everything')).toBe(pid);

    writeFileSync(path, '{ "mcpServers": { ');
    await nv.waitFor<string>('_G.notes[2] and _G.notes[2].msg');
    expect(await nv.lua<string>('return _G.notes[2].msg')).toMatch(/invalid JSON/);
    expect((await servers(nv)).everything!.status).toBe('connected');
  });

  it('starts with a broken config, says why, and picks up the fix', async () => {
    nv = await startNvim(bin);
    const path = `${nv.dirs.config}/mcp.json`;
    writeFileSync(path, '{ "mcpServers": { "x": { "command": 42 } } }');
    await nv.lua(`_G.notes = {}
      vim.notify = function(msg, level) table.insert(_G.notes, { msg = msg, level = level }) end`);
    await nv.lua('require("mcp").servers()');
    const note = await nv.waitFor<string>('_G.notes[1] and _G.notes[1].msg');
    expect(note).toContain(`${path}: mcpServers.x.command: must be string`);
    writeFileSync(path, JSON.stringify({ mcpServers: { x: everythingStdio() } }));
    await waitStatus(nv, 'x');
  });

  it('picks up a fix saved the moment the host reports the broken config', async () => {
    // The tightest window there is: the fix is written from inside the notification of the error, while
    // the host is still answering `init`. An edit written before the watcher is ready would be lost.
    nv = await startNvim(bin);
    const path = `${nv.dirs.config}/mcp.json`;
    writeFileSync(path, '{ "mcpServers": { "x": { "command": 42 } } }');
    const fixed = JSON.stringify({ mcpServers: { x: everythingStdio() } });
    await nv.lua(
      `local path, fixed = ...
      vim.notify = function()
        if not _G.fixed then
          _G.fixed = true
          vim.fn.writefile({ fixed }, path)
        end
      end`,
      path,
      fixed,
    );
    await nv.lua('require("mcp").servers()');
    await nv.waitFor('_G.fixed', { message: 'the error to be reported' });
    await waitStatus(nv, 'x');
  });
});
