/**
 * OAuth in the editor (issue 12, |mcp-oauth|), end to end: a real Neovim, the real host, and a real
 * OAuth-protected MCP server (test/servers/oauth.mjs: the SDK v1's authorization server router in front
 * of an McpServer). The consent window is driven with keys, as a person would. The protocol's cases
 * (refresh, step-up, migration, client identity) are test/session/auth.test.ts's.
 *
 * The browser is the one part played by the test: no browser runs here. `vim.ui.open` is replaced by a
 * function that records the URL, and the test does what a browser does with it: a GET of the
 * authorization URL (whose authorization endpoint redirects at once, there being no login page), then,
 * as the browser follows the redirect, a GET of the loopback listener's address. For the paste path the
 * test types the address the browser was sent to, as a person over SSH would paste it.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { api, callTool, startOAuthHttp, waitStatus, type HttpServer } from '../helpers/mcp.js';

/** Whether a TCP connection to 127.0.0.1:port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** The browser's first step: the authorization URL, whose endpoint redirects at once; returns where to. */
async function authorizeInBrowser(authorizationUrl: string): Promise<string> {
  const res = await fetch(authorizationUrl, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`the authorization endpoint answered ${res.status}: ${await res.text()}`);
  return location;
}

/** `vim.ui.open` records what it is asked to open (no browser here) and succeeds like the real one. */
const FAKE_OPEN = `_G.opened = {}
  vim.ui.open = function(url) table.insert(_G.opened, url); return { wait = function() return { code = 0 } end }, nil end`;

/** Records vim.notify messages in _G.notes. */
const RECORD_NOTES = `_G.notes = {}; vim.notify = function(m) table.insert(_G.notes, m) end`;

interface OAuthWindow {
  title: string;
  lines: string[];
  /** The ask's params, as the host sent them. */
  params: { server: string; url: string; host: string; redirect_uri: string; paste: boolean; problem?: string };
  /** The text of the highlighted host spans, in order. */
  hosts: string[];
}

/** The consent window, once it is the current window (and the ask behind it). */
const WINDOW = `local buf = vim.api.nvim_get_current_buf()
  if vim.b[buf].mcp_kind ~= 'oauth' or vim.api.nvim_get_mode().mode ~= 'n' then return nil end
  local cfg = vim.api.nvim_win_get_config(0)
  local ask = require('mcp.asks').pending()[1]
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local hosts = {}
  local ns = vim.api.nvim_get_namespaces()['mcp.oauth']
  for _, m in ipairs(vim.api.nvim_buf_get_extmarks(buf, ns, 0, -1, { details = true })) do
    if m[4].hl_group == 'McpUrlDomain' then hosts[#hosts + 1] = lines[m[2] + 1]:sub(m[3] + 1, m[4].end_col) end
  end
  return { title = type(cfg.title) == 'table' and cfg.title[1][1] or cfg.title, lines = lines, params = ask.params, hosts = hosts }`;

describe.each(nvimBinaries())('OAuth on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  let nv2: NvimInstance | undefined;
  let srv: HttpServer;
  beforeEach(async () => {
    srv = await startOAuthHttp();
  });
  afterEach(async () => {
    await nv?.quit();
    await nv2?.quit();
    nv2 = undefined;
    await srv?.stop();
  });

  async function start(opts: { env?: Record<string, string> } = {}): Promise<NvimInstance> {
    const n = await startNvim(bin, { config: { mcpServers: { remote: { url: srv.url } } }, ...opts });
    await n.lua(`${RECORD_NOTES}\n${FAKE_OPEN}`);
    // The host starts on first use; the server connects, is told 401, and the flow asks.
    await n.lua('require("mcp").servers()');
    return n;
  }
  const consent = (n: NvimInstance, message = 'the OAuth consent window') => n.waitFor<OAuthWindow>(WINDOW, { message });
  const tokenFile = (n: NvimInstance, dataDir = n.dirs.data) => join(dataDir, 'mcp', 'auth', 'remote.json');
  const status = (n: NvimInstance) => n.lua<{ status: string; authorization?: string; error?: string }>('return require("mcp").server("remote")');
  /** Types into the command line that `vim.ui.input` opened (the window's `p`). */
  async function paste(n: NvimInstance, text: string): Promise<void> {
    await n.nvim.input('p');
    await n.waitFor(`vim.fn.mode() == 'c'`, { message: 'the paste prompt' });
    await n.nvim.input(text.replace(/</g, '<lt>') + '<CR>');
  }

  it('first use: the window names the server and the site, o opens the browser, the redirect comes back to 127.0.0.1; tokens in a 0600 file, never in the log', async () => {
    nv = await start();
    const win = await consent(nv);
    const authUrl = new URL(win.params.url);
    expect(win.params.server).toBe('remote');
    expect(win.title).toContain(`remote: authorize at ${authUrl.host}`);
    expect(win.lines[0]).toBe('remote needs your authorization to connect.');
    expect(win.lines).toContain(`Sign in at: ${authUrl.host}`);
    expect(win.lines).toContain(authUrl.href);
    // The test's authorization server is plain HTTP on 127.0.0.1: the window says so before anyone agrees.
    expect(win.lines).toContain('! not HTTPS (http): what you send there can be read or changed on the way');
    // The site that asks is highlighted, on its own line and inside the URL.
    expect(win.hosts).toEqual([authUrl.host, authUrl.host]);
    const redirect = new URL(win.params.redirect_uri);
    expect(redirect.hostname).toBe('127.0.0.1');
    expect(redirect.pathname).toBe('/callback');
    expect(authUrl.searchParams.get('redirect_uri')).toBe(win.params.redirect_uri);
    expect(await accepts(Number(redirect.port))).toBe(true);

    await nv.nvim.input('o');
    const opened = await nv.waitFor<string[]>('#_G.opened > 0 and _G.opened', { message: 'vim.ui.open called' });
    expect(opened).toEqual([authUrl.href]);
    // The window closed once the browser was opened.
    await nv.waitFor(`vim.b[vim.api.nvim_get_current_buf()].mcp_kind ~= 'oauth'`);

    // The browser: a redirect of another flow (an old tab) is refused, and the wait goes on.
    const location = new URL(await authorizeInBrowser(authUrl.href));
    expect(location.origin + location.pathname).toBe(win.params.redirect_uri);
    const forged = new URL(location);
    forged.searchParams.set('state', 'not-this-flow');
    const refused = await fetch(forged);
    expect(refused.status).toBe(400);
    const page = await fetch(location);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('return to Neovim');

    await waitStatus(nv, 'remote', 'connected');
    const out = await callTool(nv, 'remote', 'whoami');
    expect(JSON.stringify(out.result)).toMatch(/client \S+/);
    // The listener lived only for the flow.
    await nv.waitFor(async () => !(await accepts(Number(redirect.port))), { message: 'the loopback listener closed' });

    const file = tokenFile(nv);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(nv.dirs.data, 'mcp', 'auth')).mode & 0o777).toBe(0o700);
    const record = JSON.parse(readFileSync(file, 'utf8'));
    expect(record.serverUrl).toBe(srv.url);
    const access = record.tokens.access_token as string;
    const refresh = record.tokens.refresh_token as string;
    expect(access).toBeTruthy();
    const logText = readFileSync(join(nv.dirs.log, 'mcp.log'), 'utf8');
    expect(logText).toContain('remote');
    expect(logText).not.toContain(access);
    expect(logText).not.toContain(refresh);
    expect(logText).not.toContain(location.searchParams.get('code')!);
    // :checkhealth says where the tokens are and that only you can read them.
    await nv.lua('pcall(vim.cmd, "checkhealth mcp")');
    const health = (await nv.bufferLines()).join('\n');
    expect(health).toMatch(/OAuth tokens of 1 server\(s\) in \S+\/mcp\/auth \(mode 700\)/);
  });

  it('paste (SSH, no UI): a pasted address of another flow is refused and asked again; the right one connects', async () => {
    nv = await start({ env: { SSH_CONNECTION: '10.0.0.1 50000 10.0.0.2 22' } });
    const win = await consent(nv);
    expect(win.params.paste).toBe(true);
    expect(win.lines.join('\n')).toContain('press p and paste');
    const location = new URL(await authorizeInBrowser(win.params.url));
    const wrong = new URL(location);
    wrong.searchParams.set('state', 'stale');
    await paste(nv, wrong.href);
    const again = await nv.waitFor<OAuthWindow>(`local w = (function() ${WINDOW} end)() if w and w.params.problem then return w end`, {
      message: 'the window asking again',
    });
    expect(again.params.problem).toMatch(/another authorization/);
    expect(again.lines.join('\n')).toContain('another authorization');
    // <CR> is the paste when the paste comes first.
    await nv.nvim.input('<CR>');
    await nv.waitFor(`vim.fn.mode() == 'c'`, { message: 'the paste prompt' });
    await nv.nvim.input(location.href + '<CR>');
    await waitStatus(nv, 'remote', 'connected');
    expect(existsSync(tokenFile(nv))).toBe(true);
  });

  it('declined: the server shows it needs authorization; :Mcp auth asks again and connects', async () => {
    nv = await start();
    await consent(nv);
    await nv.nvim.input('d');
    await nv.waitFor(`(function() local s = require('mcp').server('remote') return s.status == 'failed' and s.authorization == 'required' end)()`, {
      message: 'the server failed for want of authorization',
    });
    expect((await status(nv)).error).toMatch(/:Mcp auth remote/);
    await nv.nvim.command('Mcp');
    const hub = await nv.bufferLines();
    expect(hub.find((l) => l.includes('remote'))).toMatch(/failed.*\[needs authorization\]/);
    expect(await nv.lua('return vim.fn.getcompletion("Mcp auth ", "cmdline")')).toEqual(['remote']);

    await nv.nvim.command('Mcp auth remote');
    const win = await consent(nv, 'the window of :Mcp auth');
    await nv.waitFor(`require('mcp').server('remote').authorization == 'authorizing'`, { message: 'the hub state authorizing' });
    const location = await authorizeInBrowser(win.params.url);
    await paste(nv, location);
    await waitStatus(nv, 'remote', 'connected');
    await nv.waitFor(`(function() for _, n in ipairs(_G.notes) do if n:match('remote: authorized') then return true end end end)()`, {
      message: 'the note of :Mcp auth',
    });
    expect((await status(nv)).authorization).toBeUndefined();
  });

  it('logout forgets the tokens: the file is gone and the next connection asks again', async () => {
    nv = await start();
    const win = await consent(nv);
    await paste(nv, await authorizeInBrowser(win.params.url));
    await waitStatus(nv, 'remote', 'connected');
    expect(existsSync(tokenFile(nv))).toBe(true);
    const out = await api<{ removed: boolean }>(nv, 'function(cb) require("mcp").logout("remote", cb) end');
    expect(out.err).toBeNull();
    expect(out.result?.removed).toBe(true);
    // The restart after logout connects at once and may register a new client before this line runs
    // (the file then comes back with that client): what must be gone is every token.
    const after = existsSync(tokenFile(nv)) ? JSON.parse(readFileSync(tokenFile(nv), 'utf8')) : {};
    expect(after.tokens).toBeUndefined();
    // The restart that drops the tokens in memory connects afresh: it needs the person again.
    await consent(nv, 'the window after logout');
    await nv.nvim.input('d');
    await nv.waitFor(`require('mcp').server('remote').authorization == 'required'`);
    // A server that is not configured is named in the error.
    const bad = await api(nv, 'function(cb) require("mcp").logout("nope", cb) end');
    expect(bad.err).toMatchObject({ message: expect.stringContaining('no server named "nope"') });
  });

  it('two Neovims authorizing the same server at once leave one valid token file, which a third uses without asking', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'mcp-auth-shared-'));
    const env = { XDG_DATA_HOME: shared };
    [nv, nv2] = await Promise.all([start({ env }), start({ env })]);
    const [w1, w2] = await Promise.all([consent(nv), consent(nv2!)]);
    const [l1, l2] = await Promise.all([authorizeInBrowser(w1.params.url), authorizeInBrowser(w2.params.url)]);
    await Promise.all([paste(nv, l1), paste(nv2!, l2)]);
    await Promise.all([waitStatus(nv, 'remote', 'connected'), waitStatus(nv2!, 'remote', 'connected')]);
    const dir = join(shared, 'nvim', 'mcp', 'auth');
    expect(readdirSync(dir)).toEqual(['remote.json']);
    const record = JSON.parse(readFileSync(join(dir, 'remote.json'), 'utf8'));
    expect(record.serverUrl).toBe(srv.url);
    expect(record.tokens.access_token).toBeTruthy();
    expect(statSync(join(dir, 'remote.json')).mode & 0o777).toBe(0o600);
    await nv2!.quit();
    nv2 = await start({ env });
    await waitStatus(nv2, 'remote', 'connected');
    expect(await nv2.lua('return #require("mcp.asks").pending()')).toBe(0);
  });
});
