/**
 * Floods from a server (issue 13, defect 5), with a misbehaving server of our own (test/servers/flooder.mjs)
 * because no real server misbehaves on request: a storm of `notifications/tools/list_changed` reaches
 * the editor as a handful of `McpServerChanged` events and ends with the right tool list; tens of
 * thousands of junk lines on the server's stdout leave the host log small (repeated lines are
 * rate-limited) and the server usable. The editor's stall under such a storm is measured by the bench's
 * `flood` case (`npm run bench -- --only flood`).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { callTool, waitStatus } from '../helpers/mcp.js';

const FLOODER = join(repoRoot, 'test', 'servers', 'flooder.mjs');
const STORM = 20_000;
const JUNK = 40_000;

describe.each(nvimBinaries())('floods on Neovim $version', ({ bin }) => {
  let nv: NvimInstance | undefined;
  afterEach(async () => {
    await nv?.quit();
    nv = undefined;
  });

  it(`${STORM} list_changed notifications fire a bounded number of McpServerChanged and end with the right tools`, async () => {
    nv = await startNvim(bin, { config: { mcpServers: { flooder: { command: 'node', args: [FLOODER] } } } });
    await nv.lua(`
      _G.changed = 0
      vim.api.nvim_create_autocmd('User', { pattern = 'McpServerChanged', callback = function() _G.changed = _G.changed + 1 end })
    `);
    await waitStatus(nv, 'flooder');
    const before = await nv.lua<number>('return _G.changed');
    const r = await callTool(nv, 'flooder', 'storm', { count: STORM }, 60_000);
    expect(r.err, JSON.stringify(r.err)).toBeNull();
    // The last refresh lands: the list served after the storm is the one the editor ends with.
    await nv.waitFor('vim.tbl_contains(vim.tbl_map(function(t) return t.name end, require("mcp").tools("flooder")), "after_storm")', {
      timeoutMs: 30_000,
    });
    const events = (await nv.lua<number>('return _G.changed')) - before;
    expect(events).toBeGreaterThanOrEqual(1);
    // One event per notification before; now one per pacing interval at most (a generous bound: the
    // storm takes seconds on a loaded machine, and each 100 ms may carry one).
    expect(events).toBeLessThan(STORM / 20);
    const names = await nv.lua<string[]>('return vim.tbl_map(function(t) return t.name end, require("mcp").tools("flooder"))');
    expect(names.sort()).toEqual(['after_storm', 'env', 'image', 'junk', 'storm']);
    const status = await nv.lua<string>('return require("mcp").servers()[1].status');
    expect(status).toBe('connected');
  });

  it(`${JUNK} junk lines on stdout leave the log small, under its cap, and the server usable`, async () => {
    nv = await startNvim(bin, { config: { mcpServers: { flooder: { command: 'node', args: [FLOODER] } } } });
    await waitStatus(nv, 'flooder');
    const r = await callTool(nv, 'flooder', 'junk', { count: JUNK }, 60_000);
    expect(r.err, JSON.stringify(r.err)).toBeNull();
    expect(r.result?.content[0]?.text).toBe(`wrote ${JUNK} lines`);
    // Still answering after the junk.
    const again = await callTool(nv, 'flooder', 'env');
    expect(again.err).toBeNull();
    const logPath = await nv.lua<string>('return require("mcp.host").log_path()');
    const cap = await nv.lua<number>('return require("mcp.core.contract").defaults.log_max_bytes');
    const junkBytes = JUNK * 'this is not JSON-RPC, just junk on stdout\n'.length;
    // Every junk line was read before the reply that followed it on the same pipe; give the log's
    // asynchronous writes the time of one round trip to land.
    await callTool(nv, 'flooder', 'env');
    const size = statSync(logPath).size;
    expect(size).toBeLessThan(cap);
    // Before: 18.5 MB of log for 1.7 MB of junk. Now the junk is not even copied once.
    expect(size).toBeLessThan(junkBytes / 10);
    const log = readFileSync(logPath, 'utf8');
    expect(log).toContain('malformed message from server');
    expect(statSync(logPath).mode & 0o777).toBe(0o600);
  });
});
