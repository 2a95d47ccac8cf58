/**
 * Server logging as a user meets it (spec: server/utilities/logging): `:Mcp log {server}` shows one
 * server's `notifications/message` and follows new ones; the level from the config and from
 * `:Mcp loglevel` reaches the server, which then sends fewer or more messages. Against a real SDK server
 * (test/servers/chatty.mjs, which logs one message per level on demand) and server-everything (whose
 * logging is random and slow, so it serves only the capability check here).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { api, callTool, waitStatus } from '../helpers/mcp.js';

const CHATTY = join(repoRoot, 'test', 'servers', 'chatty.mjs');
const MODERN_CHATTY = join(repoRoot, 'test', 'servers', 'modern-chatty.mjs');
const LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

interface Note {
  msg: string;
  level: number;
}

describe.each(nvimBinaries())('server logging on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;

  const notes = () => nv.lua<Note[]>('return _G.mcp_test_notes');
  const ex = (cmd: string) => nv.lua('pcall(vim.cmd, ...)', cmd);
  /** Lines of the log buffer of `server`, or null when there is none. */
  const logLines = (server: string) =>
    nv.lua<string[] | null>(
      `local b = vim.fn.bufnr(...)
       if b < 0 then return nil end
       return vim.api.nvim_buf_get_lines(b, 0, -1, false)`,
      `mcp://log/${server}`,
    );
  /** Waits for the log buffer of `server` to hold a line ending in `text`; returns its lines. */
  const waitLine = (server: string, text: string) =>
    nv.waitFor<string[]>(async () => {
      const lines = await logLines(server);
      return (lines?.some((l) => l.endsWith(text)) ? lines : false) as string[];
    }, { message: `mcp://log/${server} to show "${text}"` });
  /** Which of the eight levels of `log_all {tag}` the buffer shows. */
  const shown = (lines: string[], tag: string) => LEVELS.filter((lv) => lines.some((l) => l.endsWith(`${tag} ${lv}`)));

  beforeAll(async () => {
    nv = await startNvim(bin);
    await nv.writeConfig({
      mcpServers: {
        chatty: { command: 'node', args: [CHATTY], log_level: 'warning' },
        quiet: { command: 'node', args: [CHATTY] },
        modern: { command: 'node', args: [MODERN_CHATTY] },
      },
    });
    await nv.lua(`
      _G.mcp_test_notes = {}
      local orig = vim.notify
      vim.notify = function(msg, level, opts)
        table.insert(_G.mcp_test_notes, { msg = msg, level = level or vim.log.levels.INFO })
        return orig(msg, level, opts)
      end`);
    await nv.lua('require("mcp").start("chatty"); require("mcp").start("quiet"); require("mcp").start("modern")');
    await waitStatus(nv, 'chatty');
    await waitStatus(nv, 'quiet');
    await waitStatus(nv, 'modern');
  });
  afterAll(async () => {
    await nv?.quit();
  });

  it(':Mcp log {server} shows that server\'s messages at the configured level, and follows new ones', async () => {
    // Sent before the buffer exists: kept and shown when it opens.
    expect((await callTool(nv, 'chatty', 'log_all', { tag: 'first' })).err).toBeNull();
    await ex('Mcp log chatty');
    expect(await nv.lua('return vim.api.nvim_buf_get_name(0)')).toBe('mcp://log/chatty');
    let lines = await waitLine('chatty', 'first emergency');
    // `log_level = "warning"` in the config: the server sent nothing less severe.
    expect(shown(lines, 'first')).toEqual(['warning', 'error', 'critical', 'alert', 'emergency']);
    // Level and logger are on each line.
    expect(lines.find((l) => l.endsWith('first error'))).toMatch(/^\d\d:\d\d:\d\d ERROR\s+\[chatty\] first error$/);
    // The level's name is highlighted by severity.
    const hl = await nv.lua<string[]>(
      `local buf, row = vim.api.nvim_get_current_buf(), ...
       local ns = vim.api.nvim_get_namespaces()['mcp.ui.log']
       local out = {}
       for _, m in ipairs(vim.api.nvim_buf_get_extmarks(buf, ns, { row, 0 }, { row, -1 }, { details = true })) do out[#out + 1] = m[4].hl_group end
       return out`,
      lines.findIndex((l) => l.endsWith('first error')),
    );
    expect(hl).toEqual(['DiagnosticError']);

    // New messages are appended while the buffer is open, and the cursor (on the last line) follows.
    expect((await callTool(nv, 'chatty', 'log_all', { tag: 'second' })).err).toBeNull();
    lines = await waitLine('chatty', 'second emergency');
    expect(shown(lines, 'second')).toEqual(['warning', 'error', 'critical', 'alert', 'emergency']);
    expect(await nv.lua('return vim.api.nvim_win_get_cursor(0)[1] == vim.api.nvim_buf_line_count(0)')).toBe(true);
    expect(await nv.lua('return vim.bo.modifiable')).toBe(false);

    // Another server's messages go to its own log, not this one.
    expect((await callTool(nv, 'quiet', 'log_all', { tag: 'elsewhere' })).err).toBeNull();
    await ex('Mcp log quiet');
    const quiet = await waitLine('quiet', 'elsewhere emergency');
    // No level configured: the server sends everything.
    expect(shown(quiet, 'elsewhere')).toEqual(LEVELS);
    expect((await logLines('chatty'))!.some((l) => l.includes('elsewhere'))).toBe(false);
  });

  it(':Mcp loglevel {server} {level} reaches the server: more messages at debug, fewer at error', async () => {
    await nv.lua('_G.mcp_test_notes = {}');
    await ex('Mcp loglevel chatty debug');
    await nv.waitFor(async () => (await notes()).some((n) => /chatty: log level debug \(logging\/setLevel\)/.test(n.msg)), {
      message: 'the notification that the level was set',
    });
    expect((await callTool(nv, 'chatty', 'log_all', { tag: 'third' })).err).toBeNull();
    expect(shown(await waitLine('chatty', 'third emergency'), 'third')).toEqual(LEVELS);

    await ex('Mcp loglevel chatty error');
    await nv.waitFor(async () => (await notes()).some((n) => /chatty: log level error/.test(n.msg)), { message: 'level error set' });
    expect((await callTool(nv, 'chatty', 'log_all', { tag: 'fourth' })).err).toBeNull();
    expect(shown(await waitLine('chatty', 'fourth emergency'), 'fourth')).toEqual(['error', 'critical', 'alert', 'emergency']);
  });

  it('the level set with :Mcp loglevel outlives a restart of the server', async () => {
    const restarted = await api<{ status: string }>(nv, 'function(cb) require("mcp").restart("chatty", cb) end');
    expect(restarted.err).toBeNull();
    expect(restarted.result!.status).toBe('connected');
    expect((await callTool(nv, 'chatty', 'log_all', { tag: 'fifth' })).err).toBeNull();
    expect(shown(await waitLine('chatty', 'fifth emergency'), 'fifth')).toEqual(['error', 'critical', 'alert', 'emergency']);
  });

  it('refuses a level that is not one of the eight, naming them, and completes servers and levels', async () => {
    await nv.lua('_G.mcp_test_notes = {}');
    await ex('Mcp loglevel chatty loud');
    const bad = await nv.waitFor<Note>(async () => (await notes()).find((n) => /loud/.test(n.msg)) as Note, { message: 'the error' });
    expect(bad.level).toBe(4);
    expect(bad.msg).toContain('debug, info, notice, warning, error, critical, alert, emergency');

    const complete = (line: string) => nv.lua<string[]>('return vim.fn.getcompletion(..., "cmdline")', line);
    expect(await complete('Mcp loglevel ')).toEqual(expect.arrayContaining(['chatty', 'quiet']));
    expect(await complete('Mcp loglevel chatty ')).toEqual(LEVELS);
    expect(await complete('Mcp loglevel chatty w')).toEqual(['warning']);
    expect(await complete('Mcp log ')).toEqual(expect.arrayContaining(['chatty', 'quiet']));
  });

  it('2026-07-28: the level rides in each request\'s _meta, and the server\'s messages show the same way', async () => {
    expect((await waitStatus(nv, 'modern')).protocol_version).toBe('2026-07-28');
    const first = await callTool(nv, 'modern', 'log_all', { tag: 'm1' });
    expect(first.result!.content[0]!.text).toBe('level seen: none');
    await ex('Mcp log modern');
    expect(shown(await waitLine('modern', 'm1 emergency'), 'm1')).toEqual(LEVELS);

    await nv.lua('_G.mcp_test_notes = {}');
    await ex('Mcp loglevel modern error');
    await nv.waitFor(async () => (await notes()).some((n) => n.msg.endsWith('modern: log level error (sent with each request)')), {
      message: 'the notification that the level is sent with each request',
    });
    const second = await callTool(nv, 'modern', 'log_all', { tag: 'm2' });
    expect(second.result!.content[0]!.text).toBe('level seen: error');
    expect(shown(await waitLine('modern', 'm2 emergency'), 'm2')).toEqual(['error', 'critical', 'alert', 'emergency']);
  });
});
