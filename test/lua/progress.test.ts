/**
 * Progress of tool calls as a user sees it (spec: basic/utilities/progress): every call carries a
 * progress token; on Neovim 0.12 its progress is a progress message (|Progress| autocommands and
 * `vim.ui.progress_status()` see it), on 0.10 one notification updated in place; on both,
 * `require("mcp").status()` for the statusline. A call that keeps reporting progress outlives its
 * per-request timeout, but not its maximum total time (`max_total_ms`). Against a real SDK server
 * (test/servers/chatty.mjs: `slow` reports `step i of n` every `every_ms`).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { api, waitStatus } from '../helpers/mcp.js';

const CHATTY = join(repoRoot, 'test', 'servers', 'chatty.mjs');

interface ProgressEvent {
  title: string;
  text: string;
  status: string;
  percent?: number;
  source: string;
}

describe.each(nvimBinaries())('tool call progress on Neovim $version', ({ bin, version }) => {
  let nv: NvimInstance;
  const modern = version !== '0.10';

  /** Starts `slow` on `server` with `call_tool` and no `on_progress`; the outcome lands in `_G.mcp_test_slow`. */
  const startSlow = (server: string, args: { steps: number; every_ms: number }, timeoutMs: number) =>
    nv.lua(
      `_G.mcp_test_slow = nil
       local server, args, timeout = ...
       require("mcp").call_tool(server, "slow", args, { timeout_ms = timeout }, function(err, res)
         _G.mcp_test_slow = { err = err or vim.NIL, res = res or vim.NIL }
       end)`,
      server,
      args,
      timeoutMs,
    );
  const slowOutcome = () =>
    nv.waitFor<{ err: { code: number; message: string } | null; res: { content: { text: string }[] } | null }>('_G.mcp_test_slow', {
      timeoutMs: 30_000,
      message: 'the slow call to end',
    });

  beforeAll(async () => {
    nv = await startNvim(bin);
    await nv.writeConfig({
      mcpServers: {
        chatty: { command: 'node', args: [CHATTY] },
        capped: { command: 'node', args: [CHATTY], max_total_ms: 2500 },
      },
    });
    // What the user is shown: notifications, and on 0.12 the progress messages (|Progress|).
    await nv.lua(`
      _G.mcp_test_notes = {}
      vim.notify = function(msg, level, opts)
        table.insert(_G.mcp_test_notes, { msg = msg, level = level or vim.log.levels.INFO, id = opts and opts.id })
      end
      _G.mcp_test_progress = {}
      if vim.fn.has('nvim-0.12') == 1 then
        vim.api.nvim_create_autocmd('Progress', { pattern = 'mcp', callback = function(ev)
          table.insert(_G.mcp_test_progress, { title = ev.data.title, text = type(ev.data.text) == 'string' and ev.data.text or table.concat(vim.tbl_map(function(c) return type(c) == 'table' and c[1] or tostring(c) end, ev.data.text or {}), ''), status = ev.data.status, percent = ev.data.percent, source = ev.data.source })
        end })
      end`);
    await nv.lua('require("mcp").start("chatty"); require("mcp").start("capped")');
    await waitStatus(nv, 'chatty');
    await waitStatus(nv, 'capped');
  });
  afterAll(async () => {
    await nv?.quit();
  });

  it('shows a call\'s progress while it runs (status(), and the progress message or one notification), then clears it', async () => {
    await nv.lua('_G.mcp_test_notes = {}; _G.mcp_test_progress = {}');
    await startSlow('chatty', { steps: 4, every_ms: 300 }, 10_000);
    // The statusline item says which call and how far, while it runs.
    const status = await nv.waitFor<string>(
      async () => {
        const s = await nv.lua<string>('return require("mcp").status()');
        return (/^mcp: chatty\/slow step \d of 4 \(\d+%\)$/.test(s) ? s : false) as string;
      },
      { message: 'status() to show the call' },
    );
    expect(status).toMatch(/chatty\/slow/);
    if (modern) {
      const running = await nv.waitFor<string>(async () => {
        const s = await nv.lua<string>('return vim.ui.progress_status()');
        return (s !== '' ? s : false) as string;
      }, { message: 'vim.ui.progress_status() to show it' });
      expect(running).not.toBe('');
    }
    const out = await slowOutcome();
    expect(out.err).toBeNull();
    expect(out.res!.content[0]!.text).toBe('done after 4 steps');
    await nv.waitFor(async () => (await nv.lua<string>('return require("mcp").status()')) === '', { message: 'status() to clear' });

    if (modern) {
      const events = await nv.lua<ProgressEvent[]>('return _G.mcp_test_progress');
      expect(events.length).toBeGreaterThanOrEqual(2);
      for (const e of events) expect([e.title, e.source]).toEqual(['chatty/slow', 'mcp']);
      const running = events.filter((e) => e.status === 'running');
      expect(running.map((e) => e.text)).toContain('step 1 of 4');
      expect(running.find((e) => e.text === 'step 2 of 4')?.percent).toBe(50);
      // The last says it is done.
      expect(events.at(-1)).toMatchObject({ status: 'success', percent: 100 });
      expect(await nv.lua('return vim.ui.progress_status()')).toBe('');
    } else {
      // One notification, updated in place: every update carries the same id.
      const notes = await nv.lua<{ msg: string; id?: string }[]>('return _G.mcp_test_notes');
      const progress = notes.filter((n) => n.msg.startsWith('mcp: chatty/slow'));
      expect(progress.map((n) => n.msg)).toContain('mcp: chatty/slow step 1 of 4 (25%)');
      expect(progress.at(-1)!.msg).toBe('mcp: chatty/slow done');
      expect(new Set(progress.map((n) => n.id))).toEqual(new Set(['mcp.progress.chatty/slow']));
    }
  });

  it("the Neovim side's guard allows the same maximum total time as the host", async () => {
    const total = (server: string, timeout?: number) =>
      nv.lua<number>('local s, t = ... return require("mcp.core.channel").total_ms({ server = s, timeout_ms = t })', server, timeout ?? null);
    expect(await total('capped', 2000)).toBe(2500);
    expect(await total('chatty', 2000)).toBe(await nv.lua('return require("mcp.core.contract").defaults.max_total_ms'));
    // Never below the call's own deadline (here the default `timeout_ms`, 60 s).
    expect(await total('capped', 4000)).toBe(4000);
    expect(await total('capped')).toBe(60_000);
  });

  it('a call that keeps reporting progress outlives its timeout_ms', async () => {
    // 8 steps, 400 ms apart: 3.2 s in all against a 2 s timeout; each step comes well within it.
    await startSlow('chatty', { steps: 8, every_ms: 400 }, 2000);
    const out = await slowOutcome();
    expect(out.err).toBeNull();
    expect(out.res!.content[0]!.text).toBe('done after 8 steps');
  });

  it('but not the max_total_ms of its server: the host ends it, naming max_total_ms', async () => {
    // 20 steps 400 ms apart (8 s) against `max_total_ms = 2500`: progress cannot keep it alive past 2.5 s.
    await startSlow('capped', { steps: 20, every_ms: 400 }, 2000);
    const out = await slowOutcome();
    expect(out.res).toBeNull();
    expect(out.err!.code).toBe(-32001);
    // The host's answer, not the Neovim side's guard giving up on the host.
    expect(out.err!.message).toMatch(/server "capped": tools\/call "slow": still running after 2500 ms in all \(max_total_ms\)/);
    await nv.waitFor(async () => (await nv.lua<string>('return require("mcp").status()')) === '', { message: 'status() to clear' });
    // The server can be called again.
    const again = await api<{ content: { text: string }[] }>(nv, 'function(cb) require("mcp").call_tool("capped", "slow", { steps = 1, every_ms = 10 }, {}, cb) end');
    expect(again.err).toBeNull();
  });
});
