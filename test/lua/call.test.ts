/**
 * Tool calls as a user makes them (`:Mcp call`, its completion) and as a plugin makes them
 * (`require("mcp").call_tool` with a timeout, cancellation and progress), against a real server-everything
 * over stdio.
 *
 * server-everything is started through `sh -c 'tee -a WIRE | node server-everything stdio'`: `tee` copies
 * every message the host sends to the server into a file, unchanged. That is how these tests see what
 * reached the server (a `tools/call`, a `notifications/cancelled`) or that nothing did.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { api, callTool, EVERYTHING, waitStatus } from '../helpers/mcp.js';
import { clearNotes, notes as notesOf, recordNotes, waitNote as waitNoteOf, WARN } from '../helpers/notes.js';

interface Wire {
  jsonrpc: string;
  id?: number | string;
  method?: string;
  params?: Record<string, unknown> & { name?: string; arguments?: Record<string, unknown>; requestId?: number | string; _meta?: Record<string, unknown> };
}

const ERROR = 4; // vim.log.levels.ERROR

/** Every JSON-RPC message the host sent to server-everything so far. */
function wire(file: string): Wire[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Wire);
}

/** The `tools/call` requests sent for `tool`. */
function toolCalls(file: string, tool: string): Wire[] {
  return wire(file).filter((m) => m.method === 'tools/call' && m.params?.name === tool);
}

/** Lines of the buffer named `name`, or null if there is none. */
function bufferNamed(nv: NvimInstance, name: string): Promise<string[] | null> {
  return nv.lua<string[] | null>(
    `for _, b in ipairs(vim.api.nvim_list_bufs()) do
       if vim.api.nvim_buf_is_valid(b) and vim.api.nvim_buf_get_name(b) == ... then return vim.api.nvim_buf_get_lines(b, 0, -1, false) end
     end
     return nil`,
    name,
  );
}

/** Waits for the result buffer of `tool` to satisfy `ok`; returns its lines. */
function waitResult(nv: NvimInstance, tool: string, ok: (lines: string[]) => boolean, message: string): Promise<string[]> {
  const name = `mcp://result/everything/${tool}`;
  return nv.waitFor<string[]>(
    async () => {
      const lines = await bufferNamed(nv, name);
      return (lines && ok(lines) ? lines : false) as string[];
    },
    { message: `${name}: ${message}` },
  );
}

/**
 * Runs an Ex command as typed on the command line. An error it reports at once (with vim.notify at level
 * ERROR, inside the command) would make `nvim_command` reject; here it is only shown, as to a user.
 */
async function ex(nv: NvimInstance, cmd: string): Promise<void> {
  await nv.lua('pcall(vim.cmd, ...)', cmd);
}

describe.each(nvimBinaries())('tool calls on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  let wireLog: string;

  /** Notifications the user was shown since the last `beforeEach`. */
  const notes = () => notesOf(nv);
  const waitNote = (re: RegExp, message: string) => waitNoteOf(nv, re, message);

  beforeAll(async () => {
    nv = await startNvim(bin);
    wireLog = `${nv.dirs.root}/everything-wire.jsonl`;
    await nv.writeConfig({
      mcpServers: {
        everything: { command: 'sh', args: ['-c', 'tee -a "$0" | exec node "$1" stdio', wireLog, EVERYTHING] },
      },
    });
    // What the user sees: vim.notify, recorded (and still shown).
    await recordNotes(nv);
    await nv.lua('require("mcp").start("everything")');
    await waitStatus(nv, 'everything');
  });
  afterAll(async () => {
    await nv?.quit();
  });
  beforeEach(async () => {
    if (nv) await clearNotes(nv);
  });

  describe(':Mcp call', () => {
    it('echo {"message":"hi"} shows "Echo: hi" in the result buffer', async () => {
      await ex(nv, 'Mcp call everything echo {"message":"hi"}');
      const lines = await waitResult(nv, 'echo', (l) => l.includes('Echo: hi'), 'Echo: hi');
      expect(lines[0]).toBe('Result of everything/echo');
      // Shown in the current window, of its own filetype.
      expect(await nv.lua('return vim.api.nvim_buf_get_name(0)')).toBe('mcp://result/everything/echo');
      expect(await nv.lua('return vim.bo.filetype')).toBe('mcp_result');
      // What reached the server is what the user typed.
      expect(toolCalls(wireLog, 'echo').at(-1)!.params!.arguments).toEqual({ message: 'hi' });
      expect((await notes()).filter((n) => n.level >= WARN)).toEqual([]);
    });

    it('takes the rest of the line as JSON, spaces included', async () => {
      await ex(nv, 'Mcp call everything echo { "message" : "two words" }');
      await waitResult(nv, 'echo', (l) => l.includes('Echo: two words'), 'Echo: two words');
    });

    it('get-sum {"a":2,"b":3} shows the sum', async () => {
      await ex(nv, 'Mcp call everything get-sum {"a":2,"b":3}');
      const lines = await waitResult(nv, 'get-sum', (l) => l.length > 1, 'a result');
      expect(lines[0]).toBe('Result of everything/get-sum');
      expect(lines.join('\n')).toMatch(/\bis 5\b/);
    });

    it('get-structured-content shows structuredContent as indented JSON, once', async () => {
      const direct = await callTool(nv, 'everything', 'get-structured-content', { location: 'Chicago' });
      expect(direct.err).toBeNull();
      const structured = direct.result!.structuredContent as Record<string, unknown>;
      expect(Object.keys(structured).length).toBeGreaterThan(0);

      await ex(nv, 'Mcp call everything get-structured-content {"location":"Chicago"}');
      const lines = await waitResult(nv, 'get-structured-content', (l) => l.includes('Structured content:'), 'Structured content:');
      expect(lines[0]).toBe('Result of everything/get-structured-content');
      const json = lines.slice(lines.indexOf('Structured content:') + 1);
      expect(JSON.parse(json.join('\n'))).toEqual(structured);
      // Pretty-printed: one line per field, indented.
      expect(json.length).toBe(Object.keys(structured).length + 2);
      for (const l of json.slice(1, -1)) expect(l).toMatch(/^\s+"/);
      // The text block that only repeats it as compact JSON is not shown a second time.
      const repeat = direct.result!.content.find((c) => c.type === 'text')!.text!;
      expect(JSON.parse(repeat)).toEqual(structured);
      expect(lines.filter((l) => l.includes('"temperature"'))).toHaveLength(1);
      expect(lines).not.toContain(repeat);
    });

    it('get-tiny-image writes the image to a file whose path is shown', async () => {
      const direct = await callTool(nv, 'everything', 'get-tiny-image', {});
      const image = direct.result!.content.find((c) => c.type === 'image') as unknown as { data: string; mimeType: string };
      expect(image.mimeType).toBe('image/png');

      await ex(nv, 'Mcp call everything get-tiny-image');
      const lines = await waitResult(nv, 'get-tiny-image', (l) => l.some((x) => x.startsWith('[image ')), 'an image line');
      const line = lines.find((x) => x.startsWith('[image '))!;
      const m = /^\[image image\/png, (\d+) bytes\] (\/\S+\.png)$/.exec(line);
      expect(m, line).not.toBeNull();
      const path = m![2]!;
      expect(path.startsWith(`${nv.dirs.cache}/mcp/`)).toBe(true);
      expect(existsSync(path)).toBe(true);
      const bytes = readFileSync(path);
      expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(statSync(path).size).toBe(Number(m![1]));
      expect(bytes.equals(Buffer.from(image.data, 'base64'))).toBe(true);
      // The text around the image is shown too.
      expect(lines.some((x) => x.includes('MCP logo'))).toBe(true);
    });

    it('rejects arguments that fail the inputSchema, naming the argument, and sends nothing', async () => {
      const before = toolCalls(wireLog, 'get-sum').length;
      const resultBefore = await bufferNamed(nv, 'mcp://result/everything/get-sum');

      await ex(nv, 'Mcp call everything get-sum {"a":2,"b":"x"}');
      const bad = await waitNote(/get-sum/, 'get-sum with b="x"');
      expect(bad.level).toBe(ERROR);
      expect(bad.msg).toMatch(/"b"/);
      expect(bad.msg).toMatch(/number/);
      expect(bad.msg).not.toMatch(/"a"/);

      await clearNotes(nv);
      await ex(nv, 'Mcp call everything echo {}');
      const missing = await waitNote(/echo/, 'echo without message');
      expect(missing.level).toBe(ERROR);
      expect(missing.msg).toMatch(/"message"/);
      expect(missing.msg).toMatch(/required/);

      // A later call goes through: had the bad ones been sent, they would be on the wire before it.
      await ex(nv, 'Mcp call everything echo {"message":"after the bad ones"}');
      await waitResult(nv, 'echo', (l) => l.includes('Echo: after the bad ones'), 'the later call');
      expect(toolCalls(wireLog, 'get-sum').length).toBe(before);
      expect(toolCalls(wireLog, 'echo').filter((m) => !('message' in (m.params!.arguments ?? {})))).toEqual([]);
      // And the last get-sum result was left as it was.
      expect(await bufferNamed(nv, 'mcp://result/everything/get-sum')).toEqual(resultBefore);
    });

    it('reports invalid JSON, naming the problem, and sends nothing', async () => {
      const before = toolCalls(wireLog, 'echo').length;
      await ex(nv, 'Mcp call everything echo {"message": hi}');
      const note = await waitNote(/JSON/, 'bad JSON');
      expect(note.level).toBe(ERROR);
      expect(note.msg).toContain('everything/echo');
      expect(note.msg).toContain('not valid JSON');
      expect(note.msg).toContain('{"message": hi}');

      await clearNotes(nv);
      await ex(nv, 'Mcp call everything echo ["hi"]');
      const arr = await waitNote(/echo/, 'an array');
      expect(arr.level).toBe(ERROR);
      expect(arr.msg).toMatch(/JSON object/);
      expect(toolCalls(wireLog, 'echo').length).toBe(before);
    });

    it('reports an unknown tool, naming the server and the tool', async () => {
      await ex(nv, 'Mcp call everything no-such-tool {}');
      const note = await waitNote(/no-such-tool/, 'unknown tool');
      expect(note.level).toBe(ERROR);
      // Past the "call everything/no-such-tool:" that names the call, the reason names both again.
      const reason = note.msg.replace(/^.*?call everything\/no-such-tool: /, '');
      expect(reason).toContain('everything');
      expect(reason).toContain('no-such-tool');
      expect(reason).toMatch(/no tool|unknown tool|not found/i);
      expect(toolCalls(wireLog, 'no-such-tool')).toEqual([]);
    });

    it('reports an unknown server, naming it', async () => {
      await ex(nv, 'Mcp call nowhere echo {"message":"hi"}');
      const note = await waitNote(/nowhere/, 'unknown server');
      expect(note.level).toBe(ERROR);
      const reason = note.msg.replace(/^.*?call nowhere\/echo: /, '');
      expect(reason).toMatch(/(no|unknown) server.*nowhere/i);
    });

    it('shows an isError result as an error', async () => {
      // get-resource-reference accepts any number (its schema says so) but throws for ids below 1; the SDK's
      // McpServer turns that into a result with isError: true.
      const direct = await callTool(nv, 'everything', 'get-resource-reference', { resourceId: 0 });
      expect(direct.err).toBeNull();
      expect(direct.result!.isError).toBe(true);
      const reason = direct.result!.content[0]!.text!;
      expect(reason).toMatch(/resourceId/);

      await clearNotes(nv);
      await ex(nv, 'Mcp call everything get-resource-reference {"resourceId":0}');
      const lines = await waitResult(nv, 'get-resource-reference', (l) => l.length > 1, 'a result');
      expect(lines[0]).toBe('Error from everything/get-resource-reference');
      expect(lines).toContain(reason);
      // Highlighted as an error.
      const groups = await nv.lua<string[]>(`
        local out = {}
        for _, m in ipairs(vim.api.nvim_buf_get_extmarks(0, -1, { 0, 0 }, { 0, -1 }, { details = true })) do
          out[#out + 1] = m[4].hl_group
        end
        return out`);
      expect(groups).toContain('McpHeaderError');
      const note = await waitNote(/get-resource-reference/, 'the error reported');
      expect(note.level).toBe(WARN);
      expect(note.msg).toContain(reason);
    });
  });

  describe('call_tool from Lua', () => {
    it('fails with RequestTimeout (-32001) when timeout_ms expires, and tells the server', async () => {
      const before = toolCalls(wireLog, 'trigger-long-running-operation').length;
      const out = await api(
        nv,
        `function(cb) require("mcp").call_tool("everything", "trigger-long-running-operation", { duration = 5, steps = 5 }, { timeout_ms = 300 }, cb) end`,
      );
      expect(out.result).toBeNull();
      expect(out.err!.code).toBe(-32001);
      // The host's own deadline answered (naming the call), not the Lua-side guard ("no reply from the host").
      expect(out.err!.message).toMatch(/trigger-long-running-operation.*timed out after 300 ms/);
      const sent = toolCalls(wireLog, 'trigger-long-running-operation').slice(before);
      expect(sent).toHaveLength(1);
      await nv.waitFor(() => wire(wireLog).some((m) => m.method === 'notifications/cancelled' && m.params!.requestId === sent[0]!.id), {
        message: 'notifications/cancelled for the timed-out call',
      });
    });

    it('refuses a timeout_ms of 0 or below with InvalidParams (-32602) naming the option, and calls nothing', async () => {
      const before = toolCalls(wireLog, 'echo').length;
      for (const ms of ['0', '-1', '0/0']) {
        const out = await api(nv, `function(cb) require("mcp").call_tool("everything", "echo", { message = "x" }, { timeout_ms = ${ms} }, cb) end`);
        expect(out.result).toBeNull();
        expect(out.err!.code).toBe(-32602);
        expect(out.err!.message).toContain('call everything/echo: option timeout_ms');
      }
      // A call after them goes through: the refused ones never reached the server.
      const ok = await api<{ content: { text: string }[] }>(nv, 'function(cb) require("mcp").call_tool("everything", "echo", { message = "after" }, cb) end');
      expect(ok.result!.content[0]!.text).toContain('after');
      // (tee may write its copy just after the server got it: wait for it.)
      await nv.waitFor(() => toolCalls(wireLog, 'echo').length > before, { message: 'tools/call echo on the wire' });
      expect(toolCalls(wireLog, 'echo').slice(before).map((m) => m.params!.arguments)).toEqual([{ message: 'after' }]);
    });

    it('handle:cancel() ends the call with -32800 and sends notifications/cancelled to the server', async () => {
      const before = toolCalls(wireLog, 'trigger-long-running-operation').length;
      await nv.lua(`
        _G.mcp_test_cancel = nil
        _G.mcp_test_handle = require("mcp").call_tool("everything", "trigger-long-running-operation", { duration = 10, steps = 10 }, {},
          function(err, result) _G.mcp_test_cancel = { err = err or vim.NIL, result = result or vim.NIL } end)`);
      // The server has the request.
      const sent = await nv.waitFor<Wire>(() => toolCalls(wireLog, 'trigger-long-running-operation')[before] as Wire, { message: 'tools/call on the wire' });
      expect(await nv.lua('return _G.mcp_test_handle:running()')).toBe(true);
      await nv.lua('_G.mcp_test_handle:cancel("changed my mind")');
      const out = await nv.waitFor<{ err: { code: number; message: string }; result: unknown }>('_G.mcp_test_cancel', { message: 'cancel callback' });
      expect(out.err.code).toBe(-32800);
      expect(out.result).toBeNull();
      expect(await nv.lua('return _G.mcp_test_handle:running()')).toBe(false);
      const cancelled = await nv.waitFor<Wire>(
        () => wire(wireLog).find((m) => m.method === 'notifications/cancelled' && m.params!.requestId === sent.id) as Wire,
        { message: 'notifications/cancelled on the wire' },
      );
      expect(cancelled.params!.reason).toContain('changed my mind');
      // Cancelling again is a no-op once the call has finished.
      await nv.lua('_G.mcp_test_handle:cancel()');
      expect((await nv.lua<{ err: { code: number } }>('return _G.mcp_test_cancel')).err.code).toBe(-32800);
    });

    it('on_progress receives the progress of the long-running tool, in order, then the result arrives', async () => {
      const out = await api<{ content: { text: string }[] }>(
        nv,
        `function(cb)
           _G.mcp_test_progress = {}
           require("mcp").call_tool("everything", "trigger-long-running-operation", { duration = 1, steps = 4 }, {
             on_progress = function(p) table.insert(_G.mcp_test_progress, p) end,
           }, cb)
         end`,
      );
      expect(out.err).toBeNull();
      expect(out.result!.content[0]!.text).toMatch(/completed.*Steps: 4/);
      const progress = await nv.lua<{ progress: number; total?: number }[]>('return _G.mcp_test_progress');
      // Steps 1-3 at least (the last one is the subject of the next test), each with the total.
      expect(progress.slice(0, 3).map((p) => [p.progress, p.total])).toEqual([
        [1, 4],
        [2, 4],
        [3, 4],
      ]);
      // A progress token went with the request (spec: basic/utilities/progress).
      expect(toolCalls(wireLog, 'trigger-long-running-operation').at(-1)!.params!._meta?.progressToken).toBeDefined();
    });

    it('on_progress receives the final progress (n of n), sent just before the result', async () => {
      // server-everything sends its last progress (n/n) and then the result, back to back. The SDK client (v1)
      // dispatches notifications a microtask late but responses at once, so when both arrive in one read the
      // response retires the progress handler first and n/n is dropped ("Received a progress notification for
      // an unknown token", modelcontextprotocol/typescript-sdk#2580): a progress display never reaches 100 %.
      // Whether both land in one read is a race (about one call in two here), so six calls run at once and
      // every one must see its n/n.
      const calls = 6;
      await nv.lua(
        `_G.mcp_test_final = {}
         for i = 1, ... do
           local got = { progress = {} }
           _G.mcp_test_final[i] = got
           require("mcp").call_tool("everything", "trigger-long-running-operation", { duration = 0.5, steps = 2 }, {
             on_progress = function(p) table.insert(got.progress, { p.progress, p.total }) end,
           }, function(err) got.done, got.err = true, err or vim.NIL end)
         end`,
        calls,
      );
      const outcomes = await nv.waitFor<{ done: boolean; err: unknown; progress: number[][] }[]>(
        `for _, c in ipairs(_G.mcp_test_final) do if not c.done then return nil end end
         return _G.mcp_test_final`,
        { message: 'every call to finish' },
      );
      expect(outcomes).toHaveLength(calls);
      for (const o of outcomes) expect(o.err).toBeNull();
      expect(outcomes.map((o) => o.progress)).toEqual(Array.from({ length: calls }, () => [
        [1, 2],
        [2, 2],
      ]));
    });
  });

  describe('command-line completion', () => {
    const complete = (line: string) => nv.lua<string[]>('return vim.fn.getcompletion(..., "cmdline")', line);

    it(':Mcp <Tab> lists the subcommands', async () => {
      const all = await complete('Mcp ');
      // Those of issue 2 at least (later features add more), each once, sorted.
      expect(all).toEqual(expect.arrayContaining(['call', 'hub', 'log', 'reload', 'restart', 'start', 'stop', 'tools']));
      expect(all).toEqual([...new Set(all)].sort());
      expect(await complete('Mcp re')).toEqual(all.filter((c) => c.startsWith('re')));
      expect(await complete('Mcp re')).toEqual(expect.arrayContaining(['reload', 'restart']));
    });

    it(':Mcp start <Tab> lists the servers', async () => {
      expect(await complete('Mcp start ')).toEqual(['everything']);
      expect(await complete('Mcp call ')).toEqual(['everything']);
      expect(await complete('Mcp start nope')).toEqual([]);
    });

    it(':Mcp call everything <Tab> lists the tool names of that server', async () => {
      const names = (await nv.lua<{ name: string }[]>('return require("mcp").tools("everything")')).map((t) => t.name);
      expect(names.length).toBeGreaterThan(0);
      expect(await complete('Mcp call everything ')).toEqual(names);
      expect(await complete('Mcp call everything get-s')).toEqual(names.filter((n) => n.startsWith('get-s')));
      expect(await complete('Mcp call everything get-s')).toContain('get-sum');
      expect(await complete('Mcp call nowhere ')).toEqual([]);
    });

    it(':Mcp call everything echo <Tab> offers a skeleton of the required arguments', async () => {
      const [skeleton] = await complete('Mcp call everything echo ');
      expect(JSON.parse(skeleton!)).toEqual({ message: '' });
    });
  });
});
