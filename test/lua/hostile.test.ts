/**
 * A hostile server (test/servers/hostile.mjs, raw JSON-RPC: the SDK's server refuses to send what it
 * sends) against the real host in a real Neovim (issue 13, defects 1 and 6):
 * - values nested deeper than Neovim's msgpack decoder takes (31 levels per message) arrive intact, in
 *   results and in tool lists, and the host stays up: a call made at the same moment succeeds;
 * - one bad tool in a list, one bad image in a result, are marked and the rest kept;
 * - a response with both `result` and `error` fails its call at once, with a message saying so.
 *
 * Deep values never travel back to the test over RPC (that channel has the same limit): Lua measures them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { hostPid, servers, waitStatus } from '../helpers/mcp.js';
import { join } from 'node:path';

const HOSTILE = join(repoRoot, 'test', 'servers', 'hostile.mjs');
/** The nesting of deep_schema's inputSchema: far past msgpack's 31 and lua-cjson's 1000 per segment. */
const SCHEMA_DEPTH = 2500;
/** Results nested this deep are called for: the 26 and ~100, cjson's limit, and well past it. */
const DEPTHS = [26, 100, 1000, 1001, 20_000];
const ERROR = 4;

/** Lua: runs `call_tool` and keeps, under `_G.hostile[key]`, the error and a summary of the result. */
const CALL = `
  local key, tool, args = ...
  _G.hostile = _G.hostile or {}
  require("mcp").call_tool("hostile", tool, args, {}, function(err, result)
    local out = { err = err or vim.NIL }
    if result then
      -- How deep structuredContent goes: follow "level" down to "bottom" (a loop, not recursion).
      local v, depth = result.structuredContent, 0
      while type(v) == "table" do
        depth = depth + 1
        if v.bottom ~= nil then out.bottom = v.bottom break end
        v = v.level
      end
      out.depth = depth
      out.content = {}
      for i, c in ipairs(result.content or {}) do
        out.content[i] = { type = c.type, text = c.text or vim.NIL, data = c.data and #c.data or vim.NIL }
      end
    end
    _G.hostile[key] = out
  end)`;

interface Summary {
  err: { code: number; message: string } | null;
  depth?: number;
  bottom?: number;
  content?: { type: string; text: string | null; data: number | null }[];
}

describe.each(nvimBinaries())('a hostile server on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  let seq = 0;

  /** Starts `call_tool` and returns a function that waits for its summary. */
  async function start(tool: string, args: Record<string, unknown> = {}, timeoutMs = 20_000): Promise<() => Promise<Summary>> {
    const key = `k${++seq}`;
    await nv.lua(CALL, key, tool, args);
    return () => nv.waitFor<Summary>(`_G.hostile.${key}`, { timeoutMs, message: `call_tool hostile ${tool}` });
  }

  beforeAll(async () => {
    nv = await startNvim(bin, {
      config: { mcpServers: { hostile: { command: 'node', args: [HOSTILE], env: { HOSTILE_SCHEMA_DEPTH: String(SCHEMA_DEPTH) } } } },
    });
    await nv.lua(`_G.notes = {}; vim.notify = function(m, l) table.insert(_G.notes, { msg = m, level = l }) end`);
    await nv.lua('require("mcp").start("hostile")');
    await waitStatus(nv, 'hostile', 'connected', 20_000).catch(async (e) => {
      console.log(JSON.stringify(await nv.lua('return vim.tbl_map(function(s) return { s.status, s.error } end, require("mcp").servers())')));
      console.log(require('node:child_process').execSync(`tail -c 3000 ${nv.dirs.log}/mcp.log`).toString());
      throw e;
    });
  });
  afterAll(async () => {
    await nv?.quit();
  });

  it.each(DEPTHS)('a result nested %i levels deep arrives intact; a call made at the same moment succeeds', async (depth) => {
    const pid = await hostPid(nv);
    const deep = await start('deep', { depth });
    const echo = await start('echo', { text: `beside ${depth}` });
    const [d, e] = await Promise.all([deep(), echo()]);
    expect(d.err).toBeNull();
    expect(d).toMatchObject({ depth, bottom: depth });
    expect(d.content).toEqual([{ type: 'text', text: `nested ${depth} levels`, data: null }]);
    expect(e.err).toBeNull();
    expect(e.content?.[0]?.text).toBe(`beside ${depth}`);
    expect(await hostPid(nv)).toBe(pid);
    expect((await servers(nv)).hostile?.status).toBe('connected');
  });

  it(`a tool whose inputSchema nests ${SCHEMA_DEPTH} levels is listed intact and callable`, async () => {
    const depth = await nv.lua<number>(`
      for _, t in ipairs(require("mcp").tools("hostile")) do
        if t.name == "deep_schema" then
          local s, n = t.inputSchema, 0
          while type(s) == "table" do
            n = n + 1
            s = s.properties and s.properties.nested
          end
          return n
        end
      end
      return 0`);
    expect(depth).toBe(SCHEMA_DEPTH);
    const r = await (await start('deep_schema'))();
    expect(r.err).toBeNull();
    expect(r.content?.[0]?.text).toBe('deep schema called');
  });
});
