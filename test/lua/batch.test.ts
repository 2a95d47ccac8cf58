/**
 * The host's batches (`require("mcp.host")._batch(chan, items)`, src/bridge/protocol.ts): a malformed
 * item is reported and skipped without losing the items after it, and a batch from a host that is not
 * the running one (an old host flushing after a restart) is dropped. The host runs for real (no server
 * configured); the malformed and stale batches are made in Lua, because no real host sends one on
 * purpose — that is the point of surviving them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { notes as notesOf, recordNotes } from '../helpers/notes.js';

describe.each(nvimBinaries())('host batches on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  beforeAll(async () => {
    nv = await startNvim(bin, { config: { mcpServers: {} } });
    // Recorded, not shown: the malformed batches provoke error notes on purpose.
    await recordNotes(nv, { show: false });
    await nv.lua('require("mcp").servers()');
    await nv.waitFor('require("mcp.host").info() ~= nil', { message: 'the host answered init' });
  });
  afterAll(async () => {
    await nv?.quit();
  });

  const notes = async () => (await notesOf(nv)).map((n) => n.msg);

  it('a bad item between two good ones is reported once; the items after it (a reply too) are handled', async () => {
    await nv.lua(`
      _G.batch_reply = nil
      local channel = require("mcp.core.channel")
      -- A request waiting for its reply (the host's own reply to it comes later and finds nothing pending).
      local id = channel.send("servers", {}, {}, function(err, result) _G.batch_reply = { err = err or vim.NIL, result = result } end)
      require("mcp.host")._batch(channel.chan(), {
        { "p", "message", { level = "info", text = "before the bad item" } },
        { "q", 999, "input", {} }, -- an ask without its meta: its handler fails
        { "p", "message", { level = "info", text = "after the bad item" } },
        { "r", id, vim.NIL, { "the reply after the bad item" } },
      })`);
    const reply = await nv.waitFor<{ err: unknown; result: string[] }>('_G.batch_reply', { message: 'the reply after the bad item' });
    expect(reply.err).toBeNull();
    expect(reply.result).toEqual(['the reply after the bad item']);
    await nv.waitFor(async () => (await notes()).some((n) => n.includes('after the bad item')), { message: 'the note after the bad item' });
    const all = await notes();
    expect(all.filter((n) => n.includes('before the bad item'))).toHaveLength(1);
    const bad = all.filter((n) => n.includes('a "q" item from the host failed (skipped)'));
    expect(bad).toHaveLength(1);
    expect(all.indexOf(bad[0]!)).toBeLessThan(all.findIndex((n) => n.includes('after the bad item')));
    expect(await nv.lua('return #require("mcp.asks").pending()')).toBe(0);
  });

  it("drops a batch from a host that is not the running one (its ask would take the new host's id)", async () => {
    await nv.lua(`
      local chan = require("mcp.core.channel").chan()
      require("mcp.host")._batch(chan + 1000, {
        { "p", "message", { level = "info", text = "from an old host" } },
        { "q", 1, "input", { id = "token" }, { title = "old: token" } },
      })
      require("mcp.host")._batch(chan, { { "p", "message", { level = "info", text = "from the running host" } } })`);
    // Notes are shown in order: once the running host's is there, the old host's would be too.
    await nv.waitFor(async () => (await notes()).some((n) => n.includes('from the running host')), { message: "the running host's note" });
    expect((await notes()).filter((n) => n.includes('from an old host'))).toEqual([]);
    expect(await nv.lua('return #require("mcp.asks").pending()')).toBe(0);
    expect(await nv.lua('return vim.b.mcp_kind or ""')).toBe('');
  });
});
