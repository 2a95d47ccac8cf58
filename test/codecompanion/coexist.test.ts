/**
 * mcp.nvim's CodeCompanion extension beside CodeCompanion's own MCP client and a user's own tools, in the
 * real CodeCompanion v19 on Neovim 0.12: both clients' groups reach the model without a clash, the
 * extension never overwrites or removes a tools-config entry it did not create, servers whose names differ
 * only in characters a group name cannot hold get groups of their own, and a server's `instructions` reach
 * the model in its group's system prompt. Servers: the real server-everything (for both clients) and
 * test/servers/chat-peer.mjs (which sends instructions). The one fake is the model
 * (test/helpers/fake-llm.ts: no LLM runs here).
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { codecompanionNvim, startChat, type ChatSession } from '../helpers/codecompanion.js';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js';
import { EVERYTHING, everythingStdio, waitStatus } from '../helpers/mcp.js';
import { repoRoot } from '../helpers/nvim.js';

const nvim = codecompanionNvim();
const CHAT_PEER = join(repoRoot, 'test', 'servers', 'chat-peer.mjs');
const PEER_INSTRUCTIONS = 'Test server of mcp.nvim: wait, fail and add_tool.';

/**
 * CodeCompanion set up as a user who has both: its own MCP client with server-everything (started with
 * the first chat, `default_servers`), a tool of their own named as mcp.nvim names everything's echo, and
 * mcp.nvim's extension.
 */
const config = `{
  extensions = { mcp = { callback = "codecompanion._extensions.mcp", opts = {} } },
  mcp = {
    servers = { everything = { cmd = { "node", ${JSON.stringify(EVERYTHING)}, "stdio" } } },
    opts = { default_servers = { "everything" } },
  },
  interactions = { chat = { tools = {
    everything__echo = {
      description = "the user's own echo",
      callback = function()
        return {
          name = "everything__echo",
          cmds = { function() return { status = "success", data = "mine" } end },
          schema = { type = "function", ["function"] = { name = "everything__echo", description = "the user's own echo",
            parameters = { type = "object", properties = {} } } },
        }
      end,
    },
  } } },
}`;

/** The `description` of a tools-config entry, or nil. */
const toolDesc = (name: string) =>
  `(require("codecompanion.config").interactions.chat.tools[${JSON.stringify(name)}] or {}).description`;

/** The text of a message's content (a string, or text parts). */
function text(c: unknown): string {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p: { text?: string }) => p.text ?? '').join('');
  return JSON.stringify(c);
}

describe.skipIf(!nvim)(`CodeCompanion extension beside CodeCompanion's MCP client (nvim ${nvim?.full ?? '0.12'})`, () => {
  let llm: FakeLlm;
  let chat: ChatSession;

  beforeEach(async () => {
    llm = await startFakeLlm();
    chat = await startChat({
      llm,
      config,
      nvim: {
        config: {
          servers: {
            everything: everythingStdio(),
            'a.b': { command: 'node', args: [CHAT_PEER] },
            a_b: { command: 'node', args: [CHAT_PEER] },
          },
        },
      },
    });
    await chat.nv.lua('for _, n in ipairs({ "everything", "a.b", "a_b" }) do require("mcp").start(n) end');
    for (const n of ['everything', 'a.b', 'a_b']) await waitStatus(chat.nv, n, 'connected', 30_000);
    await chat.nv.waitFor(
      `local g = require("codecompanion.config").interactions.chat.tools.groups
       local ext = require("codecompanion._extensions.mcp")
       return g.mcp_everything ~= nil and g[ext.group_name("a.b")] ~= nil and g.mcp_a_b ~= nil`,
      { message: "the extension's groups to be registered", timeoutMs: 20_000 },
    );
  }, 90_000);
  afterEach(async () => {
    await chat?.quit();
    await llm.close();
  });

  it("both clients' groups reach the model, each with its own tools", async () => {
    await chat.open();
    // CodeCompanion's own client starts its server with the chat; wait for its tools.
    await chat.nv.waitFor('((require("codecompanion.mcp").get_status() or {}).everything or {}).tool_count > 0', {
      message: "CodeCompanion's MCP client to load everything's tools",
      timeoutMs: 30_000,
    });
    llm.script({ text: 'Both are here.' });
    await chat.send('Use @{mcp_everything} and @{mcp:everything} please');
    const reply = await chat.waitForReply();

    const [first] = await llm.waitForRequests(1);
    const offered = first!.body.tools?.map((t) => t.function.name) ?? [];
    // mcp.nvim's group (its names: `{server}__{tool}`) and CodeCompanion's (`{server}_{tool}`).
    expect(offered).toContain('everything__get-sum');
    expect(offered).toContain('everything_get-sum');
    expect(offered).toContain('everything_echo');
    expect(new Set(offered).size).toBe(offered.length);
    expect(reply.join('\n')).toContain('Both are here.');
    expect((await chat.errors()).errmsg).toBe('');
  });

  it("a user's tool of the same name is neither overwritten nor removed; the clash is said once", async () => {
    expect(await chat.nv.lua<string>(`return ${toolDesc('everything__echo')}`)).toBe("the user's own echo");
    // The extension's own tools of that server are there, its group leaves the taken name out.
    expect(await chat.nv.lua<string | null>(`return ${toolDesc('everything__get-sum')}`)).toContain('(MCP server everything)');
    const members = await chat.nv.lua<string[]>(
      'return require("codecompanion.config").interactions.chat.tools.groups.mcp_everything.tools',
    );
    expect(members).toContain('everything__get-sum');
    expect(members).not.toContain('everything__echo');

    // Registering again and stopping the server (the extension removes what it registered) leave it alone.
    await chat.nv.lua('require("codecompanion._extensions.mcp").register()');
    await chat.nv.lua('require("mcp").stop("everything")');
    await waitStatus(chat.nv, 'everything', 'stopped', 15_000);
    await chat.nv.waitFor(`return ${toolDesc('everything__get-sum')} == nil`, {
      message: "the extension to remove everything's tools",
    });
    expect(await chat.nv.lua<string>(`return ${toolDesc('everything__echo')}`)).toBe("the user's own echo");

    const { messages } = await chat.errors();
    const said = messages.split('\n').filter((l) => l.includes('"everything__echo" is taken'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('everything/echo is not offered');
  });

  it('servers `a.b` and `a_b` get a group each, and the group carries the server instructions to the model', async () => {
    const groups = await chat.nv.lua<Record<string, string[]>>(
      `local g = require("codecompanion.config").interactions.chat.tools.groups
       local ext = require("codecompanion._extensions.mcp")
       return { dotted = { ext.group_name("a.b"), unpack(g[ext.group_name("a.b")].tools) }, plain = { "mcp_a_b", unpack(g.mcp_a_b.tools) } }`,
    );
    const [dottedGroup, ...dottedTools] = groups.dotted!;
    const [, ...plainTools] = groups.plain!;
    expect(dottedGroup).toMatch(/^mcp_a_b_[0-9a-f]{8}$/);
    const resolve = (names: string[]) =>
      chat.nv.lua<string[]>('local out = {} for _, n in ipairs(...) do out[#out + 1] = (require("mcp.chat").resolve(n)) end return out', names);
    expect(new Set(await resolve(dottedTools))).toEqual(new Set(['a.b']));
    expect(new Set(await resolve(plainTools))).toEqual(new Set(['a_b']));

    llm.script({ text: 'I know how to wait.' });
    await chat.send(`Use @{${dottedGroup}} please`);
    await chat.waitForReply();
    const [first] = await llm.waitForRequests(1);
    const system = first!.body.messages.filter((m) => m.role === 'system').map((m) => text(m.content)).join('\n');
    expect(system).toContain('You can use the tools of the MCP server `a.b`.');
    expect(system).toContain(`Instructions from that server:\n${PEER_INSTRUCTIONS}`);
    const offered = first!.body.tools?.map((t) => t.function.name) ?? [];
    expect(offered.sort()).toEqual([...dottedTools].sort());
  });
});
