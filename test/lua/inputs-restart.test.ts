/**
 * `:Mcp restart {server}` forgets the server's `${input:...}` values, so that a wrong token can be
 * retyped; the new value reaches the server (real server-everything over stdio, which echoes its env).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { api, callTool, EVERYTHING, waitStatus } from '../helpers/mcp.js';

describe.each(nvimBinaries())('inputs and restart on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;

  beforeAll(async () => {
    nv = await startNvim(bin, { config: { mcpServers: { ev: { command: 'node', args: [EVERYTHING, 'stdio'], env: { MCP_TEST_TOKEN: '${input:token}' } } } } });
  });
  afterAll(async () => {
    await nv?.quit();
  });

  /** Types `value` into the ask window once it is shown and waiting in Insert mode. */
  async function answer(value: string): Promise<void> {
    await nv.waitFor(`return vim.b[vim.api.nvim_get_current_buf()].mcp_kind == 'ask' and vim.api.nvim_get_mode().mode == 'i'`, { message: 'the ask window' });
    await nv.nvim.input(`${value}<CR>`);
  }
  const token = async () => (await callTool(nv, 'ev', 'get-env')).result!.content[0]!.text;

  it('asks again on restart and passes the new value on', async () => {
    const started = api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    await answer('wrong-token');
    expect((await started).err).toBeNull();
    expect(await token()).toContain('"MCP_TEST_TOKEN": "wrong-token"');
    const restarted = api(nv, 'function(cb) vim.cmd("Mcp restart ev") cb(nil, true) end');
    expect((await restarted).err).toBeNull();
    await answer('right-token');
    await waitStatus(nv, 'ev', 'connected');
    expect(await token()).toContain('"MCP_TEST_TOKEN": "right-token"');
  });
});
