/**
 * Pagination (spec: server/utilities/pagination): server-everything never paginates, so the project's own
 * SDK server `test/servers/paged.mjs` lists 250 tools, 250 prompts and 250 resources in pages of 50. Every
 * item must arrive, in order, in the Lua API's cached lists and in what the user picks from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { api, PAGED, waitStatus } from '../helpers/mcp.js';

const COUNT = 250;
const PAGE = 50;
const pad = (i: number) => String(i).padStart(4, '0');
const expected = (f: (i: number) => string) => Array.from({ length: COUNT }, (_, i) => f(i));

describe.each(nvimBinaries())('pagination on nvim $version', ({ bin }) => {
  let nv: NvimInstance;

  beforeAll(async () => {
    nv = await startNvim(bin, { config: { mcpServers: { paged: { command: 'node', args: [PAGED, String(COUNT), String(PAGE)] } } } });
    await nv.lua('require("mcp").servers()');
    await waitStatus(nv, 'paged');
  });
  afterAll(async () => {
    await nv?.quit();
  });

  it('every tool of every page arrives', async () => {
    const names = await nv.lua<string[]>('return vim.tbl_map(function(t) return t.name end, require("mcp").tools("paged"))');
    expect(names).toEqual(expected((i) => `tool_${pad(i)}`));
  });

  it('every prompt of every page arrives', async () => {
    const names = await nv.lua<string[]>('return vim.tbl_map(function(p) return p.name end, require("mcp").prompts("paged"))');
    expect(names).toEqual(expected((i) => `prompt_${pad(i)}`));
  });

  it('every resource of every page arrives', async () => {
    const uris = await nv.lua<string[]>('return vim.tbl_map(function(r) return r.uri end, require("mcp").resources("paged"))');
    expect(uris).toEqual(expected((i) => `paged://item/${pad(i)}`));
  });

  it('the user sees them all: prompt completion, the resource picker, and the last item reads', async () => {
    const prompts = await nv.lua<string[]>('return vim.fn.getcompletion("Mcp prompt paged/", "cmdline")');
    expect(prompts).toEqual(expected((i) => `paged/prompt_${pad(i)}`));
    const labels = await nv.lua<string[]>(`
      local out
      local orig = vim.ui.select
      vim.ui.select = function(items, opts) out = vim.tbl_map(opts.format_item, items) end
      vim.cmd("Mcp resource")
      vim.ui.select = orig
      return out`);
    expect(labels).toEqual(expected((i) => `item ${pad(i)}  paged://item/${pad(i)}  text/plain  [paged]`));
    await nv.nvim.command(`Mcp resource open paged paged://item/${pad(COUNT - 1)}`);
    await nv.waitFor('vim.b.mcp_reads == 1');
    expect(await nv.bufferLines()).toEqual([`contents of paged://item/${pad(COUNT - 1)}`]);
    const r = await api<{ messages: { content: { text: string } }[] }>(nv, `function(cb) require("mcp").get_prompt("paged", "prompt_${pad(COUNT - 1)}", nil, cb) end`);
    expect(r.result!.messages[0]!.content.text).toBe(`prompt prompt_${pad(COUNT - 1)}`);
  });
});
