/**
 * doc/mcp.txt is valid help: `:helptags` generates its tags without error (duplicate tags, bad
 * headers), and `:help mcp` finds it on every supported Neovim.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from './helpers/nvim.js';

describe.each(nvimBinaries())('help file on Neovim $version', ({ bin }) => {
  let nv: NvimInstance | undefined;
  afterEach(async () => {
    await nv?.quit();
    nv = undefined;
  });

  it('generates its tags and opens with :help mcp', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'mcp-doc-'));
    cpSync(join(repoRoot, 'doc'), join(copy, 'doc'), { recursive: true });
    nv = await startNvim(bin, { plugin: false });
    const err = await nv.lua<string>(
      `local dir = ...
       vim.v.errmsg = ''
       local ok, e = pcall(vim.cmd.helptags, vim.fn.fnameescape(dir))
       return ok and vim.v.errmsg or tostring(e)`,
      join(copy, 'doc'),
    );
    expect(err).toBe('');
    const tags = readFileSync(join(copy, 'doc', 'tags'), 'utf8');
    for (const tag of ['mcp', ':Mcp', 'mcp-config', 'mcp-api', 'mcp.call_tool()', 'mcp-roots']) {
      expect(tags).toMatch(new RegExp(`^${tag.replace(/[.()]/g, '\\$&')}\\t`, 'm'));
    }
    await nv.lua('vim.opt.rtp:prepend(...); vim.cmd("help mcp")', copy);
    expect(await nv.lua<string>('return vim.fn.expand("%:t")')).toBe('mcp.txt');
  });
});
