/**
 * Items nested deeper than Neovim's msgpack decoder takes cross as JSON segments (src/bridge/nesting.ts)
 * that Lua puts back together (`j` items of `_batch`, lua/mcp/core/channel.lua). What Lua gets must be
 * what it would get had the value crossed as msgpack: the same value, object keys that look like numbers
 * still strings, `{}` still an empty map and `[]` a list, nulls as `vim.NIL`. The segments are made by
 * the host's own code and handed to the running host's `_batch` in a real Neovim; a garbled segment (no
 * real host sends one) checks that its request fails at once rather than at Lua's guard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSegments } from '../../src/bridge/nesting.js';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { recordNotes } from '../helpers/notes.js';

/** `{"a":{"a":...{leaf}}}`, `depth` maps deep. */
function nest(depth: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** A value with the cases where JSON and msgpack could differ. */
const TRICKY = {
  '1': 'a key that looks like a number',
  ['__proto__']: 'an own key named __proto__',
  list: [1, null, 'x', [], {}],
  empty_map: {},
  empty_list: [],
  nothing: null,
  text: 'lone \ud800 surrogate, back\\slash, "quotes", ünïcødé',
  number: 1.5,
  big: 2 ** 40,
  yes: true,
};

/** Lua: a summary of `v` that crosses back as msgpack (shallow), for comparison. */
const SUMMARY = `
  local function summary(t)
    local keys = {}
    for k, v in pairs(t) do
      local kind = type(v)
      if v == vim.NIL then kind = "nil"
      elseif kind == "table" then
        kind = getmetatable(v) == getmetatable(vim.empty_dict()) and "map" or (vim.islist(v) and "list" or "map")
        if next(v) == nil and kind == "list" then kind = "empty" end
      end
      keys[#keys + 1] = type(k) .. ":" .. tostring(k) .. "=" .. kind
    end
    table.sort(keys)
    return keys
  end`;

describe.each(nvimBinaries())('deep items on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  beforeAll(async () => {
    nv = await startNvim(bin, { config: { mcpServers: {} } });
    // Recorded, not shown: failures of deep values are reported with vim.notify, not asserted here.
    await recordNotes(nv, { show: false });
    await nv.lua('require("mcp").servers()');
    await nv.waitFor('require("mcp.host").info() ~= nil', { message: 'the host answered init' });
  });
  afterAll(async () => {
    await nv?.quit();
  });

  /** Sends a reply to a pending request as a `j` item made from `value`; returns what its callback got, measured in Lua. */
  async function viaSegments(value: unknown, limit?: number, garble = false) {
    return nv.lua<{ depth: number; leaf: string[]; err: string | null; json: string }>(
      `${SUMMARY}
      local value_json, limit, garble = ...
      local channel = require("mcp.core.channel")
      local got
      local id = channel.send("servers", {}, {}, function(err, result) got = { err = err, result = result } end)
      local segments = vim.json.decode(value_json)
      for _, seg in ipairs(segments) do
        -- the item's reply id is a placeholder (0) in the segments made by the test: the real id goes in
        seg[3] = seg[3]:gsub('^%["r",0,', '["r",' .. id .. ',')
        if garble and seg[1] > 0 then seg[3] = seg[3]:sub(1, -2) end
      end
      require("mcp.host")._batch(channel.chan(), { { "j", segments, "r", id } })
      vim.wait(5000, function() return got ~= nil end)
      if got.err then return { depth = 0, leaf = {}, err = got.err.message } end
      local v, depth = got.result, 0
      while type(v) == "table" and v.a ~= nil do
        v, depth = v.a, depth + 1
      end
      local json = depth < 100 and vim.json.encode(got.result) or ""
      return { depth = depth, leaf = type(v) == "table" and summary(v) or {}, err = vim.NIL, json = json }`,
      JSON.stringify(toSegments(['r', 0, null, value], limit)),
      limit ?? null,
      garble,
    );
  }

  it('a value nested past one segment arrives whole, with the same keys and kinds as through msgpack', async () => {
    const direct = await nv.lua<string[]>(`${SUMMARY} return summary(...)`, TRICKY);
    // 1200 levels: three segments of 500 (cjson takes at most 1000 per decode).
    const deep = await viaSegments(nest(1200, TRICKY));
    expect(deep.err).toBeNull();
    expect(deep.depth).toBe(1200);
    expect(deep.leaf).toEqual(direct);
    // The cut can fall anywhere, inside lists too.
    const value = { a: [nest(5, { a: [nest(3, TRICKY)] })] };
    const cut = await viaSegments(value, 2);
    expect(cut.err).toBeNull();
    const expected = JSON.parse(JSON.stringify(value).replace('\\ud800', '\\ufffd'));
    expect(JSON.parse(cut.json)).toEqual(expected);
  });

  it('segments that do not decode fail their request at once with the reason, and the host lives on', async () => {
    const r = await viaSegments(nest(1200, TRICKY), undefined, true);
    expect(r.err).toMatch(/^the reply, nested too deep for msgpack, came as JSON that did not decode: /);
    expect(await nv.lua('return require("mcp.host").running()')).toBe(true);
  });
});
