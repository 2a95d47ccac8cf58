/**
 * Elicitation, form mode (|mcp-elicitation|): a server asks the user to fill in a form while one of its
 * tools runs. With server-everything's own `trigger-elicitation-request` (offered only to a client that
 * declares elicitation) the form is filled with keys and accepted, declined or cancelled, and the tool's
 * result says which. A server cancelling its own request (test/servers/elicit-cancel.mjs, the SDK's
 * notifications/cancelled; no server on npm does it) closes the form and tells the user why. The same
 * form answers a 2026-07-28 server's input_required round (test/servers/modern-elicit.mjs).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { toField, waitForm } from '../helpers/form.js';
import { callTool, everythingStdio, waitStatus } from '../helpers/mcp.js';

const ELICIT_CANCEL = join(repoRoot, 'test', 'servers', 'elicit-cancel.mjs');
const MODERN_ELICIT = join(repoRoot, 'test', 'servers', 'modern-elicit.mjs');

/** Records vim.notify messages in _G.notes. */
const RECORD_NOTES = `_G.notes = {}; vim.notify = function(m) table.insert(_G.notes, m) end`;

/** The texts of a tool result's content. */
const texts = (out: Awaited<ReturnType<typeof callTool>>) => (out.result?.content ?? []).map((c) => c.text ?? '').join('\n');

describe.each(nvimBinaries())('elicitation on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  afterEach(async () => {
    await nv?.quit();
  });

  async function start(servers: Record<string, unknown>): Promise<NvimInstance> {
    nv = await startNvim(bin, { config: { mcpServers: servers } });
    await nv.lua(RECORD_NOTES);
    return nv;
  }

  /** The elicitation form, once it is the current window; its lines. */
  const elicitForm = async () => {
    const lines = await waitForm(nv);
    expect(await nv.lua('return vim.b.mcp_form_kind')).toBe('elicitation');
    return lines;
  };
  const pending = () => nv.lua<unknown[]>('return require("mcp.asks").pending()');
  const floats = () => nv.lua<number>('return #vim.tbl_filter(function(w) return vim.api.nvim_win_get_config(w).relative ~= "" end, vim.api.nvim_list_wins())');
  const notes = () => nv.lua<string[]>('return _G.notes');

  /** server-everything, connected, once it offers its elicitation tool (registered after initialize). */
  async function everything(): Promise<void> {
    await start({ everything: everythingStdio() });
    await waitStatus(nv, 'everything');
    await nv.waitFor(`vim.iter(require("mcp").tools("everything")):any(function(t) return t.name == "trigger-elicitation-request" end)`, {
      message: 'trigger-elicitation-request in the tool list',
    });
  }

  it("shows the server and its message, prefills defaults, and accepts: the tool's result has what was typed", async () => {
    await everything();
    const call = callTool(nv, 'everything', 'trigger-elicitation-request', {}, 60_000);
    const lines = await elicitForm();
    expect(lines[0]).toBe('# everything asks');
    expect(lines[1]).toBe('# Please provide inputs for the following fields:');
    expect(lines[2]).toBe('# <C-s> or :w accept · <C-d> decline · q or <C-c> cancel · <C-x><C-o> choices · <Tab> next field');
    expect(lines).toContain('# name “String” (string, required): Your full, legal name');
    expect(lines).toContain('integer: 42');
    expect(lines).toContain('untitledMultipleSelectEnum: Guitar');
    expect(lines).toContain('#   one of: hero-1 (Superman) | hero-2 (Green Lantern) | hero-3 (Wonder Woman)');
    const footer = await nv.lua<string>('local f = vim.api.nvim_win_get_config(0).footer return type(f) == "table" and f[1][1] or f');
    expect(footer).toContain('<C-d> decline');
    // The cursor waits on the required field without a value.
    expect(await nv.lua('return vim.api.nvim_get_current_line()')).toBe('name: ');
    await nv.nvim.input('aAda Lovelace<Esc>');
    await toField(nv, 'check');
    await nv.nvim.input('atrue<Esc>');
    await toField(nv, 'integer');
    await nv.nvim.input('0f:C: 7<Esc>');
    await nv.waitFor('vim.api.nvim_get_current_line() == "integer: 7"');
    await nv.nvim.input('<C-s>');
    const out = await call;
    expect(out.err).toBeNull();
    const text = texts(out);
    expect(text).toContain('✅ User provided the requested information!');
    expect(text).toContain('- Name: Ada Lovelace');
    expect(text).toContain('- Agreed to terms: true');
    expect(text).toContain('- Favorite Integer: 7');
    expect(text).toContain('- Favorite Number: 3.14');
    expect(text).toContain('"untitledMultipleSelectEnum": [\n      "Guitar"\n    ]');
    expect(await floats()).toBe(0);
    expect(await pending()).toEqual([]);
  });

  it('declines with <C-d>, and cancels with q: the server hears which', async () => {
    await everything();
    const declined = callTool(nv, 'everything', 'trigger-elicitation-request', {}, 60_000);
    await elicitForm();
    await nv.nvim.input('<C-d>');
    const d = await declined;
    expect(texts(d)).toContain('❌ User declined to provide the requested information.');
    expect(texts(d)).toContain('"action": "decline"');
    expect(await floats()).toBe(0);

    const cancelled = callTool(nv, 'everything', 'trigger-elicitation-request', {}, 60_000);
    await elicitForm();
    await nv.nvim.input('q');
    const c = await cancelled;
    expect(texts(c)).toContain('⚠️ User cancelled the elicitation dialog.');
    expect(await floats()).toBe(0);
    expect(await pending()).toEqual([]);
  });

  it('closes the form and says why when the server cancels its request, even while the user types in it', async () => {
    await start({ ec: { command: 'node', args: [ELICIT_CANCEL] } });
    await waitStatus(nv, 'ec');
    const asked = callTool(nv, 'ec', 'ask_then_cancel', {}, 60_000);
    const lines = await elicitForm();
    expect(lines[0]).toBe('# ec asks');
    expect(lines[1]).toBe('# Which colour should the button be?');
    expect(await pending()).toHaveLength(1);
    await nv.nvim.input('ared');
    await nv.waitFor('vim.api.nvim_get_mode().mode == "i"');
    // The server withdraws its question (it sends notifications/cancelled for its elicitation/create).
    const cancel = await callTool(nv, 'ec', 'cancel_pending');
    expect(texts(cancel)).toBe('cancelled 1');
    expect(texts(await asked)).toContain('elicitation cancelled by the server');
    const note = await nv.waitFor(async () => (await notes()).find((n) => n.includes('withdrawn')), { message: 'the withdrawal note' });
    expect(note).toBe('mcp: ec: Which colour should the button be?: withdrawn (the request it belongs to was cancelled: the question is no longer needed)');
    await nv.waitFor(async () => (await floats()) === 0, { message: 'the form to close' });
    expect(await nv.lua('return require("mcp.ui.form").get() == nil and vim.api.nvim_get_mode().mode')).toBe('n');
    expect(await pending()).toEqual([]);
  });

  it("answers a 2026-07-28 server's input_required round with the same form", async () => {
    await start({ modern: { command: 'node', args: [MODERN_ELICIT] } });
    expect((await waitStatus(nv, 'modern')).protocol_version).toBe('2026-07-28');
    const accepted = callTool(nv, 'modern', 'deploy', { env: 'prod' }, 60_000);
    const lines = await elicitForm();
    expect(lines[0]).toBe('# modern asks');
    expect(lines[1]).toBe('# Deploy to prod?');
    expect(lines).toContain('note: routine');
    await nv.nvim.input('atrue<Esc>');
    // A field with a default left empty gets the default (the host declares elicitation.form.applyDefaults).
    await toField(nv, 'note');
    await nv.nvim.input('0f:C: <Esc>');
    await nv.waitFor('vim.api.nvim_get_current_line() == "note: "');
    await nv.nvim.input('<C-s>');
    expect(texts(await accepted)).toBe('deploy prod: accept {"confirm":true,"note":"routine"}');

    const declined = callTool(nv, 'modern', 'deploy', { env: 'staging' }, 60_000);
    await elicitForm();
    await nv.nvim.input('<C-d>');
    expect(texts(await declined)).toBe('deploy staging: decline');
    expect(await pending()).toEqual([]);
  });
});
