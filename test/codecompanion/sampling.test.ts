/**
 * The `codecompanion` sampling provider (|mcp-sampling-codecompanion|): a server's sampling request goes to
 * the model of the CodeCompanion chat in use, through CodeCompanion's own HTTP client and adapter, in the
 * real CodeCompanion v19 on Neovim 0.12. The model is the one fake (test/helpers/fake-llm.ts: no LLM runs
 * here); the server is test/servers/sampler.mjs (a request with a tool, and a tool loop).
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codecompanionNvim, startChat, type ChatSession } from '../helpers/codecompanion.js';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js';
import { callTool, waitStatus } from '../helpers/mcp.js';
import { repoRoot } from '../helpers/nvim.js';

const nvim = codecompanionNvim();
const SAMPLER = { command: 'node', args: [join(repoRoot, 'test', 'servers', 'sampler.mjs')] };

describe.skipIf(!nvim)(`sampling through CodeCompanion (nvim ${nvim?.full ?? '0.12'})`, () => {
  let llm: FakeLlm;
  let chat: ChatSession;

  beforeEach(async () => {
    llm = await startFakeLlm({ model: 'chat-model' });
    chat = await startChat({ llm, nvim: { config: { mcpServers: { sampler: SAMPLER } } } });
    await chat.nv.lua(`require("mcp").setup({ sampling = { provider = "codecompanion" } })`);
  }, 60_000);
  afterEach(async () => {
    await chat?.quit();
    await llm.close();
  });

  /** Waits for the sampling window of `kind` to be current; its lines. */
  const win = (kind: string) =>
    chat.nv.waitFor<string[]>(
      `local buf = vim.api.nvim_get_current_buf()
       if vim.b[buf].mcp_kind ~= '${kind}' then return nil end
       return vim.api.nvim_buf_get_lines(buf, 0, -1, false)`,
      { message: `the ${kind} window`, timeoutMs: 20_000 },
    );
  const texts = (out: Awaited<ReturnType<typeof callTool>>) => (out.result?.content ?? []).map((c) => c.text ?? '').join('\n');

  it("the chat's model answers a server's request, tool calls included, reviewed in both windows", async () => {
    await chat.open();
    await chat.nv.lua('require("mcp").start("sampler")');
    await waitStatus(chat.nv, 'sampler', 'connected', 30_000);
    llm.script({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' }, id: 'call_o' }] }, { text: 'Sunny in Oslo.' });
    const call = callTool(chat.nv, 'sampler', 'weather_agent', { city: 'Oslo' }, 60_000);

    await win('sampling_request');
    await chat.nv.nvim.input('<C-s>');
    let lines = await win('sampling_result');
    expect(lines).toContain('# the model answered sampler (through CodeCompanion)');
    expect(lines).toContain('model: chat-model');
    expect(lines).toContain('── tool_use 1: get_weather (id call_o; input as JSON) ──');
    const [first] = await llm.waitForRequests(1);
    // CodeCompanion's client, not streaming, with the chat adapter's model and the server's tool.
    expect(first!.body.stream).not.toBe(true);
    expect(first!.body.model).toBe('chat-model');
    expect(first!.body.messages.at(-1)).toMatchObject({ role: 'user', content: 'What is the weather in Oslo?' });
    expect(first!.body.tools?.map((t) => t.function.name)).toEqual(['get_weather']);
    await chat.nv.nvim.input('<C-s>');

    await win('sampling_request');
    await chat.nv.nvim.input('<C-s>');
    lines = await win('sampling_result');
    expect(lines).toContain('Sunny in Oslo.');
    const [, second] = await llm.waitForRequests(2);
    const tool = second!.body.messages.find((m) => m.role === 'tool');
    expect(tool).toMatchObject({ tool_call_id: 'call_o', content: 'Oslo: sunny, 21 °C' });
    const assistant = second!.body.messages.find((m) => m.role === 'assistant');
    expect(assistant?.tool_calls?.[0]).toMatchObject({ id: 'call_o', function: { name: 'get_weather' } });
    await chat.nv.nvim.input('<C-s>');

    const out = await call;
    expect(out.err).toBeNull();
    const [r1, r2] = texts(out).split('\n').map((l) => JSON.parse(l.replace(/^round \d: /, '')));
    expect(r1.content).toEqual([{ type: 'tool_use', id: 'call_o', name: 'get_weather', input: { city: 'Oslo' } }]);
    expect(r2).toMatchObject({ model: 'chat-model', stopReason: 'endTurn', content: { type: 'text', text: 'Sunny in Oslo.' } });
    expect(llm.unscripted()).toEqual([]);
  });

  it('without a chat open, the default chat adapter answers; an HTTP error reaches the server as the error', async () => {
    await chat.nv.lua('require("mcp").start("sampler")');
    await waitStatus(chat.nv, 'sampler', 'connected', 30_000);
    llm.script({ status: 500, error: 'the model is overloaded' });
    const call = callTool(chat.nv, 'sampler', 'ask_model', { prompt: 'Hello?' }, 60_000);
    await win('sampling_request');
    await chat.nv.nvim.input('<C-s>');
    const out = await call;
    expect(texts(out)).toMatch(/^sampling failed: code -32603: .*CodeCompanion: 500 error/);
    expect(texts(out)).toContain('the model is overloaded');
    const [req] = await llm.waitForRequests(1);
    expect(req!.body.messages).toEqual([
      { role: 'system', content: 'You answer in one word.' },
      { role: 'user', content: 'Hello?' },
    ]);
  });
});
