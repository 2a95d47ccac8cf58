/**
 * Servers start in parallel and independently: a missing command fails alone with a clear error, and a
 * server that takes 6 s to answer `initialize` does not delay one that is ready.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { callTool, everythingStdio, servers, SLOW_INIT, waitStatus } from '../helpers/mcp.js';

describe.each(nvimBinaries())('server start-up on Neovim $version', ({ bin }) => {
  let nv: NvimInstance | undefined;
  afterEach(async () => {
    await nv?.quit();
    nv = undefined;
  });

  it('reports a command that does not exist, and the other servers work', async () => {
    nv = await startNvim(bin, {
      config: { mcpServers: { ghost: { command: 'mcp-no-such-command-1234', args: [] }, everything: everythingStdio() } },
    });
    await nv.lua('require("mcp").start("everything")');
    const ghost = await waitStatus(nv, 'ghost', 'failed');
    expect(ghost.error).toBe('command not found: mcp-no-such-command-1234');
    await waitStatus(nv, 'everything');
    const echo = await callTool(nv, 'everything', 'echo', { message: 'still here' });
    expect(echo.result!.content[0]!.text).toBe('Echo: still here');
    // The user hears of it by name through the API callback too.
    const start = await nv.lua<null>('require("mcp").start("ghost", function(err) _G.ghost_err = err end)');
    expect(start).toBeNull();
    const err = await nv.waitFor<{ message: string }>('_G.ghost_err');
    expect(err.message).toContain('command not found: mcp-no-such-command-1234');
  });

  it('makes a fast server usable while a slow one is still initializing', async () => {
    // The slow server answers `initialize` after 6 s. No clock is read here (speed belongs to the bench):
    // the fast server's call succeeding while the slow one is still `starting` is the proof.
    nv = await startNvim(bin, {
      config: { mcpServers: { slow: { command: 'node', args: [SLOW_INIT, '6000'] }, everything: everythingStdio() } },
    });
    await nv.lua('require("mcp").start("everything")');
    await waitStatus(nv, 'everything');
    const echo = await callTool(nv, 'everything', 'echo', { message: 'fast' });
    expect(echo.result!.content[0]!.text).toBe('Echo: fast');
    // The slow server is still in its sleep: the fast one did not wait for it.
    expect((await servers(nv)).slow!.status).toBe('starting');
    await waitStatus(nv, 'slow', 'connected', 15_000);
    const ping = await callTool(nv, 'slow', 'ping');
    expect(ping.result!.content[0]!.text).toBe('pong');
  });

  it('does not start a disabled server, and starts it on request', async () => {
    nv = await startNvim(bin, { config: { mcpServers: { everything: { ...everythingStdio(), disabled: true } } } });
    await nv.lua('require("mcp").servers()');
    await waitStatus(nv, 'everything', 'disabled');
    await nv.lua('require("mcp").start("everything")');
    await waitStatus(nv, 'everything', 'connected');
  });
});
