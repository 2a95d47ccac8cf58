/**
 * Asks: the host asks the editor and waits (|mcp-asks|). Driven end to end through the one ask that
 * exists before approval and elicitation land: the value of an `${input:id}` placeholder, asked when a
 * server (real server-everything over stdio) starts. Each way an ask can end is covered: answered,
 * declined, withdrawn because the server stopped, because it timed out, because the host exited, and
 * answered with an error because the Lua handler failed; plus the queue and Insert mode.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { api, callTool, EVERYTHING, hostPid, waitStatus } from '../helpers/mcp.js';

const server = (env: Record<string, string>, extra: Record<string, unknown> = {}) => ({ command: 'node', args: [EVERYTHING, 'stdio'], env, ...extra });

/** Records vim.notify messages in _G.notes. */
const RECORD_NOTES = `_G.notes = {}; vim.notify = function(m) table.insert(_G.notes, m) end`;

/** The shown ask window: `{ title, lines, mode }` once the current window is an ask's float. */
const SHOWN = `local buf = vim.api.nvim_get_current_buf()
  if vim.b[buf].mcp_kind ~= 'ask' then return nil end
  local cfg = vim.api.nvim_win_get_config(0)
  local title = type(cfg.title) == 'table' and cfg.title[1][1] or cfg.title
  return { title = title, lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false), mode = vim.api.nvim_get_mode().mode }`;

interface Shown {
  title: string;
  lines: string[];
  mode: string;
}

describe.each(nvimBinaries())('asks on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  afterEach(async () => {
    await nv?.quit();
  });

  async function start(config: unknown): Promise<NvimInstance> {
    nv = await startNvim(bin, { config });
    await nv.lua(RECORD_NOTES);
    return nv;
  }

  /**
   * The ask window once it is ready for keys: a line to type on is in Insert mode (`startinsert` takes
   * effect after the window appears; keys sent in between would go to Normal mode).
   */
  const shown = (message = 'an ask window', mode = 'i') =>
    nv.waitFor<Shown>(`local s = (function() ${SHOWN} end)() if s and s.mode == ${JSON.stringify(mode)} then return s end`, { message });
  const notes = () => nv.lua<string[]>('return _G.notes');
  const noteMatching = (re: RegExp) => nv.waitFor(async () => (await notes()).find((n) => re.test(n)), { message: `a note matching ${re}` });
  const pending = () => nv.lua<{ id: number; title: string }[]>('return require("mcp.asks").pending()');

  it('asks for an input when the server starts, hides a password, passes the value on, and never logs it', async () => {
    await start({
      inputs: [{ type: 'promptString', id: 'token', description: 'API token', password: true }],
      mcpServers: { ev: server({ MCP_TEST_TOKEN: '${input:token}' }) },
    });
    const started = api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    // A password is read on the command line (inputsecret()), never typed into a buffer.
    const win = await shown('the password prompt', 'c');
    expect(win.title.trim()).toBe('ev: API token');
    expect(win.lines[0]).toBe('API token');
    await nv.nvim.input('s3cret-value<CR>');
    expect((await started).err).toBeNull();
    // Nothing typed reached a register (the `.` register records what Insert mode typed) or a history.
    expect(await nv.lua('return vim.fn.getreg(".")')).not.toContain('s3cret');
    expect(await nv.lua('return vim.fn.execute("registers")')).not.toContain('s3cret');
    expect(await nv.lua('return vim.fn.histget("input", -1) .. vim.fn.histget("cmd", -1)')).not.toContain('s3cret');
    const env = await callTool(nv, 'ev', 'get-env');
    expect(env.result!.content[0]!.text).toContain('"MCP_TEST_TOKEN": "s3cret-value"');
    // Asked once per host: a start after a stop uses the value typed before (`restart` asks again).
    expect((await api(nv, 'function(cb) require("mcp").stop("ev", cb) end')).err).toBeNull();
    expect((await api(nv, 'function(cb) require("mcp").start("ev", cb) end')).err).toBeNull();
    expect(await pending()).toEqual([]);
    expect(await nv.lua(SHOWN)).toBeNull();
    const log = readFileSync(await nv.lua<string>('return require("mcp.host").log_path()'), 'utf8');
    expect(log).toContain('asking the editor');
    expect(log).not.toContain('s3cret-value');
  });

  it('a password prompt is withdrawn like any ask: the prompt ends and the window closes', async () => {
    await start({
      inputs: [{ type: 'promptString', id: 'token', description: 'API token', password: true }],
      mcpServers: { ev: server({ T: '${input:token}' }) },
    });
    const started = api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    await shown('the password prompt', 'c');
    await nv.nvim.input('half');
    expect((await api(nv, 'function(cb) require("mcp").stop("ev", cb) end')).err).toBeNull();
    await noteMatching(/ev: API token: withdrawn \(the server was stopped\)/);
    await nv.waitFor('vim.api.nvim_get_mode().mode == "n" and vim.b.mcp_kind ~= "ask"', { message: 'the prompt ended and the window closed' });
    expect(await pending()).toEqual([]);
    expect(await nv.lua('return vim.fn.execute("registers")')).not.toContain('half');
    expect((await started).err).not.toBeNull();
  });

  it('offers the choices of a pickString and takes the one under the cursor', async () => {
    await start({
      inputs: [{ type: 'pickString', id: 'region', description: 'Region', options: ['eu', 'us', 'ap'], default: 'us' }],
      mcpServers: { ev: server({ MCP_TEST_REGION: '${input:region}' }) },
    });
    const started = api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    const win = await shown('the choices', 'n');
    expect(win.lines).toEqual(['Region', 'eu', 'us', 'ap']);
    expect(await nv.lua('return vim.api.nvim_win_get_cursor(0)[1]')).toBe(3); // the default
    await nv.nvim.input('j<CR>');
    expect((await started).err).toBeNull();
    expect((await callTool(nv, 'ev', 'get-env')).result!.content[0]!.text).toContain('"MCP_TEST_REGION": "ap"');
  });

  it('declining fails the start with a clear reason, and the next start asks again', async () => {
    await start({ mcpServers: { ev: server({ T: '${input:token}' }) } });
    const started = api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    await shown();
    // Typed keys (feedkeys): nvim_input would treat CTRL-C as an interrupt when it races the mapping.
    await nv.lua(`vim.api.nvim_feedkeys(vim.keycode('<C-c>'), 'mt', false)`);
    const out = await started;
    expect(out.err?.message).toContain('ev: token: declined by the user');
    expect((await waitStatus(nv, 'ev', 'failed')).error).toContain('declined by the user');
    const again = api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    await shown('the ask again');
    await nv.nvim.input('x<CR>');
    expect((await again).err).toBeNull();
  });

  it('is withdrawn when the server is stopped: the window closes and the user is told why', async () => {
    await start({ mcpServers: { ev: server({ T: '${input:token}' }) } });
    const started = api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    await shown();
    await nv.nvim.input('<Esc>');
    expect((await api(nv, 'function(cb) require("mcp").stop("ev", cb) end')).err).toBeNull();
    await noteMatching(/ev: token: withdrawn \(the server was stopped\)/);
    expect(await nv.lua(SHOWN)).toBeNull();
    expect(await pending()).toEqual([]);
    expect((await waitStatus(nv, 'ev', 'stopped')).status).toBe('stopped');
    // The start that waited on the ask is told it did not happen.
    expect((await started).err).not.toBeNull();
  });

  it("is withdrawn when nobody answers within the server's timeout", async () => {
    await start({ mcpServers: { ev: server({ T: '${input:token}' }, { timeout_ms: 1500 }) } });
    const started = api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    await shown();
    const out = await started;
    expect(out.err?.message).toContain('no answer within 1500 ms');
    await noteMatching(/withdrawn \(no answer within 1500 ms\)/);
    expect(await nv.lua(SHOWN)).toBeNull();
    expect((await waitStatus(nv, 'ev', 'failed')).error).toContain('no answer within 1500 ms');
  });

  it('is withdrawn when the host exits', async () => {
    await start({ mcpServers: { ev: server({ T: '${input:token}' }) } });
    const started = api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    await shown();
    process.kill(await hostPid(nv), 'SIGKILL');
    await noteMatching(/ev: token: withdrawn \(the host exited\)/);
    expect(await nv.lua(SHOWN)).toBeNull();
    expect(await pending()).toEqual([]);
    // The start that waited on the ask fails with the host (HostUnavailable).
    expect((await started).err?.code).toBe(-32030);
  });

  it('a failing Lua handler answers with its error instead of leaving the server waiting', async () => {
    await start({ mcpServers: { ev: server({ T: '${input:token}' }) } });
    await nv.lua(`require("mcp.asks").register("input", function() error("no UI today") end)`);
    const out = await api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    expect(out.err?.message).toMatch(/ev: token: the editor failed to show it: .*no UI today/);
    await noteMatching(/no UI today/);
    expect(await pending()).toEqual([]);
  });

  it('a handler that fails after opening its window leaves no window behind', async () => {
    await start({ mcpServers: { ev: server({ T: '${input:token}' }) } });
    await nv.lua(`require("mcp.asks").register("input", function()
      local buf = vim.api.nvim_create_buf(false, true)
      vim.api.nvim_open_win(buf, true, { relative = "editor", row = 1, col = 1, width = 20, height = 1 })
      error("broke after opening")
    end)`);
    const out = await api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    expect(out.err?.message).toMatch(/the editor failed to show it: .*broke after opening/);
    expect(await nv.lua('return #vim.tbl_filter(function(w) return vim.api.nvim_win_get_config(w).relative ~= "" end, vim.api.nvim_list_wins())')).toBe(0);
  });

  it("a withdrawal leaves the user's own Insert mode alone", async () => {
    await start({ mcpServers: { ev: server({ T: '${input:token}' }) } });
    const started = api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    await shown();
    // Back to their own window, typing there, while the ask waits in its float.
    await nv.nvim.input('<Esc>');
    await nv.lua('vim.cmd("wincmd p")');
    await nv.nvim.input('ityping');
    await nv.waitFor('vim.api.nvim_get_mode().mode == "i" and vim.b.mcp_kind == nil', { message: "Insert mode in the user's window" });
    expect((await api(nv, 'function(cb) require("mcp").stop("ev", cb) end')).err).toBeNull();
    await noteMatching(/ev: token: withdrawn \(the server was stopped\)/);
    expect(await nv.lua('return vim.api.nvim_get_mode().mode')).toBe('i');
    await nv.nvim.input(' on');
    expect(await nv.lua('return vim.api.nvim_get_current_line()')).toBe('typing on');
    expect(await nv.lua('return #vim.tbl_filter(function(w) return vim.api.nvim_win_get_config(w).relative ~= "" end, vim.api.nvim_list_wins())')).toBe(0);
    expect((await started).err).not.toBeNull();
  });

  it('waits while the command-line window is open (no E11), and shows the ask when it closes', async () => {
    await start({ mcpServers: { ev: server({ T: '${input:token}' }) } });
    await nv.nvim.input('q:');
    await nv.waitFor('vim.fn.getcmdwintype() ~= ""', { message: 'the command-line window' });
    const started = api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    await nv.waitFor(async () => (await pending()).length === 1, { message: 'a pending ask' });
    await noteMatching(/waiting for you \(:Mcp asks\)/);
    expect(await nv.lua('return vim.fn.getcmdwintype()')).toBe(':');
    expect(await nv.lua(SHOWN)).toBeNull();
    await nv.nvim.input(':q<CR>');
    await shown('the ask after the command-line window closed');
    await nv.nvim.input('v<CR>');
    expect((await started).err).toBeNull();
  });

  it('queues asks from several servers, one window at a time; a hidden ask stays pending and comes back', async () => {
    await start({ mcpServers: { one: server({ A: '${input:a}' }), two: server({ B: '${input:b}' }) } });
    const s1 = api(nv, 'function(cb) require("mcp").start("one", cb) end');
    const s2 = api(nv, 'function(cb) require("mcp").start("two", cb) end');
    const first = await shown();
    await nv.waitFor(async () => (await pending()).length === 2, { message: 'two pending asks' });
    expect(await nv.lua('return #vim.tbl_filter(function(w) return vim.api.nvim_win_get_config(w).relative ~= "" end, vim.api.nvim_list_wins())')).toBe(1);
    await noteMatching(/waiting for you \(:Mcp asks\)/);
    // Hide the first: the second is shown; the first stays pending.
    await nv.nvim.input('<Esc>q');
    const second = await nv.waitFor<Shown>(`local s = (function() ${SHOWN} end)() if s and s.title ~= ${JSON.stringify(first.title)} then return s end`, {
      message: 'the second ask',
    });
    expect(second.title).not.toBe(first.title);
    await nv.nvim.input('b-value<CR>');
    // The hub says one is waiting; :Mcp asks brings the hidden one back.
    await nv.waitFor(async () => (await pending()).length === 1, { message: 'one pending ask' });
    await nv.lua('vim.cmd("Mcp")');
    await nv.waitFor('vim.tbl_contains(vim.api.nvim_buf_get_lines(0, 0, -1, false), "Asks: 1 waiting for you  (a: show)")', { message: 'the Asks line in the hub' });
    await nv.lua('vim.cmd("Mcp asks")');
    expect((await shown()).title).toBe(first.title);
    await nv.nvim.input('<Esc>A-value<CR>');
    expect((await s1).err).toBeNull();
    expect((await s2).err).toBeNull();
  });

  it('never takes focus while the user types in Insert mode; shows the ask when they stop', async () => {
    await start({ mcpServers: { ev: server({ T: '${input:token}' }) } });
    await nv.nvim.input('ihello');
    const started = api(nv, 'function(cb) require("mcp").start("ev", cb) end');
    await nv.waitFor(async () => (await pending()).length === 1, { message: 'a pending ask' });
    await nv.nvim.input(' world');
    expect(await nv.lua(SHOWN)).toBeNull();
    expect(await nv.lua('return vim.api.nvim_get_mode().mode')).toBe('i');
    expect(await nv.lua('return vim.api.nvim_get_current_line()')).toBe('hello world');
    await nv.nvim.input('<Esc>');
    await shown('the ask after leaving Insert mode');
    await nv.nvim.input('v<CR>');
    expect((await started).err).toBeNull();
  });
});
