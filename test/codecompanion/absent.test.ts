/**
 * With CodeCompanion absent (not installed), mcp.nvim loads, connects and answers chat calls as always,
 * loads nothing of its CodeCompanion extension and raises nothing; the extension itself, loaded by hand
 * without CodeCompanion, registers nothing and raises nothing. Runs on every Neovim (no CodeCompanion
 * needed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { everythingStdio, waitStatus } from '../helpers/mcp.js';

describe.each(nvimBinaries())('mcp.nvim without CodeCompanion on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  beforeAll(async () => {
    nv = await startNvim(bin, { config: { servers: { everything: everythingStdio() } } });
    await nv.lua('require("mcp").start("everything")');
    await waitStatus(nv, 'everything', 'connected', 30_000);
  }, 60_000);
  afterAll(async () => {
    await nv?.quit();
  });

  const loaded = () =>
    nv.lua<string[]>(`local out = {}
      for name in pairs(package.loaded) do if name:find("codecompanion", 1, true) then out[#out + 1] = name end end
      table.sort(out)
      return out`);

  it('loads, connects and offers chat tools with no CodeCompanion module loaded and nothing raised', async () => {
    expect(await nv.lua('return pcall(require, "codecompanion")')).toBe(false);
    expect(await nv.lua('return vim.g.loaded_mcp == true and vim.fn.exists(":Mcp") == 2')).toBe(true);
    const tools = await nv.lua<{ function: { name: string } }[]>('return require("mcp.chat").tools()');
    expect(tools.map((t) => t.function.name)).toContain('everything__echo');
    expect(await loaded()).toEqual([]);
    const { errmsg, messages } = await nv.lua<{ errmsg: string; messages: string }>(
      'return { errmsg = vim.v.errmsg, messages = vim.fn.execute("messages") }',
    );
    expect(errmsg).toBe('');
    expect(messages).not.toMatch(/error|E\d+:/i);
  });

  it('the extension loaded by hand without CodeCompanion registers nothing and raises nothing', async () => {
    const out = await nv.lua<{ tools: string[]; groups: string[]; context: string[] }>(
      'local ext = require("codecompanion._extensions.mcp") ext.setup({}) return ext.register()',
    );
    expect(out).toEqual({ tools: [], groups: [], context: [] });
    // A server change runs its registration again: still quiet.
    await nv.lua('require("mcp").restart("everything")');
    await waitStatus(nv, 'everything', 'connected', 30_000);
    await nv.lua('vim.wait(0)');
    expect(await nv.lua('return vim.v.errmsg')).toBe('');
  });
});
