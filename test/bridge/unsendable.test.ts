/**
 * A reply that cannot be encoded for Neovim fails only its own request, at once, and never the batch it
 * travels in (issue 13, defect 1). The bridge runs in this test process, attached to a real Neovim as
 * the host would be (the test's RPC channel takes the host's place in `mcp.core.channel`). No server
 * produces a value msgpack cannot encode (results are parsed JSON; deep ones cross as JSON segments),
 * so the test hands the bridge one: a function inside a result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bridge } from '../../src/bridge/bridge.js';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';

describe.each(nvimBinaries())('unsendable replies on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  let bridge: Bridge;
  beforeAll(async () => {
    nv = await startNvim(bin);
    bridge = new Bridge(nv.nvim);
    const chan = await nv.nvim.channelId;
    // This channel plays the host: requests made now wait in Lua's outbox (never sent), replies come from `bridge`.
    await nv.lua('require("mcp.core.channel").open(..., { timeout_ms = 60000, servers = {} })', chan);
  });
  afterAll(async () => {
    await nv?.quit();
  });

  it('the unsendable reply fails its request with the reason; the reply beside it arrives', async () => {
    const ids = await nv.lua<[number, number]>(`
      _G.got = {}
      local channel = require("mcp.core.channel")
      local a = channel.send("call_tool", {}, {}, function(err, result) _G.got.a = { err = err or vim.NIL, result = result or vim.NIL } end)
      local b = channel.send("call_tool", {}, {}, function(err, result) _G.got.b = { err = err or vim.NIL, result = result or vim.NIL } end)
      return { a, b }`);
    const send = (bridge as unknown as { send(item: unknown[]): void }).send.bind(bridge);
    // Both in one turn: one batch.
    send(['r', ids[0], null, { content: [{ type: 'text', text: 'x' }], structuredContent: { f: () => 1 } }]);
    send(['r', ids[1], null, { content: [{ type: 'text', text: 'fine' }] }]);
    const got = await nv.waitFor<{ a: { err: { message: string } }; b: { err: unknown; result: { content: { text: string }[] } } }>(
      '_G.got.a and _G.got.b and _G.got',
      { message: 'both replies' },
    );
    expect(got.a.err.message).toMatch(/^the reply could not be sent to the editor: /);
    expect(got.b.err).toBeNull();
    expect(got.b.result.content[0]?.text).toBe('fine');
  });
});
