/**
 * mcp.nvim's CodeCompanion extension (lua/codecompanion/_extensions/mcp/) in the real CodeCompanion v19 on
 * Neovim 0.12, against the real server-everything. The one fake is the model (test/helpers/fake-llm.ts:
 * no LLM runs here); it calls the tools a person's chat offers it and records what comes back.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitApproval } from '../helpers/approval.js';
import { codecompanionNvim, startChat, type ChatSession } from '../helpers/codecompanion.js';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js';
import { everythingStdio, waitStatus } from '../helpers/mcp.js';

const nvim = codecompanionNvim();

/** CodeCompanion loads the extension as a user's setup does. */
const extension = `{ extensions = { mcp = { callback = "codecompanion._extensions.mcp", opts = {} } } }`;

/** The text of a tool message (a string, or text parts). */
function content(c: unknown): string {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p: { text?: string }) => p.text ?? '').join('');
  return JSON.stringify(c);
}

describe.skipIf(!nvim)(`CodeCompanion extension (nvim ${nvim?.full ?? '0.12'})`, () => {
  let llm: FakeLlm;
  let chat: ChatSession;

  beforeEach(async () => {
    llm = await startFakeLlm();
    chat = await startChat({
      llm,
      config: extension,
      nvim: { config: { servers: { everything: everythingStdio() } } },
    });
    await chat.nv.lua('require("mcp").start("everything")');
    await waitStatus(chat.nv, 'everything', 'connected', 30_000);
    // The extension registers the server's group once it is connected (User McpServerChanged).
    await chat.nv.waitFor(
      '(require("codecompanion.config").interactions.chat.tools.groups.mcp_everything or { tools = {} }).tools[1] ~= nil',
      { message: 'the mcp_everything group to be registered' },
    );
  }, 60_000);
  afterEach(async () => {
    await chat?.quit();
    await llm.close();
  });

  const echo = () => chat.nv.lua<string>('return require("mcp.chat").name("everything", "echo")');
  /** mcp.nvim's approval window for a model's call (|mcp-approval|), once it has the focus: its lines. */
  const approval = () => waitApproval(chat.nv, 20_000);

  it('the model calls echo through the server group, the result reaches the model and the answer shows', async () => {
    const name = await echo();
    expect(name).toBe('everything__echo');
    llm.script({ toolCalls: [{ name, arguments: { message: 'hi from the chat' } }] }, { text: 'The server echoed your words.' });

    await chat.send('Use @{mcp_everything} to echo: hi from the chat');
    // The model's call waits for the person: mcp.nvim asks, CodeCompanion's own approval is off.
    const ask = await approval();
    expect(ask.join('\n')).toContain('hi from the chat');
    await chat.nv.nvim.input('a');
    const reply = await chat.waitForReply();

    const [first, second] = await llm.waitForRequests(2);
    const offered = first!.body.tools?.map((t) => t.function.name) ?? [];
    expect(offered).toContain(name);
    expect(offered).toContain('everything__get-sum');
    const result = second!.body.messages.find((m) => m.role === 'tool');
    expect(content(result?.content)).toContain('Echo: hi from the chat');
    expect(reply.join('\n')).toContain('The server echoed your words.');
    expect(llm.unscripted()).toEqual([]);
    expect((await chat.errors()).errmsg).toBe('');
  });

  it("a call whose server asks the person shows a waiting line in the chat until the form is answered", async () => {
    const name = 'everything__trigger-elicitation-request';
    await chat.nv.waitFor(`vim.iter(require("mcp").tools("everything")):any(function(t) return t.name == "trigger-elicitation-request" end)`);
    llm.script({ toolCalls: [{ name, arguments: {} }] }, { text: 'You declined, fine.' });
    await chat.send('Use @{mcp_everything} to ask me something');
    await approval();
    await chat.nv.nvim.input('a');
    await chat.nv.waitFor('vim.bo.filetype == "mcp_form" and vim.b.mcp_form_kind == "elicitation"', { message: 'the elicitation form', timeoutMs: 20_000 });
    const waiting = `local c = require("codecompanion").last_chat()
      local out = {}
      for _, m in ipairs(vim.api.nvim_buf_get_extmarks(c.bufnr, vim.api.nvim_create_namespace("mcp.codecompanion.waiting"), 0, -1, { details = true })) do
        out[#out + 1] = m[4].virt_lines[1][1][1]
      end
      return out`;
    const note = await chat.nv.waitFor<string[]>(`local t = (function() ${waiting} end)() return #t > 0 and t or nil`, { message: 'the waiting line in the chat' });
    expect(note).toEqual(['⏳ waiting for you: everything asks for your input: Please provide inputs for the following fields: (:Mcp asks)']);
    await chat.nv.nvim.input('<C-d>');
    const reply = await chat.waitForReply();
    expect(reply.join('\n')).toContain('You declined, fine.');
    expect(await chat.nv.lua(waiting)).toEqual([]);
    const [, second] = await llm.waitForRequests(2);
    expect(content(second!.body.messages.find((m) => m.role === 'tool')?.content)).toContain('User declined');
  });

  it('get-sum: its result reaches the model', async () => {
    llm.script({ toolCalls: [{ name: 'everything__get-sum', arguments: { a: 2, b: 40 } }] }, { text: 'It is 42.' });

    await chat.send('Use @{mcp_everything} to add 2 and 40');
    await approval();
    await chat.nv.nvim.input('a');
    const reply = await chat.waitForReply();

    const [, second] = await llm.waitForRequests(2);
    expect(content(second!.body.messages.find((m) => m.role === 'tool')?.content)).toContain('42');
    expect(reply.join('\n')).toContain('It is 42.');
  });

  it('a denied call: the reason reaches the model as the tool result', async () => {
    llm.script({ toolCalls: [{ name: 'everything__get-sum', arguments: { a: 1, b: 1 } }] }, { text: 'Understood, I will not.' });

    await chat.send('Use @{mcp_everything} to add 1 and 1');
    await approval();
    await chat.nv.nvim.input('r');
    await chat.nv.waitFor('vim.fn.mode() == "c"', { message: 'the reason prompt' });
    await chat.nv.nvim.input('not now<CR>');
    const reply = await chat.waitForReply();

    const [, second] = await llm.waitForRequests(2);
    const result = content(second!.body.messages.find((m) => m.role === 'tool')?.content);
    expect(result).toContain('not now');
    expect(result).not.toMatch(/\b2\b/);
    expect(reply.join('\n')).toContain('Understood, I will not.');
  });

  it("a server stopped mid-chat: its tools leave the next request's tool list", async () => {
    llm.script({ text: 'Ready.' }, { text: 'No tools now.' });
    await chat.send('Use @{mcp_everything} please');
    await chat.waitForReply();

    await chat.nv.lua('require("mcp").stop("everything")');
    await waitStatus(chat.nv, 'everything', 'stopped', 15_000);
    await chat.nv.waitFor('require("codecompanion.config").interactions.chat.tools.groups.mcp_everything == nil', {
      message: 'the group to be unregistered',
    });
    await chat.send('and now?');
    await chat.waitForReply();

    const [first, second] = await llm.waitForRequests(2);
    expect(first!.body.tools?.map((t) => t.function.name)).toContain('everything__echo');
    expect((second!.body.tools ?? []).map((t) => t.function.name).filter((n) => n.startsWith('everything__'))).toEqual([]);
  });
});
