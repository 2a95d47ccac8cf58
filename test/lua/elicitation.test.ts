/**
 * Elicitation, form mode (|mcp-elicitation|): a server asks the user to fill in a form while one of its
 * tools runs. With server-everything's own `trigger-elicitation-request` (offered only to a client that
 * declares elicitation) the form is filled with keys and accepted, declined or cancelled, and the tool's
 * result says which. A server cancelling its own request (test/servers/elicit-cancel.mjs, the SDK's
 * notifications/cancelled; no server on npm does it) closes the form and tells the user why. The same
 * form answers a 2026-07-28 server's input_required round (test/servers/modern-elicit.mjs). Values that
 * fail the schema (formats, bounds) are shown beside their fields and corrected without losing the rest;
 * a call waiting on a form does not time out, and a chat sees that it waits.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { toField, waitForm } from '../helpers/form.js';
import { callTool, everythingStdio, waitStatus } from '../helpers/mcp.js';
import { Defaults } from '../../src/contract/defaults.js';

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
  /** The error texts shown beside the form's lines (virtual text of the form's error namespace). */
  const fieldErrors = () =>
    nv.lua<string[]>(`local ns = vim.api.nvim_create_namespace("mcp.form.errors")
      local out = {}
      for _, m in ipairs(vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, { details = true })) do
        local line = vim.api.nvim_buf_get_lines(0, m[2], m[2] + 1, false)[1]
        out[#out + 1] = line:match("^[^:]*") .. " → " .. m[4].virt_text[1][1]:gsub("^%s*✗ ", "")
      end
      return out`);
  /** Replaces the value of field \`name\` of the current form with \`value\`, typed in Insert mode. */
  async function retype(name: string, value: string): Promise<void> {
    await toField(nv, name);
    await nv.nvim.input(`0f:C: ${value}<Esc>`);
    await nv.waitFor(`vim.api.nvim_get_current_line() == ${JSON.stringify(`${name}: ${value}`)}`);
  }

  it('refuses values that fail their format, says why beside each field, and keeps every value to correct and resubmit', async () => {
    await everything();
    const call = callTool(nv, 'everything', 'trigger-elicitation-request', {}, 60_000);
    await elicitForm();
    await retype('name', 'Ada Lovelace');
    await retype('check', 'true');
    await retype('email', 'ada@');
    await retype('homepage', 'not a uri');
    await retype('birthdate', '1815-13-10');
    await nv.nvim.input('<C-s>');
    await nv.waitFor(async () => (await fieldErrors()).length === 3, { message: 'three field errors' });
    expect((await fieldErrors()).sort()).toEqual([
      'birthdate → birthdate: must be a date like 2026-12-01',
      'email → email: must be an email address like ada@example.com',
      'homepage → homepage: must be a URI like https://example.com/path',
    ]);
    // Still open, every value as typed; the cursor on the first problem.
    expect(await nv.lua('return require("mcp.ui.form").get() ~= nil')).toBe(true);
    expect(await nv.bufferLines()).toContain('name: Ada Lovelace');
    expect(await pending()).toHaveLength(1);
    await retype('email', 'ada@example.com');
    await retype('homepage', 'https://ada.example');
    await retype('birthdate', '1815-12-10');
    await nv.nvim.input('<C-s>');
    const text = texts(await call);
    expect(text).toContain('- Name: Ada Lovelace');
    expect(text).toContain('- Email: ada@example.com');
    expect(text).toContain('- Homepage: https://ada.example');
    expect(text).toContain('- Birthdate: 1815-12-10');
    expect(await floats()).toBe(0);
  });

  it('a 2026-07-28 form: date-time, email, bounds, legacy enumNames and a titled multi-select, corrected and accepted', async () => {
    await start({ modern: { command: 'node', args: [MODERN_ELICIT] } });
    await waitStatus(nv, 'modern');
    const call = callTool(nv, 'modern', 'book', {}, 60_000);
    const lines = await elicitForm();
    expect(lines[1]).toBe('# When should we meet?');
    expect(lines).toContain('#   one of: r1 (Blue room) | r2 (Red room)');
    expect(lines).toContain('#   items from: tea (Tea) | cake (Cake)');
    expect(lines).toContain('people: 2');
    await retype('when', 'tomorrow at noon');
    await retype('contact', 'grace@example.com');
    await retype('room', 'r2');
    await retype('people', '9');
    await retype('extras', 'tea, cake');
    await nv.nvim.input('<C-s>');
    // The form's own check (bounds) comes first; the host's (formats) once that passes.
    await nv.waitFor(async () => (await fieldErrors()).length > 0, { message: 'the bound error' });
    expect(await fieldErrors()).toEqual(['people → people: must be at most 8']);
    await retype('people', '3');
    await nv.nvim.input('<C-s>');
    await nv.waitFor(async () => (await fieldErrors()).some((e) => e.startsWith('when')), { message: 'the date-time error' });
    expect(await fieldErrors()).toEqual(['when → when: must be a date and time like 2026-12-01T09:30:00Z']);
    await retype('when', '2026-12-24T15:00:00Z');
    await nv.nvim.input('<C-s>');
    expect(texts(await call)).toBe('book: accept {"contact":"grace@example.com","extras":["tea","cake"],"people":3,"room":"r2","when":"2026-12-24T15:00:00Z"}');
  });

  /** `call_tool` with a short `timeout_ms` (ms); the test waits up to 60 s for it. */
  const callWithin = (server: string, tool: string, args: Record<string, unknown>, ms: number) => callTool(nv, server, tool, args, 60_000, ms);

  it("holds a call's deadline while its form is open, in both eras: the person takes longer than timeout_ms and the call still completes", async () => {
    await start({ everything: everythingStdio(), modern: { command: 'node', args: [MODERN_ELICIT] } });
    await waitStatus(nv, 'modern');
    await nv.waitFor(`vim.iter(require("mcp").tools("everything")):any(function(t) return t.name == "trigger-elicitation-request" end)`);
    const legacy = callWithin('everything', 'trigger-elicitation-request', {}, 1000);
    await elicitForm();
    // The person reads the form for longer than the call's whole budget, and longer than the Neovim
    // side's guard too (budget + timeout_margin_ms): neither gives up (not a timing assertion: the
    // outcome is what is checked).
    await new Promise((resolve) => setTimeout(resolve, 1000 + Defaults.timeout_margin_ms + 500));
    await retype('name', 'Ada');
    await nv.nvim.input('<C-s>');
    const l = await legacy;
    expect(l.err).toBeNull();
    expect(texts(l as never)).toContain('- Name: Ada');

    const modern = callWithin('modern', 'deploy', { env: 'prod' }, 1500);
    await elicitForm();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await retype('confirm', 'true');
    await nv.nvim.input('<C-s>');
    const m = await modern;
    expect(m.err).toBeNull();
    expect(texts(m as never)).toBe('deploy prod: accept {"confirm":true,"note":"routine"}');
  });

  it("a chat's tool call shows that it waits on the person while the form is open, and stops saying so once answered", async () => {
    await everything();
    await nv.lua(`_G.waits = {}
      _G.chat_done = nil
      require("mcp.chat").run({ name = "everything__trigger-elicitation-request", arguments = "{}" }, {
        approval = false,
        on_wait = function(note) table.insert(_G.waits, note or "(answered)") end,
      }, function(err, result) _G.chat_done = { err = err or vim.NIL, text = result.text } end)`);
    await elicitForm();
    const waits = await nv.waitFor<string[]>('#_G.waits > 0 and _G.waits', { message: 'the waiting note' });
    expect(waits).toEqual(['⏳ waiting for you: everything asks for your input: Please provide inputs for the following fields: (:Mcp asks)']);
    await nv.nvim.input('<C-d>');
    const done = await nv.waitFor<{ text: string }>('_G.chat_done', { message: 'the chat call to end' });
    expect(done.text).toContain('User declined');
    expect(await nv.lua('return _G.waits')).toEqual([waits[0], '(answered)']);
  });
});
