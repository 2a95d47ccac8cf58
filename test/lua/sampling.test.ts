/**
 * Sampling (|mcp-sampling|): a server asks the editor for a model's completion. The request is shown in a
 * window, edited with keys and sent (`<C-s>`) or declined (`<C-d>`); the model's answer is shown the same
 * way before it goes back. Providers: the host's OpenAI-compatible client against a local endpoint (the
 * one fake: no LLM runs here, test/helpers/fake-llm.ts), and a Lua function given to setup(). Servers:
 * server-everything's own `trigger-sampling-request` (offered only to a client that declares sampling),
 * test/servers/sampler.mjs (tools, hints, a request it withdraws; 2025-11-25) and
 * test/servers/modern-sampling.mjs (an `input_required` round; 2026-07-28).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { callTool, everythingStdio, waitStatus } from '../helpers/mcp.js';
import { Defaults } from '../../src/contract/defaults.js';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js';

const SAMPLER = { command: 'node', args: [join(repoRoot, 'test', 'servers', 'sampler.mjs')] };
const MODERN_SAMPLING = { command: 'node', args: [join(repoRoot, 'test', 'servers', 'modern-sampling.mjs')] };

/** Records vim.notify messages in _G.notes. */
const RECORD_NOTES = `_G.notes = {}; vim.notify = function(m) table.insert(_G.notes, m) end`;

/** A Lua provider function that answers with the request's last text, and keeps the request in _G.seen. */
const LUA_PROVIDER = `function(req, done)
  _G.seen = req
  local last = req.messages[#req.messages].content
  done(nil, { model = req.model or 'lua-model', stopReason = 'endTurn', content = { type = 'text', text = 'echo: ' .. (last.text or '?') } })
end`;

const texts = (out: Awaited<ReturnType<typeof callTool>>) => (out.result?.content ?? []).map((c) => c.text ?? '').join('\n');

describe.each(nvimBinaries())('sampling on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  let llm: FakeLlm | undefined;
  afterEach(async () => {
    await nv?.quit();
    await llm?.close();
    llm = undefined;
  });

  /** Neovim with `servers` and `setup({ sampling = <lua> })` (nil: no provider). */
  async function start(servers: Record<string, unknown>, sampling?: string, env?: Record<string, string>): Promise<NvimInstance> {
    nv = await startNvim(bin, { config: { mcpServers: servers }, ...(env ? { env } : {}) });
    await nv.lua(RECORD_NOTES);
    if (sampling) await nv.lua(`require("mcp").setup({ sampling = ${sampling} })`);
    return nv;
  }

  /** Waits for the sampling window of `kind` to be current; its lines. */
  const win = (kind: 'sampling_request' | 'sampling_result') =>
    nv.waitFor<string[]>(
      `local buf = vim.api.nvim_get_current_buf()
       if vim.b[buf].mcp_kind ~= '${kind}' then return nil end
       return vim.api.nvim_buf_get_lines(buf, 0, -1, false)`,
      { message: `the ${kind} window`, timeoutMs: 15_000 },
    );
  /** Replaces the line starting with `prefix` by typing over it, as a person would (`0C`: no autoindent added). */
  const retype = async (prefix: string, line: string) => {
    await nv.lua(
      `local prefix = ...
       for i, l in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
         if vim.startswith(l, prefix) then vim.api.nvim_win_set_cursor(0, { i, 0 }) return end
       end
       error('no line ' .. prefix)`,
      prefix,
    );
    await nv.nvim.input(`0C${line}<Esc>`);
    await nv.waitFor(`vim.api.nvim_get_current_line() == ${JSON.stringify(line)} and vim.api.nvim_get_mode().mode == 'n'`);
  };
  const floats = () => nv.lua<number>('return #vim.tbl_filter(function(w) return vim.api.nvim_win_get_config(w).relative ~= "" end, vim.api.nvim_list_wins())');
  const notes = () => nv.lua<string[]>('return _G.notes');

  it('without a provider, sampling is not declared: server-everything offers no trigger-sampling-request', async () => {
    await start({ everything: everythingStdio() });
    await waitStatus(nv, 'everything');
    await nv.waitFor(`vim.iter(require("mcp").tools("everything")):any(function(t) return t.name == "echo" end)`);
    const names = await nv.lua<string[]>('return vim.tbl_map(function(t) return t.name end, require("mcp").tools("everything"))');
    expect(names).not.toContain('trigger-sampling-request');
    expect(names).toContain('trigger-elicitation-request');
  });

  it("server-everything's request, edited, goes to the OpenAI-compatible endpoint; the edited answer goes back", async () => {
    llm = await startFakeLlm({ model: 'local-model', turns: [{ text: 'The model says hi.' }] });
    await start(
      { everything: everythingStdio() },
      `{ provider = 'openai', openai = { url = '${llm.url}/v1', model = 'local-model', api_key_env = 'MCP_TEST_SAMPLING_KEY' } }`,
      { MCP_TEST_SAMPLING_KEY: 'sk-test-secret-4711' },
    );
    await waitStatus(nv, 'everything');
    await nv.waitFor(`vim.iter(require("mcp").tools("everything")):any(function(t) return t.name == "trigger-sampling-request" end)`, {
      message: 'trigger-sampling-request in the tool list',
    });
    const call = callTool(nv, 'everything', 'trigger-sampling-request', { prompt: 'hello there', maxTokens: 80 }, 60_000);
    const lines = await win('sampling_request');
    expect(lines[0]).toBe('# everything asks to sample a model');
    expect(lines).toContain('max tokens: 80');
    expect(lines).toContain('temperature: 0.7');
    expect(lines).toContain('── system prompt ──');
    expect(lines).toContain('You are a helpful test server.');
    expect(lines).toContain('── message 1: user ──');
    expect(lines).toContain('Resource trigger-sampling-request context: hello there');
    // The cursor waits on the last message's text.
    expect(await nv.lua('return vim.api.nvim_get_current_line()')).toBe('Resource trigger-sampling-request context: hello there');
    await nv.nvim.input('A, edited<Esc>');
    await retype('max tokens:', 'max tokens: 42');
    await nv.nvim.input('<C-s>');
    const result = await win('sampling_result');
    const [req] = await llm.waitForRequests(1);
    expect(req!.body.max_tokens).toBe(42);
    expect(req!.body.model).toBe('local-model');
    expect(req!.body.temperature).toBe(0.7);
    expect(req!.body.messages).toEqual([
      { role: 'system', content: 'You are a helpful test server.' },
      { role: 'user', content: 'Resource trigger-sampling-request context: hello there, edited' },
    ]);
    // The key from the environment, in the header only.
    expect(req!.headers.authorization).toBe('Bearer sk-test-secret-4711');
    expect(result).toContain('model: local-model');
    expect(result).toContain('stop reason: endTurn');
    expect(result).toContain('The model says hi.');
    await retype('The model says hi.', 'The model says hi, and the person edited this.');
    await nv.nvim.input('<C-s>');
    const out = await call;
    expect(out.err).toBeNull();
    const text = texts(out);
    expect(text).toContain('"text": "The model says hi, and the person edited this."');
    expect(text).toContain('"model": "local-model"');
    expect(text).toContain('"stopReason": "endTurn"');
    expect(await floats()).toBe(0);
    // :checkhealth says which provider answers and that the key is set, never the key.
    await nv.lua('pcall(vim.cmd, "checkhealth mcp")');
    const health = (await nv.bufferLines()).join('\n');
    expect(health).toContain(`provider: OpenAI-compatible endpoint ${llm.url}/v1, model local-model (with tools)`);
    expect(health).toContain('API key from $MCP_TEST_SAMPLING_KEY (set)');
    expect(health).not.toContain('sk-test-secret-4711');
    const log = readFileSync(join(nv.dirs.log, 'mcp.log'), 'utf8');
    expect(log).toContain('sampling: asking the endpoint');
    expect(log).not.toContain('sk-test-secret-4711');
  });

  it('declining the request or the answer gives the server -1 "User rejected sampling request"', async () => {
    await start({ sampler: SAMPLER }, `{ provider = ${LUA_PROVIDER} }`);
    await waitStatus(nv, 'sampler');
    // The request, declined.
    let call = callTool(nv, 'sampler', 'ask_model', { prompt: 'Yes or no?' }, 60_000);
    await win('sampling_request');
    await nv.nvim.input('<C-d>');
    let out = await call;
    // The SDK v1 server prefixes the wire message with "MCP error <code>: ".
    expect(texts(out)).toBe('sampling failed: code -1: MCP error -1: User rejected sampling request');
    expect(await nv.lua('return _G.seen')).toBeNull();
    // The answer, declined (from Insert mode, where <C-d> works too).
    call = callTool(nv, 'sampler', 'ask_model', { prompt: 'Yes or no?' }, 60_000);
    await win('sampling_request');
    await nv.nvim.input('<C-s>');
    const lines = await win('sampling_result');
    expect(lines).toContain('echo: Yes or no?');
    await nv.nvim.input('i<C-d>');
    out = await call;
    expect(texts(out)).toBe('sampling failed: code -1: MCP error -1: User rejected sampling request');
    expect(await floats()).toBe(0);
    expect(await nv.lua('return require("mcp.asks").pending()')).toEqual([]);
  });

  it('a Lua provider gets the approved request with the model its hints chose; auto_approve skips both windows', async () => {
    await start({ sampler: SAMPLER }, `{ provider = ${LUA_PROVIDER}, models = { 'llama3.1:8b', 'qwen2.5-coder:7b' }, auto_approve = { 'sampler' } }`);
    await waitStatus(nv, 'sampler');
    // Typing meanwhile: an auto-approved request has no window to wait for.
    await nv.nvim.input('i');
    await nv.waitFor('vim.api.nvim_get_mode().mode == "i"');
    const out = await callTool(nv, 'sampler', 'ask_model', { prompt: 'Colour?', hints: ['gpt-4', 'qwen'] }, 30_000);
    expect(await nv.lua('return vim.api.nvim_get_mode().mode')).toBe('i');
    expect(out.err).toBeNull();
    const answer = JSON.parse(texts(out).replace(/^answer: /, ''));
    expect(answer).toEqual({ model: 'qwen2.5-coder:7b', role: 'assistant', stopReason: 'endTurn', content: { type: 'text', text: 'echo: Colour?' } });
    const seen = await nv.lua<Record<string, unknown>>('return _G.seen');
    expect(seen.server).toBe('sampler');
    expect(seen.model).toBe('qwen2.5-coder:7b');
    expect(seen.systemPrompt).toBe('You answer in one word.');
    expect(seen.maxTokens).toBe(50);
    expect(seen.stopSequences).toEqual(['END']);
    expect(await floats()).toBe(0);
  });

  it("tools in sampling: the model's tool call is shown as JSON, edited, and the server's second round carries its result", async () => {
    llm = await startFakeLlm({
      model: 'tool-model',
      turns: [{ toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' }, id: 'call_w1' }] }, { text: 'It is sunny in Lyon.' }],
    });
    await start({ sampler: SAMPLER }, `{ provider = 'openai', openai = { url = '${llm.url}/v1', model = 'tool-model' } }`);
    await waitStatus(nv, 'sampler');
    const call = callTool(nv, 'sampler', 'weather_agent', { city: 'Paris' }, 60_000);
    let lines = await win('sampling_request');
    expect(lines).toContain('# tools offered (tool choice auto):');
    expect(lines).toContain('#   get_weather: The weather in a city');
    await nv.nvim.input('<C-s>');
    lines = await win('sampling_result');
    expect(lines).toContain('stop reason: toolUse');
    expect(lines).toContain('── tool_use 1: get_weather (id call_w1; input as JSON) ──');
    const [first] = await llm.waitForRequests(1);
    expect(first!.body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'The weather in a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ]);
    expect(first!.body.tool_choice).toBe('auto');
    expect(lines).toContain('  "city": "Paris"');
    await retype('  "city": "Paris"', '  "city": "Lyon"');
    await nv.nvim.input('<C-s>');
    // Round 2: the tool call and its result, reviewed and sent.
    lines = await win('sampling_request');
    expect(lines.some((l) => l.startsWith('── message 2: assistant · tool_use get_weather {"city":"Lyon"}'))).toBe(true);
    expect(lines.some((l) => l.startsWith('── message 3: user · tool_result for call_w1: "Lyon: sunny, 21 °C"'))).toBe(true);
    await nv.nvim.input('<C-s>');
    await win('sampling_result');
    const [, second] = await llm.waitForRequests(2);
    expect(second!.body.messages.slice(1)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } }] },
      { role: 'tool', tool_call_id: 'call_w1', content: 'Lyon: sunny, 21 °C' },
    ]);
    await nv.nvim.input('<C-s>');
    const out = await call;
    const [r1, r2] = texts(out).split('\n').map((l) => JSON.parse(l.replace(/^round \d: /, '')));
    expect(r1).toEqual({
      role: 'assistant',
      model: 'tool-model',
      stopReason: 'toolUse',
      content: [{ type: 'tool_use', id: 'call_w1', name: 'get_weather', input: { city: 'Lyon' } }],
    });
    expect(r2).toEqual({ role: 'assistant', model: 'tool-model', stopReason: 'endTurn', content: { type: 'text', text: 'It is sunny in Lyon.' } });
  });

  it('a server that cancels its request closes the window and says why', async () => {
    await start({ sampler: SAMPLER }, `{ provider = ${LUA_PROVIDER} }`);
    await waitStatus(nv, 'sampler');
    const call = callTool(nv, 'sampler', 'ask_then_cancel', {}, 60_000);
    await win('sampling_request');
    await callTool(nv, 'sampler', 'cancel_pending');
    const out = await call;
    expect(texts(out)).toContain('cancelled by the server');
    await nv.waitFor(`vim.b.mcp_kind == nil`, { message: 'the sampling window to close' });
    expect(await floats()).toBe(0);
    await nv.waitFor(() => notes().then((n) => n.find((m) => m.includes('withdrawn') && m.includes('no longer needed'))), {
      message: 'a note that the request was withdrawn',
    });
  });

  it("a server that cancels while the endpoint thinks stops the provider's HTTP request", async () => {
    llm = await startFakeLlm({ turns: [{ stall: true }] });
    await start({ sampler: SAMPLER }, `{ provider = 'openai', openai = { url = '${llm.url}/v1', model = 'fake-model' }, auto_approve = true }`);
    await waitStatus(nv, 'sampler');
    const call = callTool(nv, 'sampler', 'ask_then_cancel', {}, 60_000);
    const [req] = await llm.waitForRequests(1);
    await callTool(nv, 'sampler', 'cancel_pending');
    expect(texts(await call)).toContain('cancelled by the server');
    await nv.waitFor(() => req!.closedByClient, { message: 'the endpoint to see its request closed' });
  });

  /** `call_tool` with a short `timeout_ms` (ms); the test waits up to 60 s for it. */
  const callWithin = (server: string, tool: string, args: Record<string, unknown>, ms: number) => callTool(nv, server, tool, args, 60_000, ms);

  it("a call whose server samples does not time out while a slow model answers (auto-approved)", async () => {
    // The provider answers after longer than the call's whole budget and the Neovim side's guard (budget +
    // timeout_margin_ms): a slow local model. Not a timing assertion: the outcome is what is checked.
    const slowMs = 1000 + Defaults.timeout_margin_ms + 1000;
    await start(
      { sampler: SAMPLER },
      `{ provider = function(req, done)
          vim.defer_fn(function() done(nil, { model = 'slow-model', stopReason = 'endTurn', content = { type = 'text', text = 'late but here' } }) end, ${slowMs})
        end, auto_approve = { 'sampler' } }`,
    );
    await waitStatus(nv, 'sampler');
    const auto = await callWithin('sampler', 'ask_model', { prompt: 'Colour?' }, 1000);
    expect(auto.err).toBeNull();
    expect((auto.result?.content ?? []).map((c) => c.text).join('')).toContain('late but here');
  });

  it("a call whose server samples does not time out while the person reads the request for longer than the call's budget", async () => {
    const slowMs = 1000 + Defaults.timeout_margin_ms + 1000;
    await start({ sampler: SAMPLER }, `{ provider = ${LUA_PROVIDER} }`);
    await waitStatus(nv, 'sampler');
    const asked = callWithin('sampler', 'ask_model', { prompt: 'Size?' }, 1000);
    await win('sampling_request');
    await new Promise((resolve) => setTimeout(resolve, slowMs));
    await nv.nvim.input('<C-s>');
    await win('sampling_result');
    await nv.nvim.input('<C-s>');
    const out = await asked;
    expect(out.err).toBeNull();
    expect((out.result?.content ?? []).map((c) => c.text).join('')).toContain('echo: Size?');
  });

  it('a 2026-07-28 server samples through an input_required round: the same windows', async () => {
    await start({ modern: MODERN_SAMPLING }, `{ provider = ${LUA_PROVIDER} }`);
    const snap = await waitStatus(nv, 'modern');
    expect(snap.protocol_version).toBe('2026-07-28');
    const call = callTool(nv, 'modern', 'summarize', { text: 'a long story' }, 60_000);
    const lines = await win('sampling_request');
    expect(lines[0]).toBe('# modern asks to sample a model');
    expect(lines).toContain('You summarize in five words.');
    expect(lines).toContain('max tokens: 60');
    await nv.nvim.input('<C-s>');
    const result = await win('sampling_result');
    expect(result).toContain('echo: Summarize: a long story');
    await nv.nvim.input('<C-s>');
    const out = await call;
    expect(out.err).toBeNull();
    expect(texts(out)).toBe('summary by lua-model: echo: Summarize: a long story');
  });
});
