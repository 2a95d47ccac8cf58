/**
 * What mcp.nvim's CodeCompanion extension puts in front of the model, in the real CodeCompanion v19 on
 * Neovim 0.12 against the real server-everything: a tool's image (as an image part when the adapter has
 * vision, as a description otherwise), resource links, a prompt through the `/mcp_prompt` slash command,
 * resources through `/mcp_resource` and `#{mcp:...}` editor context. The one fake is the model
 * (test/helpers/fake-llm.ts: no LLM runs here); every assertion reads the request body it received.
 * The server is `auto_approve = true` here: approval has its own tests (extension.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { codecompanionNvim, startChat, type ChatSession } from '../helpers/codecompanion.js';
import { startFakeLlm, type ChatMessage, type FakeLlm } from '../helpers/fake-llm.js';
import { api, everythingStdio, waitStatus } from '../helpers/mcp.js';

const nvim = codecompanionNvim();

/** CodeCompanion loads the extension as a user's setup does. */
const extension = `{ extensions = { mcp = { callback = "codecompanion._extensions.mcp", opts = {} } } }`;

/** The text of a message's content (a string, or the text of its parts). */
function text(c: unknown): string {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p: { text?: string }) => p.text ?? '').join('');
  return JSON.stringify(c ?? '');
}

/** The image parts (`image_url`) of the messages. */
function imageUrls(messages: ChatMessage[]): string[] {
  return messages.flatMap((m) =>
    Array.isArray(m.content)
      ? (m.content as { type?: string; image_url?: { url: string } }[]).filter((p) => p.type === 'image_url').map((p) => p.image_url!.url)
      : [],
  );
}

describe.skipIf(!nvim)(`CodeCompanion extension: content for the model (nvim ${nvim?.full ?? '0.12'})`, () => {
  let llm: FakeLlm;
  let chat: ChatSession | undefined;

  /** A chat with server-everything connected and its group registered. */
  async function start(opts: { vision?: boolean } = {}): Promise<ChatSession> {
    llm = await startFakeLlm();
    const c = await startChat({
      llm,
      config: extension,
      vision: opts.vision,
      nvim: { config: { servers: { everything: { ...everythingStdio(), auto_approve: true } } } },
    });
    chat = c;
    await c.nv.lua('require("mcp").start("everything")');
    await waitStatus(c.nv, 'everything', 'connected', 30_000);
    await c.nv.waitFor(
      '(require("codecompanion.config").interactions.chat.tools.groups.mcp_everything or { tools = {} }).tools[1] ~= nil',
      { message: 'the mcp_everything group to be registered' },
    );
    return c;
  }

  afterEach(async () => {
    await chat?.quit();
    chat = undefined;
    await llm?.close();
  });

  /** The image get-tiny-image returns, as the server sends it (base64). */
  async function tinyImage(c: ChatSession): Promise<string> {
    const out = await api<{ content: { type: string; data?: string }[] }>(
      c.nv,
      'function(cb) require("mcp").call_tool("everything", "get-tiny-image", {}, cb) end',
    );
    const data = out.result?.content.find((b) => b.type === 'image')?.data;
    expect(data).toBeTruthy();
    return data!;
  }

  it('get-tiny-image: the image reaches a model with vision as an image part, after the tool result', async () => {
    const c = await start();
    const data = await tinyImage(c);
    llm.script({ toolCalls: [{ name: 'everything__get-tiny-image', arguments: {} }] }, { text: 'A tiny MCP logo.' });

    await c.send('Use @{mcp_everything} to show me the tiny image');
    const reply = await c.waitForReply();

    const [, second] = await llm.waitForRequests(2);
    const msgs = second!.body.messages;
    const toolAt = msgs.findIndex((m) => m.role === 'tool');
    expect(text(msgs[toolAt]!.content)).toMatch(/\[image image\/png, [\d.]+ KiB\]/);
    expect(text(msgs[toolAt]!.content)).toContain('follows in the next message');
    // The image itself: a user message after the tool result, an image_url part with the server's bytes.
    const urls = imageUrls(msgs.slice(toolAt + 1));
    expect(urls).toEqual([`data:image/png;base64,${data}`]);
    expect(reply.join('\n')).toContain('A tiny MCP logo.');
    expect((await c.errors()).errmsg).toBe('');
  });

  it('get-tiny-image: a model without vision reads a short description and gets no image', async () => {
    const c = await start({ vision: false });
    llm.script({ toolCalls: [{ name: 'everything__get-tiny-image', arguments: {} }] }, { text: 'I cannot see images.' });

    await c.send('Use @{mcp_everything} to show me the tiny image');
    await c.waitForReply();

    const [, second] = await llm.waitForRequests(2);
    const tool = second!.body.messages.find((m) => m.role === 'tool');
    expect(text(tool?.content)).toMatch(/\[image image\/png, [\d.]+ KiB\]/);
    expect(text(tool?.content)).not.toContain('next message');
    expect(imageUrls(second!.body.messages)).toEqual([]);
  });

  it('get-resource-links: each link reaches the model with its URI and MIME type', async () => {
    const c = await start();
    llm.script({ toolCalls: [{ name: 'everything__get-resource-links', arguments: { count: 2 } }] }, { text: 'Two links.' });

    await c.send('Use @{mcp_everything} to list two resource links');
    await c.waitForReply();

    const [, second] = await llm.waitForRequests(2);
    const result = text(second!.body.messages.find((m) => m.role === 'tool')?.content);
    expect(result).toContain('Here are 2 resource links');
    expect(result).toMatch(/\[resource link\] .* demo:\/\/resource\/dynamic\/blob\/1 /);
    expect(result).toMatch(/\[resource link\] .* demo:\/\/resource\/dynamic\/text\/2 text\/plain/);
  });

  it('/mcp_prompt: picked, its argument given in the form, the message goes into the chat and reaches the model', async () => {
    const c = await start();
    llm.script({ text: 'Sunny in Oslo.' });
    await c.open();
    // The picker (vim.ui.select, which a user's picker plugin replaces): chooses args-prompt, records what it showed.
    await c.nv.lua(`
      vim.ui.select = function(items, opts, on_choice)
        _G.__picked = { kind = opts.kind, labels = vim.tbl_map(opts.format_item, items) }
        for _, it in ipairs(items) do if it.name == "args-prompt" then return on_choice(it) end end
      end
      vim.o.completeopt = "menu,menuone"`);
    // Typed as a user does: the slash command, completed by CodeCompanion's omni completion, accepted.
    await c.nv.nvim.input('<Esc>GA/mcp_pro<C-x><C-o>');
    await c.nv.waitFor('vim.fn.pumvisible() == 1', { message: 'the completion menu' });
    await c.nv.nvim.input('<C-y>');
    const picked = await c.nv.waitFor<{ kind: string; labels: string[] }>('_G.__picked', { message: 'the prompt picker' });
    expect(picked.kind).toBe('mcp.prompt');
    expect(picked.labels.some((l) => l.startsWith('everything/args-prompt'))).toBe(true);
    // The argument form of :Mcp prompt; the cursor waits on the missing required value.
    await c.nv.waitFor('vim.bo.filetype == "mcp_form" and vim.api.nvim_get_current_line() == "city: "', {
      message: 'the argument form on the city field',
    });
    await c.nv.nvim.input('<Esc>AOslo<Esc><C-s>');
    await c.waitForText("What's weather in Oslo?");
    // The slash command's word is gone; the prompt's message waits for the user to send it.
    expect(await c.text()).not.toContain('/mcp_pro');

    await c.send('');
    const reply = await c.waitForReply();
    const [req] = await llm.waitForRequests(1);
    expect(text(req!.body.messages.filter((m) => m.role === 'user').at(-1)?.content)).toContain("What's weather in Oslo?");
    expect(reply.join('\n')).toContain('Sunny in Oslo.');
  });

  it('#{mcp:...}: a resource and an expanded resource template named in the message reach the model', async () => {
    const c = await start();
    llm.script({ text: 'Read both.' });
    const keys = await c.nv.lua<string[]>('return vim.tbl_keys(require("codecompanion._extensions.mcp.context").entries())');
    expect(keys).toContain('mcp:everything/architecture.md');
    expect(keys).toContain('mcp:everything/how-it-works.md');
    expect(keys).toContain('mcp:everything/Dynamic_Text_Resource');

    await c.send('Compare #{mcp:everything/architecture.md} with #{mcp:everything/Dynamic_Text_Resource}{7} please');
    await c.waitForReply();

    const [req] = await llm.waitForRequests(1);
    const users = req!.body.messages.filter((m) => m.role === 'user').map((m) => text(m.content));
    const doc = users.find((u) => u.includes('demo://resource/static/document/architecture.md'));
    expect(doc).toContain('MCP resource `demo://resource/static/document/architecture.md` (text/markdown) from the server `everything`');
    expect(doc).toMatch(/Architecture/i);
    const dyn = users.find((u) => u.includes('demo://resource/dynamic/text/7'));
    expect(dyn).toContain('Resource 7');
    // The user's words follow the context, with the references named.
    expect(users.at(-1)).toContain('Compare');
    expect(users.at(-1)).not.toContain('#{');
  });

  it('/mcp_resource: the picked resource goes into the chat as context and reaches the model', async () => {
    const c = await start();
    llm.script({ text: 'Got the features.' });
    await c.open();
    await c.nv.lua(`
      vim.ui.select = function(items, opts, on_choice)
        for _, it in ipairs(items) do if it.uri == "demo://resource/static/document/features.md" then return on_choice(it) end end
      end
      vim.o.completeopt = "menu,menuone"`);
    await c.nv.nvim.input('<Esc>GA/mcp_res<C-x><C-o>');
    await c.nv.waitFor('vim.fn.pumvisible() == 1', { message: 'the completion menu' });
    await c.nv.nvim.input('<C-y>');
    // The context item shows in the chat buffer.
    await c.waitForText('<mcp_resource>everything demo://resource/static/document/features.md</mcp_resource>');

    await c.send('What does it offer?');
    await c.waitForReply();
    const [req] = await llm.waitForRequests(1);
    const users = req!.body.messages.filter((m) => m.role === 'user').map((m) => text(m.content));
    expect(users.some((u) => u.includes('MCP resource `demo://resource/static/document/features.md`'))).toBe(true);
    expect(users.at(-1)).toContain('What does it offer?');
  });

  it('/mcp_resource: a picked template asks for its variable; the expanded resource reaches the model', async () => {
    const c = await start();
    llm.script({ text: 'Resource five it is.' });
    await c.open();
    await c.nv.lua(`
      vim.ui.select = function(items, opts, on_choice)
        for _, it in ipairs(items) do
          if it.kind == "template" and it.uriTemplate == "demo://resource/dynamic/text/{resourceId}" then return on_choice(it) end
        end
      end
      vim.o.completeopt = "menu,menuone"`);
    await c.nv.nvim.input('<Esc>GA/mcp_res<C-x><C-o>');
    await c.nv.waitFor('vim.fn.pumvisible() == 1', { message: 'the completion menu' });
    await c.nv.nvim.input('<C-y>');
    // The template's variable form, the cursor on the value it needs.
    await c.nv.waitFor('vim.bo.filetype == "mcp_form" and vim.api.nvim_get_current_line() == "resourceId: "', {
      message: 'the template form on the resourceId field',
    });
    await c.nv.nvim.input('<Esc>A5<Esc><C-s>');
    const shown = await c.waitForText('<mcp_resource>everything demo://resource/dynamic/text/5</mcp_resource>');
    // The slash command's word is gone.
    expect(shown.filter((l) => l.trim().startsWith('/mcp_res'))).toEqual([]);

    await c.send('What is in it?');
    await c.waitForReply();
    const [req] = await llm.waitForRequests(1);
    const users = req!.body.messages.filter((m) => m.role === 'user').map((m) => text(m.content));
    const resource = users.find((u) => u.includes('MCP resource `demo://resource/dynamic/text/5`'));
    expect(resource).toContain('Resource 5: This is a plaintext resource');
    expect(users.at(-1)).toContain('What is in it?');
  });
});
