/**
 * The public Lua API (`require("mcp")`) against real server-everything and server-filesystem over stdio,
 * compared with what the official SDK client gets when it talks to the same servers directly from Node.
 *
 * Both servers are started through `sh -c 'tee -a WIRE | node ...'` so that the test can read the
 * `initialize` request mcp.nvim sent (its client capabilities decide which tools server-everything offers),
 * and make the direct SDK client declare the same ones: a like-for-like comparison.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { api, EVERYTHING, FILESYSTEM, waitStatus } from '../helpers/mcp.js';

const MISSING = 'mcp-nvim-test-no-such-command';

/** What the SDK client sees of a server, talking to it directly. */
interface Direct {
  serverInfo: unknown;
  capabilities: unknown;
  instructions: string | undefined;
  tools: Record<string, unknown>[];
  prompts: Record<string, unknown>[];
  resources: Record<string, unknown>[];
  templates: Record<string, unknown>[];
}

/** The `initialize` request mcp.nvim sent, read from the tee'd wire log. */
function initializeRequest(file: string): { params: { capabilities: Record<string, unknown> } } | undefined {
  if (!existsSync(file)) return undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const msg = JSON.parse(line) as { method?: string; params: { capabilities: Record<string, unknown> } };
    if (msg.method === 'initialize') return msg;
  }
  return undefined;
}

/** Connects the SDK client to `command args` with `capabilities`, and lists everything (every page). */
async function direct(command: string, args: string[], capabilities: Record<string, unknown>): Promise<Direct> {
  const client = new Client({ name: 'direct-sdk', version: '0' }, { capabilities });
  if (capabilities.roots) client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [] }));
  await client.connect(new StdioClientTransport({ command, args, stderr: 'ignore' }));
  try {
    const caps = client.getServerCapabilities() ?? {};
    const all = async <T>(list: (cursor?: string) => Promise<{ nextCursor?: string } & Record<string, unknown>>, key: string): Promise<T[]> => {
      const out: T[] = [];
      let cursor: string | undefined;
      do {
        const page = await list(cursor);
        out.push(...(page[key] as T[]));
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    };
    return {
      serverInfo: client.getServerVersion(),
      capabilities: caps,
      instructions: client.getInstructions(),
      tools: caps.tools ? await all((cursor) => client.listTools({ cursor }), 'tools') : [],
      prompts: caps.prompts ? await all((cursor) => client.listPrompts({ cursor }), 'prompts') : [],
      resources: caps.resources ? await all((cursor) => client.listResources({ cursor }), 'resources') : [],
      templates: caps.resources ? await all((cursor) => client.listResourceTemplates({ cursor }), 'resourceTemplates') : [],
    };
  } finally {
    await client.close();
  }
}

const names = (list: { name?: unknown; uri?: unknown; uriTemplate?: unknown }[]) => list.map((x) => String(x.name ?? x.uri ?? x.uriTemplate));
const without = <T extends Record<string, unknown>>(list: T[], key: string) =>
  list.map((x) => Object.fromEntries(Object.entries(x).filter(([k]) => k !== key)));

describe.each(nvimBinaries())('Lua API on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  const dir = mkdtempSync(join(tmpdir(), 'mcp-api-fs-'));
  let wire: { everything: string; filesystem: string };
  const direct_: Partial<Record<'everything' | 'filesystem', Direct>> = {};
  const tee = (log: string, ...cmd: string[]) => ({ command: 'sh', args: ['-c', 'tee -a "$0" | exec "$@"', log, ...cmd] });

  /** The SDK client's view of `server`, with the capabilities mcp.nvim declared to it. */
  async function sdkView(server: 'everything' | 'filesystem'): Promise<Direct> {
    if (direct_[server]) return direct_[server]!;
    const init = initializeRequest(wire[server]);
    expect(init, `initialize request to ${server} on the wire`).toBeDefined();
    const args = server === 'everything' ? [EVERYTHING, 'stdio'] : [FILESYSTEM, dir];
    return (direct_[server] = await direct('node', args, init!.params.capabilities));
  }

  beforeAll(async () => {
    nv = await startNvim(bin);
    wire = { everything: join(nv.dirs.root, 'everything.jsonl'), filesystem: join(nv.dirs.root, 'filesystem.jsonl') };
    await nv.writeConfig({
      mcpServers: {
        everything: tee(wire.everything, 'node', EVERYTHING, 'stdio'),
        filesystem: tee(wire.filesystem, 'node', FILESYSTEM, dir),
        broken: { command: MISSING },
        off: { command: 'node', args: [EVERYTHING, 'stdio'], disabled: true },
      },
    });
    // Listen before the first use of the plugin starts the host.
    await nv.lua(`
      _G.mcp_test_events = {}
      vim.api.nvim_create_autocmd("User", {
        pattern = "McpServerChanged",
        callback = function(a)
          table.insert(_G.mcp_test_events, { name = a.data.name, status = a.data.status, tools = #(a.data.tools or {}) })
        end,
      })`);
  });
  afterAll(async () => {
    await nv?.quit();
  });

  it('servers() lists every configured server in config order; the first call starts the host', async () => {
    expect(await nv.lua('return require("mcp.host").running()')).toBe(false);
    await nv.lua('require("mcp").servers()');
    expect(await nv.lua('return require("mcp.host").running()')).toBe(true);
    await waitStatus(nv, 'everything');
    await waitStatus(nv, 'filesystem');
    await waitStatus(nv, 'broken', 'failed');
    const list = await nv.lua<{ name: string; status: string }[]>('return require("mcp").servers()');
    expect(list.map((s) => s.name)).toEqual(['everything', 'filesystem', 'broken', 'off']);
    expect(list.map((s) => s.status)).toEqual(['connected', 'connected', 'failed', 'disabled']);
  });

  it('servers(): a connected server has transport, server_info, capabilities and instructions as the server sent them', async () => {
    const s = await nv.lua<Record<string, unknown>>('return require("mcp").server("everything")');
    const d = await sdkView('everything');
    expect(s.name).toBe('everything');
    expect(s.status).toBe('connected');
    expect(s.transport).toBe('stdio');
    expect(s.error ?? null).toBeNull();
    expect(s.server_info).toEqual(d.serverInfo);
    expect(s.capabilities).toEqual(d.capabilities);
    expect(typeof d.instructions).toBe('string');
    expect(s.instructions).toBe(d.instructions);
  });

  it('servers(): no instructions when the server sends none; failed and disabled servers say so', async () => {
    const fs = await nv.lua<Record<string, unknown>>('return require("mcp").server("filesystem")');
    const d = await sdkView('filesystem');
    expect(fs.server_info).toEqual(d.serverInfo);
    expect(fs.capabilities).toEqual(d.capabilities);
    expect(fs.instructions ?? undefined).toBe(d.instructions);

    const broken = await nv.lua<Record<string, unknown>>('return require("mcp").server("broken")');
    expect(broken.status).toBe('failed');
    expect(broken.transport).toBe('stdio');
    expect(broken.error).toMatch(new RegExp(`not found.*${MISSING}`));
    expect(broken.server_info ?? null).toBeNull();
    const off = await nv.lua<Record<string, unknown>>('return require("mcp").server("off")');
    expect(off.status).toBe('disabled');
    expect(off.server_info ?? null).toBeNull();
    expect(await nv.lua('return require("mcp").server("nowhere")')).toBeNull();
  });

  it('tools(server) equals, name for name, what the SDK client lists from the same server', async () => {
    for (const server of ['everything', 'filesystem'] as const) {
      const tools = await nv.lua<Record<string, unknown>[]>('return require("mcp").tools(...)', server);
      const d = await sdkView(server);
      expect(d.tools.length).toBeGreaterThan(0);
      expect(names(tools)).toEqual(names(d.tools));
      // Each carries the server's name, and otherwise is the MCP Tool object itself.
      for (const t of tools) expect(t.server).toBe(server);
      expect(without(tools, 'server')).toEqual(d.tools);
    }
  });

  it('tools() without a server lists the tools of every connected server', async () => {
    const all = await nv.lua<{ name: string; server: string }[]>('return require("mcp").tools()');
    const every = (await sdkView('everything')).tools;
    const fs = (await sdkView('filesystem')).tools;
    expect(all.map((t) => `${t.server}/${t.name}`).sort()).toEqual(
      [...every.map((t) => `everything/${String(t.name)}`), ...fs.map((t) => `filesystem/${String(t.name)}`)].sort(),
    );
    expect(await nv.lua('return require("mcp").tools("broken")')).toEqual([]);
    expect(await nv.lua('return require("mcp").tools("nowhere")')).toEqual([]);
  });

  it('prompts(), resources(), resource_templates() hold what server-everything offers, each with `server`', async () => {
    const d = await sdkView('everything');
    const got = await nv.lua<Record<string, Record<string, unknown>[]>>(
      'local m = require("mcp") return { prompts = m.prompts("everything"), resources = m.resources("everything"), templates = m.resource_templates("everything") }',
    );
    for (const [kind, want] of [
      ['prompts', d.prompts],
      ['resources', d.resources],
      ['templates', d.templates],
    ] as const) {
      const list = got[kind]!;
      expect(list.length, kind).toBeGreaterThan(0);
      for (const x of list) expect(x.server, kind).toBe('everything');
      expect(names(list as never), kind).toEqual(names(want as never));
      expect(without(list, 'server'), kind).toEqual(want);
    }
    // Without a server: the same, as only everything has any.
    expect((await nv.lua<unknown[]>('return require("mcp").prompts()')).length).toBe(d.prompts.length);
  });

  it('fires User McpServerChanged as servers connect, with the server entry as data', async () => {
    const events = await nv.lua<{ name: string; status: string; tools: number }[]>('return _G.mcp_test_events');
    const last = (name: string) => events.filter((e) => e.name === name).at(-1);
    expect(last('everything')).toEqual({ name: 'everything', status: 'connected', tools: (await sdkView('everything')).tools.length });
    expect(last('filesystem')?.status).toBe('connected');
    expect(last('broken')?.status).toBe('failed');
  });

  it('stop(), start() and restart() call back with the new entry and fire McpServerChanged', async () => {
    await nv.lua('_G.mcp_test_events = {}');
    const stopped = await api<{ name: string; status: string }>(nv, 'function(cb) require("mcp").stop("filesystem", cb) end');
    expect(stopped.err).toBeNull();
    expect(stopped.result).toMatchObject({ name: 'filesystem', status: 'stopped' });
    await nv.waitFor('(function() for _, e in ipairs(_G.mcp_test_events) do if e.name == "filesystem" and e.status == "stopped" then return true end end end)()', {
      message: 'McpServerChanged stopped',
    });
    expect(await nv.lua('return #require("mcp").tools("filesystem")')).toBe(0);

    const started = await api<{ name: string; status: string; tools: unknown[] }>(nv, 'function(cb) require("mcp").start("filesystem", cb) end');
    expect(started.err).toBeNull();
    expect(started.result!.status).toBe('connected');
    expect(started.result!.tools.length).toBe((await sdkView('filesystem')).tools.length);
    const events = await nv.waitFor<{ name: string; status: string }[]>(
      `local out = {}
       for _, e in ipairs(_G.mcp_test_events) do if e.name == "filesystem" then out[#out + 1] = e end end
       return out[#out] and out[#out].status == "connected" and out or nil`,
      { message: 'McpServerChanged connected' },
    );
    expect(events.map((e) => e.status)[0]).toBe('stopped');

    const restarted = await api<{ status: string }>(nv, 'function(cb) require("mcp").restart("everything", cb) end');
    expect(restarted.err).toBeNull();
    expect(restarted.result!.status).toBe('connected');
    expect(await nv.lua('return #require("mcp").tools("everything")')).toBe((await sdkView('everything')).tools.length);

    const unknown = await api(nv, 'function(cb) require("mcp").start("nowhere", cb) end');
    expect(unknown.err!.code).toBe(-32010);
    expect(unknown.err!.message).toContain('nowhere');
  });
});
