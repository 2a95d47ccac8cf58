/**
 * Elicitation, URL mode (|mcp-elicitation-url|): a server asks the user to open a URL. The window shows the
 * full URL with its domain, warns about non-HTTPS and internationalised domains (with the punycode form),
 * and opens it only on `o`. Driven with keys against server-everything's `trigger-url-elicitation` (offered
 * only to a client that declares `elicitation.url`; request path and -32042 error path), against
 * test/servers/url-elicit.mjs (2025-11-25: `notifications/elicitation/complete`, a -32042 tool that needs its
 * flow complete; no server on npm sends the notification) and test/servers/modern-elicit.mjs (2026-07-28:
 * URL mode inside an input_required round; that revision has no -32042 error).
 *
 * `vim.ui.open` is replaced by a recorder: no browser runs on these machines, and what matters is which
 * URL the editor hands on, and that it does so only after the person's `o`.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { callTool, everythingStdio, waitStatus } from '../helpers/mcp.js';

const URL_ELICIT = join(repoRoot, 'test', 'servers', 'url-elicit.mjs');
const MODERN_ELICIT = join(repoRoot, 'test', 'servers', 'modern-elicit.mjs');

const SETUP = `_G.notes = {}; vim.notify = function(m) table.insert(_G.notes, m) end
  _G.opened = {}; vim.ui.open = function(u) table.insert(_G.opened, u) return {}, nil end`;

const texts = (out: Awaited<ReturnType<typeof callTool>>) => (out.result?.content ?? []).map((c) => c.text ?? '').join('\n');

describe.each(nvimBinaries())('URL elicitation on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  afterEach(async () => {
    await nv?.quit();
  });

  async function start(servers: Record<string, unknown>): Promise<void> {
    nv = await startNvim(bin, { config: { mcpServers: servers } });
    await nv.lua(SETUP);
  }

  /** Waits for an ask window of `kind` in the current window; its lines and title. */
  async function window(kind: 'elicitation_url' | 'url_retry'): Promise<{ lines: string[]; title: string }> {
    await nv.waitFor(`vim.b.mcp_kind == ${JSON.stringify(kind)}`, { message: `a ${kind} window` });
    const title = await nv.lua<string>('local t = vim.api.nvim_win_get_config(0).title return type(t) == "table" and t[1][1] or t');
    return { lines: await nv.bufferLines(), title };
  }
  /** The texts highlighted as the URL's domain. */
  const domainMarks = () =>
    nv.lua<string[]>(`local out = {}
      for _, m in ipairs(vim.api.nvim_buf_get_extmarks(0, vim.api.nvim_create_namespace("mcp.elicit_url"), 0, -1, { details = true })) do
        if m[4].hl_group == "McpUrlDomain" then
          out[#out + 1] = vim.api.nvim_buf_get_text(0, m[2], m[3], m[4].end_row or m[2], m[4].end_col, {})[1]
        end
      end
      return out`);
  const opened = () => nv.lua<string[]>('return _G.opened');
  const notes = () => nv.lua<string[]>('return _G.notes');
  const floats = () => nv.lua<number>('return #vim.tbl_filter(function(w) return vim.api.nvim_win_get_config(w).relative ~= "" end, vim.api.nvim_list_wins())');

  async function everything(): Promise<void> {
    await start({ everything: everythingStdio() });
    await waitStatus(nv, 'everything');
    await nv.waitFor(`vim.iter(require("mcp").tools("everything")):any(function(t) return t.name == "trigger-url-elicitation" end)`, {
      message: 'trigger-url-elicitation in the tool list (offered to clients that declare elicitation.url)',
    });
  }

  it("server-everything's URL request: shows the URL and its domain, opens it only on o (accept), d declines", async () => {
    await everything();
    const call = callTool(nv, 'everything', 'trigger-url-elicitation', { url: 'https://example.com/connect?step=1', message: 'Connect your account.' }, 60_000);
    const { lines, title } = await window('elicitation_url');
    expect(title.trim()).toBe('everything asks you to open a URL');
    expect(lines[0]).toBe('Connect your account.');
    expect(lines).toContain('URL:    https://example.com/connect?step=1');
    expect(lines).toContain('Domain: example.com');
    expect(lines.some((l) => l.startsWith('⚠'))).toBe(false);
    expect(await domainMarks()).toEqual(['example.com', 'example.com']);
    // Nothing is opened before the person says so.
    expect(await opened()).toEqual([]);
    await nv.nvim.input('o');
    const out = await call;
    expect(await opened()).toEqual(['https://example.com/connect?step=1']);
    expect(texts(out)).toContain('✅ User completed the URL elicitation flow.');

    const declined = callTool(nv, 'everything', 'trigger-url-elicitation', { url: 'https://example.com/x' }, 60_000);
    await window('elicitation_url');
    await nv.nvim.input('d');
    expect(texts(await declined)).toContain('❌ User declined to open the URL');
    const cancelled = callTool(nv, 'everything', 'trigger-url-elicitation', { url: 'https://example.com/y' }, 60_000);
    await window('elicitation_url');
    await nv.nvim.input('q');
    expect(texts(await cancelled)).toContain('⚠️ User cancelled the URL elicitation');
    expect(await opened()).toEqual(['https://example.com/connect?step=1']);
    expect(await floats()).toBe(0);
  });

  it("server-everything's -32042 error path: offers the prerequisite URL, then the retry, which succeeds", async () => {
    await everything();
    const call = callTool(nv, 'everything', 'trigger-url-elicitation', { url: 'https://example.com/after', errorPath: true }, 60_000);
    const first = await window('elicitation_url');
    expect(first.title.trim()).toBe('everything needs a URL opened');
    expect(first.lines).toContain('URL:    https://modelcontextprotocol.io');
    expect(first.lines).toContain('(everything/trigger-url-elicitation waits for this: it can be called again once you are done)');
    await nv.nvim.input('o');
    const retry = await window('url_retry');
    expect(retry.lines[0]).toBe('everything/trigger-url-elicitation failed: it needs what you opened in the browser.');
    expect(retry.lines).toContain('This request requires browser-based authorization.');
    await nv.nvim.input('r');
    // The retry goes through: the server now asks by request for its own URL.
    await nv.waitFor(`vim.b.mcp_kind == "elicitation_url" and vim.api.nvim_buf_get_lines(0, 0, -1, false)[3] == "URL:    https://example.com/after"`, {
      message: "the retried call's own URL",
    });
    await nv.nvim.input('o');
    const out = await call;
    expect(out.err).toBeNull();
    expect(texts(out)).toContain('✅ User completed the URL elicitation flow.');
    expect(await opened()).toEqual(['https://modelcontextprotocol.io', 'https://example.com/after']);
  });

  it('declining the URL of a -32042 error fails the call with the server\'s error, saying so', async () => {
    await everything();
    const call = callTool(nv, 'everything', 'trigger-url-elicitation', { url: 'https://example.com/z', errorPath: true, elicitationId: 'decline-me' }, 60_000);
    await window('elicitation_url');
    await nv.nvim.input('d');
    const out = await call;
    expect(out.err?.code).toBe(-32042);
    expect(out.err?.message).toBe('everything/trigger-url-elicitation: This request requires browser-based authorization. (you declined to open it)');
    expect(await opened()).toEqual([]);
  });

  it('warns about an http URL and an internationalised domain, showing its punycode; completion is noted (2025-11-25)', async () => {
    await start({ ue: { command: 'node', args: [URL_ELICIT] } });
    await waitStatus(nv, 'ue');
    const call = callTool(nv, 'ue', 'open_docs', {}, 60_000);
    const { lines } = await window('elicitation_url');
    expect(lines).toContain('URL:    http://bücher.example/terms?lang=en');
    expect(lines).toContain('Domain: bücher.example  (ASCII: xn--bcher-kva.example)');
    expect(lines).toContain('⚠ not HTTPS (http): what you send there can be read or changed on the way');
    expect(lines).toContain(
      '⚠ internationalised domain: bücher.example is xn--bcher-kva.example (punycode); letters from other scripts can imitate a familiar name',
    );
    expect(await domainMarks()).toEqual(['bücher.example', 'bücher.example']);
    await nv.nvim.input('o');
    expect(texts(await call)).toBe('open_docs: accept');
    expect(await notes()).toContain('mcp: ue: opened http://bücher.example/terms?lang=en; waiting for the server to finish');
    // The person finishes in the browser; the server says so.
    expect(texts(await callTool(nv, 'ue', 'complete_flows'))).toBe('completed 1');
    await nv.waitFor(async () => (await notes()).some((n) => n.includes('is complete')), { message: 'the completion note' });
    expect(await notes()).toContain('mcp: ue: the flow you opened (http://bücher.example/terms?lang=en) is complete');
  });

  it('closes the URL window with a note when the server cancels its request, opening nothing', async () => {
    await start({ ue: { command: 'node', args: [URL_ELICIT] } });
    await waitStatus(nv, 'ue');
    const call = callTool(nv, 'ue', 'open_docs', { url: 'https://example.org/terms' }, 60_000);
    await window('elicitation_url');
    expect(texts(await callTool(nv, 'ue', 'cancel_open'))).toBe('cancelled 1');
    expect(texts(await call)).toContain('open_docs: cancelled by the server');
    await nv.waitFor(async () => (await floats()) === 0, { message: 'the URL window to close' });
    const note = await nv.waitFor(async () => (await notes()).find((n) => n.includes('withdrawn')), { message: 'the withdrawal note' });
    expect(note).toBe('mcp: ue: Read the terms, then come back: withdrawn (the request it belongs to was cancelled: the link expired)');
    expect(await opened()).toEqual([]);
  });

  it('a -32042 retry window notes the server\'s completion, then r calls again and succeeds (2025-11-25)', async () => {
    await start({ ue: { command: 'node', args: [URL_ELICIT] } });
    await waitStatus(nv, 'ue');
    const call = callTool(nv, 'ue', 'needs_login', {}, 60_000);
    const url = await window('elicitation_url');
    expect(url.lines).toContain('URL:    https://login.example.com/authorize?client=mcp');
    await nv.nvim.input('o');
    const retry = await window('url_retry');
    expect(retry.lines.at(-1)).toBe('… Waiting for the server to confirm 1 flow (you may call again anyway).');
    expect(texts(await callTool(nv, 'ue', 'complete_flows'))).toBe('completed 1');
    await nv.waitFor('vim.b.mcp_kind == "url_retry" and vim.api.nvim_buf_get_lines(0, -2, -1, false)[1]:match("^✓") ~= nil', {
      message: 'the retry window to note the completion',
    });
    expect((await nv.bufferLines()).at(-1)).toBe('✓ Ready: call it again when you have finished in the browser.');
    await nv.nvim.input('r');
    const out = await call;
    expect(out.err).toBeNull();
    expect(texts(out)).toBe('logged in');
    expect(await floats()).toBe(0);
  });

  it('2026-07-28: a URL in an input_required round, with the punycode domain shown in Unicode too', async () => {
    await start({ modern: { command: 'node', args: [MODERN_ELICIT] } });
    expect((await waitStatus(nv, 'modern')).protocol_version).toBe('2026-07-28');
    const login = callTool(nv, 'modern', 'login', {}, 60_000);
    const { lines } = await window('elicitation_url');
    expect(lines[0]).toBe('Sign in to continue.');
    expect(lines).toContain('URL:    https://xn--80ak6aa92e.com/login');
    expect(lines).toContain('Domain: аррӏе.com  (ASCII: xn--80ak6aa92e.com)');
    expect(lines.find((l) => l.startsWith('⚠ internationalised domain'))).toContain('аррӏе.com is xn--80ak6aa92e.com (punycode)');
    expect(await domainMarks()).toEqual(['xn--80ak6aa92e.com', 'аррӏе.com']);
    await nv.nvim.input('o');
    expect(texts(await login)).toBe('login: accept');
    expect(await opened()).toEqual(['https://xn--80ak6aa92e.com/login']);

    const declined = callTool(nv, 'modern', 'login', {}, 60_000);
    await window('elicitation_url');
    await nv.nvim.input('d');
    expect(texts(await declined)).toBe('login: decline');
  });
});
