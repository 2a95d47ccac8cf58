/**
 * The chat API (|mcp-chat|) and approval (|mcp-approval|) against real servers: two server-everything
 * instances (one named `a`, one with a name longer than 64 characters, so their tool names collide and one
 * set needs shortening), server-filesystem kept from chats by config, and test/servers/chat-peer.mjs (it
 * sends instructions, and has a tool whose text does not repeat its structured content). Calls are made the way a chat
 * plugin makes them (`require("mcp.chat").run` with a model's call), and the approval window is answered
 * with the keys a person presses.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { waitApproval } from '../helpers/approval.js';
import { api, EVERYTHING, filesystemStdio, waitStatus } from '../helpers/mcp.js';

const LONG = 'a-server-with-a-very-long-name-that-pushes-every-tool-name-past-the-limit';
const CHAT_PEER = join(repoRoot, 'test', 'servers', 'chat-peer.mjs');
const PEER_INSTRUCTIONS = 'Test server of mcp.nvim: wait, fail and add_tool.';
const SERVERS = ['a', LONG, 'fs', 'peer'];

interface Fn {
  type: string;
  function: { name: string; description: string; parameters: Record<string, unknown> };
}
interface Block {
  type: string;
  text: string;
  mime_type?: string;
  data?: string;
  uri?: string;
}
interface ChatResult {
  content: Block[];
  is_error: boolean;
  text: string;
  denied?: boolean;
}

const config = (fsDir: string) => ({
  mcpServers: {
    a: { command: 'node', args: [EVERYTHING, 'stdio'], chat: { disabled: ['get-env'] }, auto_approve: ['get-sum'] },
    [LONG]: { command: 'node', args: [EVERYTHING, 'stdio'] },
    fs: { ...filesystemStdio(fsDir), chat: { enabled: false } },
    peer: { command: 'node', args: [CHAT_PEER] },
  },
});

describe.each(nvimBinaries())('chat API on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  const others: NvimInstance[] = [];

  const start = async (env?: Record<string, string>) => {
    const n = await startNvim(bin, { env });
    await n.writeConfig(config(n.dirs.cwd));
    await n.lua('vim.notify = function() end');
    for (const s of SERVERS) await n.lua('require("mcp").start(...)', s);
    for (const s of SERVERS) await waitStatus(n, s, 'connected', 30_000);
    return n;
  };
  /** Starts a model's call; the outcome is read with `outcome(key)`. */
  const run = (n: NvimInstance, key: string, name: string, args: unknown, opts = '{}') =>
    n.lua(
      `local key, name, args = ...
       _G.runs = _G.runs or {}
       _G.handles = _G.handles or {}
       _G.handles[key] = require('mcp.chat').run({ name = name, arguments = args }, ${opts}, function(err, result)
         _G.runs[key] = { err = err or vim.NIL, result = result }
       end)`,
      key,
      name,
      args,
    );
  const outcome = (n: NvimInstance, key: string) =>
    n.waitFor<{ err: { code: number; message: string; data?: { reason?: string } } | null; result: ChatResult }>(`(_G.runs or {})[${JSON.stringify(key)}]`, {
      message: `the result of ${key}`,
      timeoutMs: 20_000,
    });
  const approval = (n: NvimInstance) => waitApproval(n);
  const name = (n: NvimInstance, server: string, tool: string) => n.lua<string>('return require("mcp.chat").name(...)', server, tool);

  beforeAll(async () => {
    nv = await start();
  }, 60_000);
  afterAll(async () => {
    for (const o of others) await o.quit();
    await nv?.quit();
  });

  it('offers the enabled tools with valid, unique names that resolve back, and inputSchema unchanged', async () => {
    const tools = await nv.lua<Fn[]>('return require("mcp.chat").tools()');
    const names = tools.map((t) => t.function.name);
    for (const n of names) expect(n).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('a__echo');
    // Disabled by config: one tool of `a`, every tool of `fs`.
    expect(names).not.toContain('a__get-env');
    expect(names.filter((n) => n.startsWith('fs__'))).toEqual([]);
    // The long server's tools: shortened with a hash, each resolving to its own server and tool.
    const longEcho = await name(nv, LONG, 'echo');
    expect(longEcho.length).toBeLessThanOrEqual(64);
    expect(names).toContain(longEcho);
    expect(await nv.lua('return { require("mcp.chat").resolve(...) }', longEcho)).toEqual([LONG, 'echo']);
    expect(await nv.lua('return { require("mcp.chat").resolve("a__echo") }')).toEqual(['a', 'echo']);
    const longNames = names.filter((n) => !n.startsWith('a__') && !n.startsWith('peer__'));
    expect(longNames.length).toBe((await nv.lua<unknown[]>('return require("mcp").tools(...)', LONG)).length);
    const echo = tools.find((t) => t.function.name === 'a__echo')!;
    expect(echo.type).toBe('function');
    expect(echo.function.parameters).toEqual(await nv.lua('for _, t in ipairs(require("mcp").tools("a")) do if t.name == "echo" then return t.inputSchema end end'));
    // Each connected, enabled server's instructions, as the server sent them; none for a disabled one.
    const instructions = await nv.lua<{ server: string; text: string }[]>('return require("mcp.chat").instructions()');
    expect(instructions).toContainEqual({ server: 'peer', text: PEER_INSTRUCTIONS });
    expect(instructions.map((i) => i.server)).not.toContain('fs');
  });

  it('formats each content type for the model', async () => {
    const noAsk = '{ approval = false }';
    await run(nv, 'echo', 'a__echo', '{"message":"hi"}', noAsk);
    expect((await outcome(nv, 'echo')).result).toMatchObject({ is_error: false, text: 'Echo: hi', content: [{ type: 'text', text: 'Echo: hi' }] });

    // structuredContent reaches the model as its own JSON text block: chat-peer's text does not repeat it.
    await run(nv, 'structured', 'peer__structured', {}, noAsk);
    const s = (await outcome(nv, 'structured')).result as ChatResult & { structured?: unknown };
    expect(s.is_error).toBe(false);
    expect(s.structured).toEqual({ answer: 42, unit: 'towels' });
    expect(s.content[0]).toMatchObject({ type: 'text', text: 'The answer is in the structured content.' });
    const json = s.content.filter((b) => b.type === 'text' && b.text.startsWith('{'));
    expect(json.map((b) => JSON.parse(b.text) as unknown)).toEqual([{ answer: 42, unit: 'towels' }]);
    expect(s.text).toContain('towels');

    // Progress the server reports reaches `on_progress`, in order, before the result.
    await nv.lua('_G.progress = {}');
    await run(
      nv,
      'progress',
      'a__trigger-long-running-operation',
      { duration: 1, steps: 3 },
      '{ approval = false, on_progress = function(p) table.insert(_G.progress, { p.progress, p.total, _G.runs and _G.runs.progress ~= nil }) end }',
    );
    expect((await outcome(nv, 'progress')).result.is_error).toBe(false);
    expect(await nv.lua('return _G.progress')).toEqual([
      [1, 3, false],
      [2, 3, false],
      [3, 3, false],
    ]);

    await run(nv, 'image', 'a__get-tiny-image', {}, noAsk);
    const img = (await outcome(nv, 'image')).result.content.find((b) => b.type === 'image')!;
    expect(img.mime_type).toBe('image/png');
    expect(Buffer.from(img.data!, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(img.text).toMatch(/^\[image image\/png, /);

    await run(nv, 'links', 'a__get-resource-links', { count: 2 }, noAsk);
    const links = (await outcome(nv, 'links')).result.content.filter((b) => b.type === 'resource_link');
    expect(links.length).toBe(2);
    for (const l of links) expect(l.uri).toMatch(/^demo:\/\//);

    await run(nv, 'ref', 'a__get-resource-reference', { resourceType: 'Text', resourceId: 3 }, noAsk);
    const ref = (await outcome(nv, 'ref')).result.content.find((b) => b.type === 'resource')!;
    expect(ref.uri).toMatch(/3$/);
    expect(ref.text).toContain(ref.uri!);

    // The tool fails (isError): a tool error the model can read, not an API error.
    await run(nv, 'fails', 'a__get-resource-reference', { resourceType: 'Text', resourceId: -1 }, noAsk);
    const fails = await outcome(nv, 'fails');
    expect(fails.err).toBeNull();
    expect(fails.result.is_error).toBe(true);
    expect(fails.result.text).not.toBe('');

    await run(nv, 'unknown', 'a__no-such-tool', {}, noAsk);
    const unknown = await outcome(nv, 'unknown');
    expect(unknown.result.is_error).toBe(true);
    expect(unknown.result.text).toContain('a__no-such-tool');
  });

  it('asks before a model call; allow once sends the arguments as edited', async () => {
    await run(nv, 'ask1', 'a__echo', '{"message":"hi"}');
    const lines = await approval(nv);
    expect(lines[0]).toBe('server: a    tool: echo');
    expect(lines.join('\n')).toContain('"message": "hi"');
    await nv.nvim.command('%s/"hi"/"edited"/');
    await nv.nvim.input('a');
    expect((await outcome(nv, 'ask1')).result.text).toBe('Echo: edited');
    // Allowed once: the next call asks again.
    await run(nv, 'ask2', 'a__echo', { message: 'again' });
    await approval(nv);
    await nv.nvim.input('a');
    expect((await outcome(nv, 'ask2')).result.text).toBe('Echo: again');
  });

  it('deny with a reason: the model gets the reason as a tool error', async () => {
    await run(nv, 'deny', 'a__echo', { message: 'x' });
    await approval(nv);
    await nv.nvim.input('r');
    await nv.waitFor('vim.fn.mode() == "c"', { message: 'the reason prompt' });
    await nv.nvim.input('not on Fridays<CR>');
    const o = await outcome(nv, 'deny');
    expect(o.err?.code).toBe(-32040);
    expect(o.err?.data?.reason).toBe('not on Fridays');
    expect(o.result.is_error).toBe(true);
    expect(o.result.text).toContain('not on Fridays');
  });

  it('auto_approve runs without asking; annotations alone never approve', async () => {
    await run(nv, 'sum', 'a__get-sum', { a: 2, b: 3 });
    const o = await outcome(nv, 'sum');
    expect(o.result.text).toContain('5');
    // get-tiny-image is readOnlyHint: still asked (approve_read_only is off).
    await run(nv, 'ro', 'a__get-tiny-image', {});
    const lines = await approval(nv);
    expect(lines.join('\n')).toContain('readOnlyHint=true');
    await nv.nvim.input('d');
    expect((await outcome(nv, 'ro')).err?.code).toBe(-32040);
  });

  it('the approve option decides before anyone is asked; its string is the reason the model reads', async () => {
    await nv.lua(`require('mcp').setup({ approve = function(_, tool) if tool == 'get-annotated-message' then return 'policy says no' end end })`);
    await run(nv, 'policy', 'a__get-annotated-message', { messageType: 'success' });
    const o = await outcome(nv, 'policy');
    expect(o.err?.code).toBe(-32040);
    expect(o.result.text).toContain('policy says no');
    expect(await nv.lua('return #require("mcp.asks").pending()')).toBe(0);
    await nv.lua(`require('mcp').setup({})`);
  });

  it('cancelling while the approval window is open withdraws it', async () => {
    await run(nv, 'cancel', 'a__echo', { message: 'never' });
    await approval(nv);
    await nv.lua('_G.handles.cancel:cancel()');
    const o = await outcome(nv, 'cancel');
    expect(o.err?.code).toBe(-32800);
    // The window closed because the host withdrew the ask (it got the cancel).
    await nv.waitFor(`vim.b[vim.api.nvim_get_current_buf()].mcp_kind ~= 'approval'`, { message: 'the window to close' });
    expect(await nv.lua('return #require("mcp.asks").pending()')).toBe(0);
  });

  it('a server that stops while the person decides withdraws its approval, saying why', async () => {
    await nv.lua('_G.notes = {}; vim.notify = function(m) table.insert(_G.notes, m) end');
    await run(nv, 'stopped', 'a__echo', { message: 'never' });
    await approval(nv);
    expect((await api(nv, 'function(cb) require("mcp").stop("a", cb) end')).err).toBeNull();
    const o = await outcome(nv, 'stopped');
    expect(o.err?.code).toBe(-32800);
    await nv.waitFor(`vim.b[vim.api.nvim_get_current_buf()].mcp_kind ~= 'approval'`, { message: 'the window to close' });
    await nv.waitFor(`vim.iter(_G.notes):any(function(n) return n:find('withdrawn (the server is stopped)', 1, true) ~= nil end)`, {
      message: 'the user told why',
    });
    expect(await nv.lua('return #require("mcp.asks").pending()')).toBe(0);
    await nv.lua('vim.notify = function() end');
    expect((await api(nv, 'function(cb) require("mcp").start("a", cb) end')).err).toBeNull();
  });

  it('allow always and runtime choices are remembered in another Neovim with the same data directory', async () => {
    const longEcho = await name(nv, LONG, 'echo');
    await run(nv, 'always', longEcho, { message: 'one' });
    await approval(nv);
    await nv.nvim.input('A');
    expect((await outcome(nv, 'always')).result.text).toBe('Echo: one');
    await nv.nvim.command('Mcp chat a echo off');
    expect((await nv.lua<Fn[]>('return require("mcp.chat").tools()')).map((t) => t.function.name)).not.toContain('a__echo');
    expect(existsSync(join(nv.dirs.data, 'mcp', 'chat.json'))).toBe(true);

    const second = await start({ XDG_DATA_HOME: join(nv.dirs.root, 'data') });
    others.push(second);
    await run(second, 'always2', longEcho, { message: 'two' });
    expect((await outcome(second, 'always2')).result.text).toBe('Echo: two');
    expect(await second.lua('return #require("mcp.asks").pending()')).toBe(0);
    expect((await second.lua<Fn[]>('return require("mcp.chat").tools()')).map((t) => t.function.name)).not.toContain('a__echo');
    await second.nvim.command('Mcp chat a echo on');
    expect((await second.lua<Fn[]>('return require("mcp.chat").tools()')).map((t) => t.function.name)).toContain('a__echo');
    expect(JSON.parse(readFileSync(join(nv.dirs.data, 'mcp', 'chat.json'), 'utf8'))).toMatchObject({
      enabled: { a: { tools: { echo: true } } },
      allowed: { [LONG]: { echo: true } },
    });
  }, 60_000);

  it('allow for this session: the second call is not asked, and another Neovim asks again', async () => {
    const sum = await name(nv, LONG, 'get-sum');
    await run(nv, 'session1', sum, { a: 1, b: 2 });
    await approval(nv);
    await nv.nvim.input('s');
    expect((await outcome(nv, 'session1')).result.text).toContain('3');
    await run(nv, 'session2', sum, { a: 2, b: 2 });
    expect((await outcome(nv, 'session2')).result.text).toContain('4');
    expect(await nv.lua('return #require("mcp.asks").pending()')).toBe(0);
    // Not saved: chat.json (written by the allow-always test before) does not name it.
    const saved = join(nv.dirs.data, 'mcp', 'chat.json');
    if (existsSync(saved)) {
      const allowed = (JSON.parse(readFileSync(saved, 'utf8')) as { allowed?: Record<string, Record<string, unknown>> }).allowed ?? {};
      expect(allowed[LONG]?.['get-sum']).toBeUndefined();
    }

    const next = await start({ XDG_DATA_HOME: join(nv.dirs.root, 'data') });
    others.push(next);
    await run(next, 'session3', sum, { a: 3, b: 3 });
    expect((await approval(next)).join('\n')).toContain('get-sum');
    await next.nvim.input('d');
    expect((await outcome(next, 'session3')).err?.code).toBe(-32040);
  }, 60_000);

  it('C in the hub keeps a tool from models and offers it again, remembered', async () => {
    const hubLines = () =>
      nv.lua<string[]>(`for _, b in ipairs(vim.api.nvim_list_bufs()) do
          if vim.api.nvim_buf_get_name(b) == "mcp://hub" then return vim.api.nvim_buf_get_lines(b, 0, -1, false) end
        end
        return {}`);
    const press = async (line: RegExp, keys: string) => {
      const lines = await hubLines();
      const i = lines.findIndex((l) => line.test(l));
      expect(i, `no hub line matches ${line}:\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
      await nv.lua('vim.api.nvim_win_set_cursor(0, { ..., 0 })', i + 1);
      await nv.nvim.input(keys);
    };
    const offered = async () => (await nv.lua<Fn[]>('return require("mcp.chat").tools()')).map((t) => t.function.name);
    expect(await offered()).toContain('peer__fail');

    await nv.nvim.command('Mcp');
    await press(/^\S+ peer  /, '<CR>');
    await nv.waitFor(async () => (await hubLines()).some((l) => /^ {6}fail\b/.test(l)), { message: 'peer expanded in the hub' });
    await press(/^ {6}fail\b/, 'C');
    await nv.waitFor(async () => !(await offered()).includes('peer__fail'), { message: 'peer__fail kept from models' });
    expect((await hubLines()).find((l) => /^ {6}fail\b/.test(l))).toContain('[chat off]');
    expect(await offered()).toContain('peer__wait');
    expect(JSON.parse(readFileSync(join(nv.dirs.data, 'mcp', 'chat.json'), 'utf8'))).toMatchObject({
      enabled: { peer: { tools: { fail: false } } },
    });

    await press(/^ {6}fail\b/, 'C');
    await nv.waitFor(async () => (await offered()).includes('peer__fail'), { message: 'peer__fail offered again' });
    expect(JSON.parse(readFileSync(join(nv.dirs.data, 'mcp', 'chat.json'), 'utf8'))).toMatchObject({
      enabled: { peer: { tools: { fail: true } } },
    });
    await nv.nvim.command('bwipeout mcp://hub');
  });

  it('prompts and resources in the forms a chat inserts', async () => {
    const p = await api<{ role: string; content: string }[]>(nv, `function(cb) require("mcp.chat").prompt_messages("a", "simple-prompt", nil, cb) end`);
    expect(p.err).toBeNull();
    expect(p.result![0]!.role).toBe('user');
    expect(p.result![0]!.content).not.toBe('');
    const r = await api<{ uri: string; text?: string; path?: string; mime_type?: string }>(
      nv,
      `function(cb) require("mcp.chat").resource_text("a", "demo://resource/dynamic/text/1", cb) end`,
    );
    expect(r.err).toBeNull();
    expect(r.result!.text).not.toBe('');

    // A binary resource (a blob): written to a file and given by path, never as text.
    const b = await api<{ uri: string; text?: string; path?: string; mime_type?: string }>(
      nv,
      `function(cb) require("mcp.chat").resource_text("a", "demo://resource/dynamic/blob/7", cb) end`,
    );
    expect(b.err).toBeNull();
    expect(b.result!.uri).toBe('demo://resource/dynamic/blob/7');
    expect(b.result!.text).toBeUndefined();
    expect(b.result!.mime_type).toBe('text/plain');
    expect(readFileSync(b.result!.path!, 'utf8')).toMatch(/^Resource 7: This is a base64 blob created at /);
  });
});
