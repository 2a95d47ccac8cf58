/**
 * mcp.nvim's CodeCompanion extension over a chat's life, in the real CodeCompanion v19 on Neovim 0.12:
 * what reaches the model follows the config and the servers (tools disabled by config never offered, a
 * tool a server adds offered in the next request), tool errors, allow-always, stopping the chat while a
 * call runs (the server receives `notifications/cancelled`) or waits for approval (the ask is withdrawn),
 * and a prompt with both roles. Servers: the real server-everything, and test/servers/chat-peer.mjs, a real
 * SDK server that logs on its own side what happened to its calls (server-everything cannot show that).
 * The one fake is the model (test/helpers/fake-llm.ts: no LLM runs here).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitApproval } from '../helpers/approval.js';
import { codecompanionNvim, startChat, type ChatSession } from '../helpers/codecompanion.js';
import { startFakeLlm, type FakeLlm } from '../helpers/fake-llm.js';
import { api, everythingStdio, waitStatus } from '../helpers/mcp.js';
import { repoRoot } from '../helpers/nvim.js';

const nvim = codecompanionNvim();
const CHAT_PEER = join(repoRoot, 'test', 'servers', 'chat-peer.mjs');

/** CodeCompanion loads the extension as a user's setup does. */
const extension = `{ extensions = { mcp = { callback = "codecompanion._extensions.mcp", opts = {} } } }`;

/** The text of a message's content (a string, or the text of its parts). */
function text(c: unknown): string {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) return c.map((p: { text?: string }) => p.text ?? '').join('');
  return JSON.stringify(c ?? '');
}

/** One line of chat-peer's log. */
interface PeerEvent {
  event: 'started' | 'cancelled';
  tool: string;
  reason?: string;
}

describe.skipIf(!nvim)(`CodeCompanion extension over a chat's life (nvim ${nvim?.full ?? '0.12'})`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-cc-life-'));
  let n = 0;
  let log = '';
  let llm: FakeLlm;
  let chat: ChatSession;

  /** What chat-peer logged so far. */
  const events = (): PeerEvent[] =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as PeerEvent)
      : [];

  beforeEach(async () => {
    log = join(dir, `peer-${++n}.log`);
    llm = await startFakeLlm();
    chat = await startChat({
      llm,
      config: extension,
      nvim: {
        config: {
          servers: {
            everything: { ...everythingStdio(), chat: { disabled: ['echo', 'get-env'] } },
            quiet: { ...everythingStdio(), chat: { enabled: false } },
            peer: { command: 'node', args: [CHAT_PEER, '--log', log] },
          },
        },
      },
    });
    await chat.nv.lua('require("mcp").start("everything") require("mcp").start("quiet") require("mcp").start("peer")');
    for (const s of ['everything', 'quiet', 'peer']) await waitStatus(chat.nv, s, 'connected', 30_000);
    await chat.nv.waitFor(
      `local g = require("codecompanion.config").interactions.chat.tools.groups
       return g.mcp_everything ~= nil and g.mcp_peer ~= nil`,
      { message: 'the mcp_everything and mcp_peer groups to be registered' },
    );
  }, 90_000);
  afterEach(async () => {
    await chat?.quit();
    await llm.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** mcp.nvim's approval window for a model's call (|mcp-approval|), once it has the focus: its lines. */
  const approval = () => waitApproval(chat.nv, 20_000);
  /** Is an approval window open anywhere? */
  const approvalOpen = () =>
    chat.nv.lua<boolean>(`for _, w in ipairs(vim.api.nvim_list_wins()) do
        if vim.b[vim.api.nvim_win_get_buf(w)].mcp_kind == 'approval' then return true end
      end
      return false`);

  it('tools disabled by config never reach the model: not per tool, not per server', async () => {
    llm.script({ text: 'I see the tools.' });
    await chat.send('Use @{mcp_everything} and @{mcp_peer}');
    await chat.waitForReply();

    const [req] = await llm.waitForRequests(1);
    const offered = req!.body.tools?.map((t) => t.function.name) ?? [];
    expect(offered).toContain('everything__get-sum');
    expect(offered).toContain('peer__wait');
    expect(offered).not.toContain('everything__echo');
    expect(offered).not.toContain('everything__get-env');
    expect(offered.filter((o) => o.startsWith('quiet__'))).toEqual([]);
    expect(JSON.stringify(req!.body)).not.toContain('everything__echo');
    // The server kept from chats has no group a user could add.
    expect(await chat.nv.lua('return require("codecompanion.config").interactions.chat.tools.groups.mcp_quiet == nil')).toBe(true);
  });

  it('a tool error (isError) reaches the model as an error', async () => {
    llm.script({ toolCalls: [{ name: 'peer__fail', arguments: {} }] }, { text: 'The tool failed: the disk is full.' });
    await chat.send('Use @{mcp_peer} to fail');
    await approval();
    await chat.nv.nvim.input('a');
    const reply = await chat.waitForReply();

    const [, second] = await llm.waitForRequests(2);
    const result = text(second!.body.messages.find((m) => m.role === 'tool')?.content);
    expect(result).toContain('The MCP tool peer__fail reported an error');
    expect(result).toContain('the disk is full');
    // The user sees it as a failure in the chat.
    expect(reply.join('\n')).toContain('MCP `peer__fail` failed');
  });

  it('allow always: the second call is not asked, and the choice is saved', async () => {
    llm.script(
      { toolCalls: [{ name: 'everything__get-sum', arguments: { a: 1, b: 2 } }] },
      { text: 'It is 3.' },
      { toolCalls: [{ name: 'everything__get-sum', arguments: { a: 3, b: 4 } }] },
      { text: 'It is 7.' },
    );
    await chat.send('Use @{mcp_everything} to add 1 and 2');
    await approval();
    await chat.nv.nvim.input('A');
    await chat.waitForReply();

    // No key is pressed now: the turn ends only if the call is not asked.
    await chat.send('and 3 and 4?');
    const reply = await chat.waitForReply();
    expect(await approvalOpen()).toBe(false);
    const [, , , fourth] = await llm.waitForRequests(4);
    const results = fourth!.body.messages.filter((m) => m.role === 'tool').map((m) => text(m.content));
    expect(results.at(-1)).toContain('7');
    expect(reply.join('\n')).toContain('It is 7.');
    const saved = JSON.parse(readFileSync(join(chat.nv.dirs.data, 'mcp', 'chat.json'), 'utf8'));
    expect(saved.allowed.everything['get-sum']).toBe(true);
  });

  it('a call stopped from the chat: the server receives notifications/cancelled, and the chat goes on', async () => {
    llm.script({ toolCalls: [{ name: 'peer__wait', arguments: {} }] }, { text: 'After the stop.' });
    await chat.send('Use @{mcp_peer} to wait');
    await approval();
    await chat.nv.nvim.input('a');
    await chat.nv.waitFor(() => events().some((e) => e.event === 'started'), { message: 'the wait call to reach the server' });

    await chat.stop();
    await chat.waitForReply();
    const cancelled = await chat.nv.waitFor(() => events().find((e) => e.event === 'cancelled'), {
      message: 'chat-peer to log notifications/cancelled',
    });
    // The reason mcp.nvim gives reaches the server as plain words (the SDK sends `String(reason)`).
    expect(cancelled).toMatchObject({ tool: 'wait', reason: 'cancelled: the chat request was stopped' });

    await chat.send('never mind');
    await chat.waitForReply();
    expect(await chat.text()).toContain('After the stop.');
  });

  it('a call waiting for approval when the chat is stopped: the ask is withdrawn and the server never gets the call', async () => {
    llm.script({ toolCalls: [{ name: 'peer__wait', arguments: {} }] }, { text: 'Fine.' });
    await chat.send('Use @{mcp_peer} to wait');
    await approval();

    await chat.stop();
    await chat.waitForReply();
    await chat.nv.waitFor(async () => !(await approvalOpen()), { message: 'the approval window to close' });
    // A later request on the same connection: once answered, an earlier call would have been logged.
    const probe = await api(chat.nv, 'function(cb) require("mcp").call_tool("peer", "fail", {}, cb) end');
    expect(probe.err).toBeNull();
    expect(events()).toEqual([]);
    expect((await chat.errors()).errmsg).toBe('');
  });

  it('a list change: a tool the server adds is offered in the next request', async () => {
    llm.script(
      { toolCalls: [{ name: 'peer__add_tool', arguments: { name: 'fresh' } }] },
      { text: 'Added.' },
      { text: 'I see fresh.' },
    );
    await chat.send('Use @{mcp_peer} to add a tool');
    await approval();
    await chat.nv.nvim.input('a');
    await chat.waitForReply();
    await chat.nv.waitFor('require("codecompanion.config").interactions.chat.tools.peer__fresh ~= nil', {
      message: 'peer__fresh to be registered',
    });

    await chat.send('what now?');
    await chat.waitForReply();
    const [first, , third] = await llm.waitForRequests(3);
    expect(first!.body.tools?.map((t) => t.function.name)).not.toContain('peer__fresh');
    expect(third!.body.tools?.map((t) => t.function.name)).toContain('peer__fresh');
  });

  it("/mcp_prompt: a prompt's messages reach the model with their roles", async () => {
    llm.script({ text: 'Tea came from China.' });
    await chat.open();
    await chat.nv.lua(`
      vim.ui.select = function(items, opts, on_choice)
        for _, it in ipairs(items) do if it.server == "peer" and it.name == "dialogue" then return on_choice(it) end end
      end
      vim.o.completeopt = "menu,menuone"`);
    await chat.nv.nvim.input('<Esc>GA/mcp_pro<C-x><C-o>');
    await chat.nv.waitFor('vim.fn.pumvisible() == 1', { message: 'the completion menu' });
    await chat.nv.nvim.input('<C-y>');
    await chat.nv.waitFor('vim.bo.filetype == "mcp_form" and vim.api.nvim_get_current_line() == "topic: "', {
      message: 'the argument form on the topic field',
    });
    await chat.nv.nvim.input('<Esc>Atea<Esc><C-s>');
    // The last user message waits in the buffer; the two before it are context of the chat.
    await chat.waitForText('Tell me the history of tea.');
    expect(await chat.text()).toContain('<mcp_prompt>peer/dialogue</mcp_prompt>');

    await chat.send('');
    await chat.waitForReply();
    const [req] = await llm.waitForRequests(1);
    const talk = req!.body.messages.filter((m) => m.role !== 'system').map((m) => [m.role, text(m.content)]);
    expect(talk).toEqual([
      ['user', 'Let us talk about tea.'],
      ['assistant', 'Gladly. What about tea?'],
      ['user', expect.stringContaining('Tell me the history of tea.')],
    ]);
  });
});
