/**
 * `node bench/flood.mjs`: floods from a server (issue 13, defect 5), measured against Neovim 0.12 with
 * the flooder test server (test/servers/flooder.mjs):
 *
 * - storm: the server sends 100,000 `notifications/tools/list_changed` at once. Inside Neovim a 1 ms
 *   repeating timer records the longest gap between two of its runs (the editor's longest stall) from
 *   just before the call until the tool list shows the post-storm tool; also the `McpServerChanged`
 *   events fired, the time until the final list landed, and Neovim's resident memory before and after.
 * - junk: the server writes 40,000 junk lines (1.7 MB) to its stdout; the host log's size after.
 *
 * A baseline first: the same timer's longest gap over 5 s of nothing, the machine's own noise.
 *
 * Options: --storm N (default 100000), --junk N (default 40000), --reps N (storm repetitions, default 3).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startNvim, type NvimInstance } from '../../test/helpers/nvim.js';
import { nvim012, repoRoot } from './env.js';

const FLOODER = join(repoRoot, 'test', 'servers', 'flooder.mjs');
const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const STORM = opt('--storm', 100_000);
const JUNK = opt('--junk', 40_000);
const REPS = opt('--reps', 3);

/** Neovim's resident memory, MiB (Linux). */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

async function start(): Promise<NvimInstance> {
  const nv = await startNvim(nvim012());
  await nv.lua('require("mcp").setup({ config_path = false, servers = { flooder = { command = "node", args = { ... } } }, node = vim.env.MCP_BENCH_NODE or "node" })', FLOODER);
  await nv.lua('require("mcp").start("flooder", function() end)');
  await nv.waitFor('(require("mcp").servers()[1] or {}).status == "connected"', { timeoutMs: 20_000 });
  return nv;
}

/** One storm; the measurement runs in Neovim (vim.uv.hrtime), reported through `_G.flood`. */
async function storm(nv: NvimInstance, count: number): Promise<Record<string, number | boolean | string>> {
  await nv.lua(
    `
    local count = ...
    local uv, mcp = vim.uv, require('mcp')
    local now = function() return uv.hrtime() / 1e6 end
    -- A fresh list without after_storm is not possible (the server keeps it), so a storm ends when the
    -- call has returned and the next McpServerChanged settles: count events until both happened.
    _G.flood = nil
    local events, returned, call_err = 0, 0, nil
    local gap, last, t0 = 0, now(), now()
    local timer = assert(uv.new_timer())
    local function final()
      for _, t in ipairs(mcp.tools('flooder')) do
        if t.name == 'after_storm' then return true end
      end
      return false
    end
    local function finish()
      local t = now()
      if t - last > gap then gap = t - last end
      timer:stop()
      timer:close()
      _G.flood = { gap_ms = gap, ms = t - t0, events = events, reply_ms = returned, final = final(), err = call_err }
    end
    local au = vim.api.nvim_create_autocmd('User', {
      pattern = 'McpServerChanged',
      callback = function() events = events + 1 end,
    })
    timer:start(1, 1, function()
      local t = now()
      if t - last > gap then gap = t - last end
      last = t
    end)
    mcp.call_tool('flooder', 'storm', { count = count }, { timeout_ms = 120000 }, function(err)
      call_err = err and err.message or nil
      returned = now() - t0
      -- Done once the final list (with after_storm) is in and 500 ms pass without an event; given up
      -- 60 s after the reply.
      local quiet = assert(uv.new_timer())
      local seen = -1
      quiet:start(500, 500, vim.schedule_wrap(function()
        if (final() and events == seen) or now() - t0 - returned > 60000 then
          quiet:stop()
          quiet:close()
          pcall(vim.api.nvim_del_autocmd, au)
          finish()
        end
        seen = events
      end))
    end)
  `,
    count,
  );
  return nv.waitFor<Record<string, number | boolean | string>>('_G.flood', { timeoutMs: 900_000, intervalMs: 500 });
}

/** The longest gap of the same 1 ms timer over `ms` with nothing to do: the machine's own noise. */
async function idle(nv: NvimInstance, ms: number): Promise<number> {
  await nv.lua(
    `local ms = ...
     local uv = vim.uv
     _G.idle_gap = nil
     local gap, last = 0, uv.hrtime() / 1e6
     local timer = assert(uv.new_timer())
     local t0 = last
     timer:start(1, 1, function()
       local t = uv.hrtime() / 1e6
       if t - last > gap then gap = t - last end
       last = t
       if t - t0 >= ms then timer:stop() timer:close() _G.idle_gap = gap end
     end)`,
    ms,
  );
  return nv.waitFor<number>('_G.idle_gap', { timeoutMs: ms + 10_000 });
}

const nv = await start();
try {
  const rows: Record<string, number | boolean | string>[] = [];
  console.log(`baseline: longest gap of the same timer over 5 s with nothing to do: ${(await idle(nv, 5000)).toFixed(1)} ms`);
  const rss0 = rssMiB(nv.pid);
  for (let i = 0; i < REPS; i++) rows.push(await storm(nv, STORM));
  const rss1 = rssMiB(nv.pid);
  const tools = await nv.lua<string[]>('return vim.tbl_map(function(t) return t.name end, require("mcp").tools("flooder"))');
  console.log(`storm of ${STORM} tools/list_changed, ${REPS} runs (Neovim 0.12, one flooder server):`);
  for (const r of rows) {
    console.log(
      `  longest editor stall ${(r.gap_ms as number).toFixed(1)} ms; McpServerChanged ${r.events}; reply after ${Math.round(r.reply_ms as number)} ms; ` +
        `${r.final ? 'final list in' : 'final list NOT reached'}, quiet after ${Math.round(r.ms as number)} ms${r.err ? `; the call failed: ${String(r.err)}` : ''}`,
    );
  }
  console.log(`  Neovim RSS ${rss0} MiB before, ${rss1} MiB after; final tools: ${tools.sort().join(', ')}`);

  const logPath = await nv.lua<string>('return require("mcp.host").log_path()');
  const before = statSync(logPath).size;
  const ok = await nv.lua<boolean>(
    `_G.junk = nil
     require('mcp').call_tool('flooder', 'junk', { count = ... }, { timeout_ms = 120000 }, function(err) _G.junk = err == nil end)`,
    JUNK,
  );
  void ok;
  await nv.waitFor('_G.junk ~= nil', { timeoutMs: 120_000 });
  // One more round trip: the log's asynchronous writes have landed.
  await nv.lua(`_G.junk2 = nil; require('mcp').call_tool('flooder', 'env', {}, {}, function() _G.junk2 = true end)`);
  await nv.waitFor('_G.junk2');
  await new Promise((r) => setTimeout(r, 500));
  const after = statSync(logPath).size;
  const junkBytes = JUNK * 'this is not JSON-RPC, just junk on stdout\n'.length;
  console.log(`junk: ${JUNK} lines (${(junkBytes / 1e6).toFixed(2)} MB) on stdout; the log grew by ${after - before} bytes (now ${after} bytes)`);
} finally {
  await nv.quit();
}
