/**
 * Cancellation and tasks as a user meets them (|:Mcp-cancel|, the hub's `x`, |:Mcp-tasks|, |mcp-tasks|),
 * against a real server-everything over stdio (2025-11-25): `trigger-long-running-operation` is the
 * request to cancel, `simulate-research-query` (its `execution.taskSupport` is `required`) the task, which
 * asks for a clarification through an elicitation when its topic is ambiguous.
 *
 * As in call.test.ts, the server is started through `tee`, which copies every message the host sends it
 * into a file: that is how these tests see a `notifications/cancelled`, a `tasks/get` or a `tasks/cancel`
 * reach the server. `vim.ui.select` is replaced by a recorder that picks as a person would from what it
 * shows (a picker plugin does the same; the built-in one reads a number with `inputlist()`).
 *
 * In 2026-07-28 tasks are an extension the MCP SDK does not serve (src/session/tasks.ts):
 * test/servers/modern-tasks.mjs answers a call with a task, and the user is told plainly why that fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { toField, waitForm } from '../helpers/form.js';
import { waitApproval } from '../helpers/approval.js';
import { api, EVERYTHING, MODERN, waitStatus } from '../helpers/mcp.js';
import { clearNotes, recordNotes, waitNote } from '../helpers/notes.js';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';

/** Our 2026-07-28 server that answers a tool call with a task (the tasks extension): no npm server does. */
const MODERN_TASKS = join(repoRoot, 'test', 'servers', 'modern-tasks.mjs');

interface Wire {
  id?: number | string;
  method?: string;
  params?: Record<string, unknown> & { name?: string; requestId?: number | string; reason?: string; taskId?: string; task?: unknown };
}

/** Every JSON-RPC message the host sent to server-everything so far. */
function wire(file: string): Wire[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Wire);
}

/**
 * Replaces vim.ui.select: each call is recorded (`_G.selects`: prompt and the lines shown), and answered
 * by `_G.choose(lines)`, which returns the 1-based index picked (nil: dismissed).
 */
const RECORD_SELECT = `
  _G.selects = {}
  vim.ui.select = function(items, opts, on_choice)
    local lines = {}
    for i, it in ipairs(items) do lines[i] = opts.format_item and opts.format_item(it) or tostring(it) end
    table.insert(_G.selects, { prompt = opts.prompt, lines = lines })
    local pick = _G.choose and _G.choose(lines) or nil
    vim.schedule(function() on_choice(pick and items[pick] or nil, pick) end)
  end`;

/** Makes the next vim.ui.select pick the first line matching the Lua pattern `pattern` (`_G.choose`). */
const choose = (nv: NvimInstance, ...patterns: string[]) =>
  nv.lua(
    `local patterns = { ... }
     _G.choose = function(lines)
       local pat = table.remove(patterns, 1)
       if not pat then return nil end
       for i, l in ipairs(lines) do if l:find(pat) then return i end end
     end`,
    ...patterns,
  );

/** Waits until the Lua chunk `chunk` (statements, ending in `return`) returns something truthy; returns it. */
const poll = <T>(nv: NvimInstance, chunk: string, opts: { message: string; timeoutMs?: number }) => nv.waitFor<T>(() => nv.lua<T>(chunk), opts);

/** The lines of simulate-research-query's results buffer, once it holds the research report. */
const researchReport = (nv: NvimInstance, opts: { message: string; timeoutMs?: number }) =>
  poll<string[]>(
    nv,
    `for _, b in ipairs(vim.api.nvim_list_bufs()) do
           if vim.api.nvim_buf_get_name(b) == "mcp://result/everything/simulate-research-query" then
             local l = vim.api.nvim_buf_get_lines(b, 0, -1, false)
             if table.concat(l, "\\n"):find("Research Report") then return l end
           end
         end`,
    opts,
  );

describe.each(nvimBinaries())('cancellation and tasks on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  let wireLog: string;

  beforeAll(async () => {
    nv = await startNvim(bin);
    wireLog = `${nv.dirs.root}/everything-wire.jsonl`;
    await nv.writeConfig({
      mcpServers: {
        everything: { command: 'sh', args: ['-c', 'tee -a "$0" | exec node "$1" stdio', wireLog, EVERYTHING] },
        modern: { command: 'node', args: [MODERN] },
        mtasks: { command: 'node', args: [MODERN_TASKS] },
      },
    });
    await recordNotes(nv);
    await nv.lua(RECORD_SELECT);
    await nv.lua('require("mcp").start("everything"); require("mcp").start("modern"); require("mcp").start("mtasks")');
    await waitStatus(nv, 'everything');
    await waitStatus(nv, 'modern');
    await waitStatus(nv, 'mtasks');
    // simulate-research-query is registered once the client's capabilities are known.
    await nv.waitFor(`vim.iter(require("mcp").tools("everything")):any(function(t) return t.name == "simulate-research-query" end)`, {
      message: 'simulate-research-query in the tool list',
    });
  });
  afterAll(async () => {
    await nv?.quit();
  });
  beforeEach(async () => {
    await clearNotes(nv);
    await nv.lua('_G.selects = {}; _G.choose = nil');
  });

  /** Starts a call from Lua; `_G.calls[key]` gets `{ err, result }` when it ends. */
  async function startCall(key: string, tool: string, args: string, opts = '{}'): Promise<void> {
    await nv.lua(
      `_G.calls = _G.calls or {}
       _G.calls[...] = nil
       local key = ...
       _G.handles = _G.handles or {}
       _G.handles[key] = require("mcp").call_tool("everything", "${tool}", ${args}, ${opts}, function(err, result)
         _G.calls[key] = { err = err or vim.NIL, result = result or vim.NIL }
       end)`,
      key,
    );
  }
  const ended = (key: string) =>
    poll<{ err: { code: number; message: string } | null; result: { content: { text?: string }[] } | null }>(
      nv,
      `local c = _G.calls and _G.calls["${key}"] if not c then return nil end
       return { err = c.err ~= vim.NIL and c.err or vim.NIL, result = c.result ~= vim.NIL and c.result or vim.NIL }`,
      { message: `call ${key} to end`, timeoutMs: 30_000 },
    );
  /** The Lua request id of call `key`. */
  const idOf = (key: string) => nv.lua<number>('return _G.handles[...].id', key);
  /** Waits until the host lists call `key` in flight (as `:Mcp cancel` would show it). */
  const inFlight = (key: string) =>
    poll(
      nv,
      `local id = _G.handles["${key}"].id
       local out
       require("mcp.requests").list(function(_, list) _G.inflight_list = list end)
       for _, r in ipairs(_G.inflight_list or {}) do if r.id == id then out = r end end
       return out`,
      { message: `call ${key} in flight` },
    );

  describe(':Mcp cancel', () => {
    it('says so when nothing is in flight', async () => {
      await nv.lua('vim.cmd("Mcp cancel")');
      await waitNote(nv, /^mcp: no request in flight$/, 'the note');
      expect(await nv.lua('return #_G.selects')).toBe(0);
    });

    it('lists a running call (server, method, tool, age) and cancels the one picked: the server gets notifications/cancelled', async () => {
      await startCall('long', 'trigger-long-running-operation', '{ duration = 30, steps = 30 }');
      await inFlight('long');
      await choose(nv, 'trigger%-long%-running%-operation');
      await nv.lua('vim.cmd("Mcp cancel")');
      const out = await ended('long');
      expect(out.err!.code).toBe(-32800);
      expect(out.err!.message).toContain('cancelled by the user');
      const [shown] = await nv.lua<{ prompt: string; lines: string[] }[]>('return _G.selects');
      expect(shown!.prompt).toBe('Cancel which request?');
      expect(shown!.lines).toHaveLength(1);
      expect(shown!.lines[0]).toMatch(/^everything {2}tools\/call trigger-long-running-operation {2}\d+ (ms|s)$/);
      const sent = wire(wireLog).find((m) => m.method === 'tools/call' && m.params?.name === 'trigger-long-running-operation');
      const cancelled = await nv.waitFor(() => wire(wireLog).find((m) => m.method === 'notifications/cancelled' && m.params?.requestId === sent!.id), {
        message: 'notifications/cancelled on the wire',
      });
      expect(cancelled!.params!.reason).toContain('cancelled by the user');
      await waitNote(nv, /^mcp: cancelled: everything {2}tools\/call trigger-long-running-operation/, 'the note');
    });

    it('completes server names', async () => {
      expect(await nv.lua<string[]>('return require("mcp.commands").complete("", "Mcp cancel ", 11)')).toEqual(['everything', 'modern', 'mtasks']);
    });

    it('a timeout cancels the call with notifications/cancelled, whose reason says it timed out', async () => {
      await startCall('timeout', 'trigger-long-running-operation', '{ duration = 10, steps = 2 }', '{ timeout_ms = 300 }');
      const out = await ended('timeout');
      expect(out.err!.code).toBe(-32001);
      const id = await idOf('timeout');
      expect(id).toBeGreaterThan(0);
      const calls = wire(wireLog).filter((m) => m.method === 'tools/call' && m.params?.name === 'trigger-long-running-operation');
      const cancelled = await nv.waitFor(() => wire(wireLog).find((m) => m.method === 'notifications/cancelled' && m.params?.requestId === calls.at(-1)!.id), {
        message: 'notifications/cancelled for the timed-out call',
      });
      expect(cancelled!.params!.reason).toMatch(/timed out/i);
    });

    it("withdraws the approval a model's call waits on, and says so in the list", async () => {
      await startCall('approve', 'echo', '{ message = "hi" }', '{ approval = true }');
      await waitApproval(nv);
      const r = await inFlight('approve');
      expect(r).toMatchObject({ server: 'everything', method: 'tools/call', name: 'echo', waiting: 'approval' });
      await choose(nv, 'echo');
      await nv.lua('vim.cmd("Mcp cancel everything")');
      const out = await ended('approve');
      expect(out.err!.code).toBe(-32800);
      const [shown] = await nv.lua<{ lines: string[] }[]>('return _G.selects');
      expect(shown!.lines[0]).toContain('[waiting for your approval]');
      await nv.waitFor('vim.b.mcp_kind ~= "approval"', { message: 'the approval window to close' });
      await waitNote(nv, /withdrawn \(the tool call ended \(cancelled: cancelled by the user\)\)$/, 'the note saying why');
      expect(await nv.lua('return #require("mcp.asks").pending()')).toBe(0);
      // The person never allowed it: nothing reached the server.
      expect(wire(wireLog).some((m) => m.method === 'tools/call' && m.params?.name === 'echo')).toBe(false);
    });
  });

  describe('the hub', () => {
    it('shows requests in flight, and x on one cancels it', async () => {
      await nv.lua('vim.cmd("Mcp hub")');
      await startCall('hub', 'trigger-long-running-operation', '{ duration = 30, steps = 30 }');
      const line = await poll<number>(
        nv,
        `for i, l in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
           if l:find("^  everything  tools/call trigger%-long%-running%-operation") then return i end
         end`,
        { message: 'the request in the hub' },
      );
      expect(await nv.lua('return vim.api.nvim_buf_get_lines(0, 0, -1, false)[...]', line - 1)).toMatch(/^In flight: 1 {2}\(x: cancel\)$/);
      await nv.lua('vim.api.nvim_win_set_cursor(0, { ..., 0 })', line);
      await nv.nvim.input('x');
      const out = await ended('hub');
      expect(out.err!.code).toBe(-32800);
      const sent = wire(wireLog).filter((m) => m.method === 'tools/call' && m.params?.name === 'trigger-long-running-operation').at(-1)!;
      await nv.waitFor(() => wire(wireLog).some((m) => m.method === 'notifications/cancelled' && m.params?.requestId === sent.id), {
        message: 'notifications/cancelled on the wire',
      });
      // The section goes once nothing is in flight.
      await nv.waitFor('not vim.iter(vim.api.nvim_buf_get_lines(0, 0, -1, false)):any(function(l) return l:find("^In flight") ~= nil end)', {
        message: 'the In flight section to go',
      });
      await nv.lua('require("mcp.ui.hub").close()');
    });
  });

  describe('tasks', () => {
    it(':Mcp call runs a tool whose taskSupport is required as a task: polled, its status shown as progress, its result in the results buffer', async () => {
      await nv.lua('vim.cmd("Mcp call everything simulate-research-query {\\"topic\\":\\"tides\\"}")');
      const lines = await researchReport(nv, { message: 'the research report', timeoutMs: 30_000 });
      expect(lines.join('\n')).toContain('# Research Report: tides');
      const call = wire(wireLog).find((m) => m.method === 'tools/call' && m.params?.name === 'simulate-research-query')!;
      expect(call.params!.task).toEqual({});
      const gets = wire(wireLog).filter((m) => m.method === 'tasks/get');
      expect(gets.length).toBeGreaterThan(0);
      const taskId = gets[0]!.params!.taskId;
      expect(wire(wireLog).some((m) => m.method === 'tasks/result' && m.params?.taskId === taskId)).toBe(true);
    });

    it("reports the task's status through on_progress and asks for a clarification with the form", async () => {
      await startCall(
        'ambiguous',
        'simulate-research-query',
        '{ topic = "python", ambiguous = true }',
        '{ on_progress = function(p) _G.task_progress = _G.task_progress or {}; table.insert(_G.task_progress, p.message) end }',
      );
      const form = await waitForm(nv);
      expect(form[0]).toBe('# everything asks');
      expect(form.join('\n')).toContain('could have multiple interpretations');
      await toField(nv, 'interpretation');
      await nv.nvim.input('asnake<Esc>');
      await nv.nvim.input('<C-s>');
      const out = await ended('ambiguous');
      expect(out.err).toBeNull();
      const text = out.result!.content.map((c) => c.text ?? '').join('\n');
      expect(text).toContain('**Clarification**: snake');
      const messages = await nv.lua<string[]>('return _G.task_progress');
      expect(messages).toContain('working: Gathering sources...');
      expect(messages.some((m) => m.startsWith('input_required: '))).toBe(true);
    });

    it(':Mcp tasks lists the tasks with status and age, and shows the result of the one picked', async () => {
      // The buffer of the first test's result goes, so that the one shown now is the picked task's.
      await nv.lua('vim.cmd("silent! bwipeout! mcp://result/everything/simulate-research-query")');
      await choose(nv, 'completed', 'result');
      await nv.lua('vim.cmd("Mcp tasks")');
      const lines = await researchReport(nv, { message: 'the result of the picked task' });
      // The oldest task first: the first test's.
      expect(lines.join('\n')).toContain('# Research Report: tides');
      const [tasks, actions] = await nv.lua<{ prompt: string; lines: string[] }[]>('return _G.selects');
      expect(tasks!.prompt).toBe('Tasks');
      expect(tasks!.lines.length).toBeGreaterThanOrEqual(2);
      for (const l of tasks!.lines) expect(l).toMatch(/^everything {2}simulate-research-query {2}completed {2}\d+ (s|ms|min \d+ s) {2}.*\([0-9a-f]+\)$/);
      // An ended task offers its result only.
      expect(actions!.lines).toEqual(['show the result']);
    });

    it(':Mcp tasks cancels a running task: tasks/cancel, and the call behind it ends with Cancelled', async () => {
      await startCall('tocancel', 'simulate-research-query', '{ topic = "glaciers" }');
      await poll(
        nv,
        `local id = _G.handles.tocancel.id
         require("mcp.requests").list(function(_, list) _G.inflight_list = list end)
         for _, r in ipairs(_G.inflight_list or {}) do if r.id == id and r.task then return true end end`,
        { message: 'the task running' },
      );
      await choose(nv, 'working', 'cancel');
      await nv.lua('vim.cmd("Mcp tasks everything")');
      const out = await ended('tocancel');
      expect(out.err!.code).toBe(-32800);
      expect(out.err!.message).toMatch(/the server cancelled task [0-9a-f]+/);
      const cancel = wire(wireLog).filter((m) => m.method === 'tasks/cancel');
      expect(cancel).toHaveLength(1);
      await waitNote(nv, /^mcp: everything task [0-9a-f]+: cancelled$/, 'the note');
      const [, actions] = await nv.lua<{ lines: string[] }[]>('return _G.selects');
      expect(actions!.lines).toEqual(['show the result (when it ends)', 'cancel the task']);
    });

    it(':Mcp cancel on a call running as a task cancels the task (tasks/cancel)', async () => {
      const before = wire(wireLog).filter((m) => m.method === 'tasks/cancel').length;
      await startCall('taskcall', 'simulate-research-query', '{ topic = "volcanoes" }');
      await poll(
        nv,
        `local id = _G.handles.taskcall.id
         require("mcp.requests").list(function(_, list) _G.inflight_list = list end)
         for _, r in ipairs(_G.inflight_list or {}) do if r.id == id and r.task then return true end end`,
        { message: 'the task running' },
      );
      await choose(nv, 'simulate');
      await nv.lua('vim.cmd("Mcp cancel")');
      const out = await ended('taskcall');
      expect(out.err!.code).toBe(-32800);
      const [shown] = await nv.lua<{ lines: string[] }[]>('return _G.selects');
      expect(shown!.lines[0]).toMatch(/\[task (working|input_required)/);
      await nv.waitFor(() => wire(wireLog).filter((m) => m.method === 'tasks/cancel').length > before, { message: 'tasks/cancel on the wire' });
    });

    it('refuses task = true for a tool that does not run as a task, and on a 2026-07-28 server', async () => {
      const forbidden = await api(nv, 'function(cb) require("mcp").call_tool("everything", "echo", { message = "x" }, { task = true }, cb) end');
      expect(forbidden.err!.code).toBe(-32602);
      expect(forbidden.err!.message).toContain('the tool does not run as a task (execution.taskSupport: forbidden)');
      const modern = await api(nv, 'function(cb) require("mcp").call_tool("modern", "echo", { message = "x" }, { task = true }, cb) end');
      expect(modern.err!.code).toBe(-32602);
      expect(modern.err!.message).toContain('does not run as a task');
    });

    it('a 2026-07-28 server that answers with a task: the user is told the SDK cannot take it', async () => {
      // The SDK's 2026-07-28 codec drops `execution` from the tool list: nothing says the tool needs a task.
      const tool = await nv.lua<Record<string, unknown>>('return require("mcp").tools("mtasks")[1]');
      expect(tool.name).toBe('research');
      expect(tool.execution).toBeUndefined();
      await nv.lua('vim.cmd("Mcp call mtasks research {}")');
      const note = await waitNote(nv, /research/, 'the error');
      expect(note.msg).toBe(
        'mcp: call mtasks/research: server "mtasks": tools/call "research": the server answered with a task (the 2026-07-28 tasks extension), which this client\'s MCP SDK cannot take yet',
      );
      const asked = await api(nv, 'function(cb) require("mcp").call_tool("mtasks", "research", {}, { task = true }, cb) end');
      expect(asked.err!.message).toContain('the tool does not run as a task (execution.taskSupport: not set)');
    });
  });
});
