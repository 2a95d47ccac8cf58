/**
 * The CodeCompanion test harness works: the real CodeCompanion v19 (with plenary, over curl) in a real
 * Neovim 0.12 talks to the fake model (test/helpers/fake-llm.ts: the one fake, since no LLM runs here),
 * shows its answers in the chat buffer, and runs a tool call through CodeCompanion's own tool machinery,
 * the loop mcp.nvim's CodeCompanion extension plugs into. mcp.nvim is loaded beside it throughout.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codecompanionNvim, startChat, type ChatSession } from '../helpers/codecompanion.js';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js';

const nvim = codecompanionNvim();

/**
 * A trivial tool registered through CodeCompanion's documented config (`interactions.chat.tools`, a
 * function-based tool as in its doc/extending/tools.md): no network, no approval.
 */
const reverseTool = `{
  interactions = { chat = { tools = {
    reverse_text = {
      description = "Reverse a text",
      callback = function()
        return {
          name = "reverse_text",
          cmds = {
            function(_, args)
              return { status = "success", data = string.reverse(args.text) }
            end,
          },
          schema = {
            type = "function",
            ["function"] = {
              name = "reverse_text",
              description = "Reverse the characters of a text",
              parameters = {
                type = "object",
                properties = { text = { type = "string", description = "The text to reverse" } },
                required = { "text" },
              },
            },
          },
          output = {
            success = function(self, stdout, meta)
              meta.tools.chat:add_tool_output(self, tostring(stdout[#stdout]))
            end,
          },
        }
      end,
    },
  } } },
}`;

describe.skipIf(!nvim)(`CodeCompanion harness (nvim ${nvim?.full ?? '0.12'})`, () => {
  let llm: FakeLlm;
  let chat: ChatSession | undefined;

  beforeEach(async () => {
    llm = await startFakeLlm();
  });
  afterEach(async () => {
    await chat?.quit();
    chat = undefined;
    await llm.close();
  });

  it('a message typed in the chat reaches the model and its answer shows in the chat buffer, mcp.nvim loaded beside', async () => {
    chat = await startChat({ llm });
    llm.script({ text: 'Hello from the fake model.' });

    await chat.send('hello');
    const lines = await chat.waitForReply();
    if (process.env.MCP_TEST_SHOW_CHAT === '1') process.stderr.write(lines.join('\n') + '\n');

    expect(lines.join('\n')).toContain('Hello from the fake model.');
    const [req] = await llm.waitForRequests(1);
    expect(req!.body.model).toBe(llm.model);
    expect(req!.body.stream).toBe(true);
    const users = req!.body.messages.filter((m) => m.role === 'user');
    expect(users.at(-1)?.content).toBe('hello');
    expect(llm.unscripted()).toEqual([]);

    // Both plugins are really loaded, and nothing raised.
    expect(await chat.nv.lua('return vim.g.loaded_mcp == true and vim.fn.exists(":Mcp") == 2')).toBe(true);
    expect(await chat.nv.lua('return package.loaded["codecompanion"] ~= nil and vim.fn.exists(":CodeCompanionChat") == 2')).toBe(true);
    const { errmsg, messages } = await chat.errors();
    expect(errmsg).toBe('');
    expect(messages).not.toMatch(/error|E\d+:/i);
  });

  it.each([
    { stream: true, how: 'streamed' },
    { stream: false, how: 'not streamed' },
  ])("a tool call ($how) runs through CodeCompanion's tool machinery and its result reaches the model", async ({ stream }) => {
    chat = await startChat({ llm, config: reverseTool, stream });
    llm.script(
      { toolCalls: [{ name: 'reverse_text', arguments: { text: 'stressed' } }] },
      { text: 'The reversed text is desserts.' },
    );

    await chat.send('Use @{reverse_text} on the word stressed');
    const lines = await chat.waitForReply();

    const [first, second] = await llm.waitForRequests(2);
    expect(first!.body.stream ?? false).toBe(stream);
    // The tool was offered with its schema.
    const offered = first!.body.tools?.map((t) => t.function.name);
    expect(offered).toContain('reverse_text');
    expect(first!.body.tools?.find((t) => t.function.name === 'reverse_text')?.function.parameters).toMatchObject({
      required: ['text'],
    });
    // The follow-up request carries the model's call and CodeCompanion's tool result for it.
    const msgs = second!.body.messages;
    const call = msgs.find((m) => m.role === 'assistant' && m.tool_calls?.length);
    expect(call?.tool_calls?.[0]?.function).toMatchObject({ name: 'reverse_text', arguments: '{"text":"stressed"}' });
    const result = msgs.find((m) => m.role === 'tool');
    expect(result).toMatchObject({ tool_call_id: call!.tool_calls![0]!.id, content: 'desserts' });
    // And the model's answer to it shows in the chat.
    expect(lines.join('\n')).toContain('The reversed text is desserts.');
    expect(llm.unscripted()).toEqual([]);
    expect((await chat.errors()).errmsg).toBe('');
  });

  it('stopping the chat while the model is answering closes the request and gives the chat back', async () => {
    chat = await startChat({ llm });
    llm.script({ stall: true }, { text: 'Second answer.' });

    await chat.send('a question the model never answers');
    const [req] = await llm.waitForRequests(1);
    await chat.stop();
    await chat.waitForReply();
    // curl was killed: the fake saw its connection close before it answered.
    await chat.nv.waitFor(() => req!.closedByClient, { message: 'the stalled request to be closed by the client' });

    // The chat takes the next message.
    await chat.send('and another');
    await chat.waitForReply();
    expect(await chat.text()).toContain('Second answer.');
    expect(llm.unscripted()).toEqual([]);
  });
});
