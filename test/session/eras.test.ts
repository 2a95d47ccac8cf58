/**
 * Both eras of MCP: every server is reached in the revision it speaks, the verdict is cached per server
 * definition under `stdpath("state")`, and everything a user does works on a 2026-07-28 server too.
 *
 * Servers: server-everything and server-filesystem (SDK v1, 2025-11-25), the project's
 * `test/servers/modern.mjs` (SDK v2, 2026-07-28 only, over stdio and over Streamable HTTP), and
 * `test/servers/strict-legacy.mjs`, a 2025-11-25 server that exits when its first request is not
 * `initialize`; server-everything over Streamable HTTP and over the old HTTP+SSE transport (reached by
 * falling back). Servers run through `count-spawns.sh` so that the test sees every process spawn.
 */
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import {
  api,
  callTool,
  COUNT_SPAWNS,
  everythingStdio,
  filesystemStdio,
  MODERN,
  servers,
  startEverythingHttp,
  startModernHttp,
  STRICT_LEGACY,
  waitStatus,
  type HttpServer,
} from '../helpers/mcp.js';

interface Verdict {
  era: 'modern' | 'legacy';
  protocol_version: string;
  name: string;
  probed_at: string;
}

describe.each(nvimBinaries())('both eras on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  let http: HttpServer;
  let legacyHttp: HttpServer;
  let legacySse: HttpServer;
  let spawnLog: string;
  let firstLog: string;
  const cacheFile = () => join(nv.dirs.state, 'mcp-eras.json');
  const verdicts = () => Object.values((JSON.parse(readFileSync(cacheFile(), 'utf8')) as { servers: Record<string, Verdict> }).servers);
  const verdictOf = (name: string) => verdicts().find((v) => v.name === name);
  const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const spawns = (script: string) => lines(spawnLog).filter((l) => l.includes(script)).length;
  const logs = mkdtempSync(join(tmpdir(), 'mcp-eras-'));

  beforeAll(async () => {
    spawnLog = join(logs, 'spawns.log');
    firstLog = join(logs, 'first-requests.log');
    writeFileSync(spawnLog, '');
    writeFileSync(firstLog, '');
    // A project (it has .git) as the working directory: the editor's roots are not empty.
    mkdirSync(join(logs, '.git'));
    [http, legacyHttp, legacySse] = await Promise.all([startModernHttp(), startEverythingHttp('streamableHttp'), startEverythingHttp('sse')]);
    nv = await startNvim(bin, {
      cwd: logs,
      config: {
        // The spawn logs are named in Neovim's environment; servers get only what they opt in to (|mcp-env|).
        env_inherit: ['MCP_SPAWN_LOG', 'MCP_FIRST_LOG'],
        mcpServers: {
          modern: { command: COUNT_SPAWNS, args: ['node', MODERN] },
          modern_http: { url: http.url },
          everything_http: { url: legacyHttp.url },
          // An old HTTP+SSE server configured as http: the first POST is refused and the host falls back.
          everything_sse: { url: legacySse.url },
          everything: everythingStdio(),
          filesystem: filesystemStdio(),
          strict: { command: COUNT_SPAWNS, args: ['node', STRICT_LEGACY] },
        },
      },
      env: { MCP_SPAWN_LOG: spawnLog, MCP_FIRST_LOG: firstLog },
    });
    await nv.lua('require("mcp").servers()');
    for (const name of ['modern', 'modern_http', 'everything', 'everything_http', 'everything_sse', 'filesystem', 'strict']) await waitStatus(nv, name);
  });
  afterAll(async () => {
    await nv?.quit();
    await Promise.all([http?.stop(), legacyHttp?.stop(), legacySse?.stop()]);
    rmSync(logs, { recursive: true, force: true });
  });

  it('reaches each server in the revision it speaks and says which', async () => {
    const s = await servers(nv);
    expect(s.modern!.protocol_version).toBe('2026-07-28');
    expect(s.modern_http!.protocol_version).toBe('2026-07-28');
    expect(s.modern_http!.transport).toBe('http');
    expect(s.everything!.protocol_version).toBe('2025-11-25');
    expect(s.filesystem!.protocol_version).toBe('2025-11-25');
    expect(s.strict!.protocol_version).toBe('2025-11-25');
    expect([s.everything_http!.transport, s.everything_http!.protocol_version]).toEqual(['http', '2025-11-25']);
    expect([s.everything_sse!.transport, s.everything_sse!.protocol_version]).toEqual(['sse', '2025-11-25']);
    expect(s.modern!.server_info).toEqual({ name: 'modern', version: '1.0.0' });
  });

  it('shows of a 2026-07-28 server what the SDK v2 client gets from it directly', async () => {
    const client = new Client({ name: 'direct-sdk', version: '0' }, { capabilities: { roots: {} }, versionNegotiation: { mode: 'auto' } });
    client.setRequestHandler('roots/list', () => ({ roots: [] }));
    await client.connect(new StdioClientTransport({ command: 'node', args: [MODERN], stderr: 'ignore' }));
    try {
      const entry = (await servers(nv)).modern! as unknown as Record<string, unknown>;
      expect(entry.capabilities).toEqual(client.getServerCapabilities());
      expect(entry.instructions).toBe(client.getInstructions());
      const tools = (await client.listTools()).tools;
      // The list as both saw it at the start (a later test adds tools).
      expect((entry.tools as unknown[]).slice(0, tools.length)).toEqual(tools);
      expect(entry.prompts).toEqual((await client.listPrompts()).prompts);
      expect(entry.resources).toEqual((await client.listResources()).resources);
      expect(entry.resource_templates).toEqual((await client.listResourceTemplates()).resourceTemplates);
    } finally {
      await client.close();
    }
  });

  it('a legacy server that exits on server/discover is legacy, not failed: spawned again and initialized', () => {
    expect(lines(firstLog)).toEqual(['server/discover', 'initialize']);
    expect(spawns('strict-legacy.mjs')).toBe(2);
    // The probe ran in place on the modern server: one process.
    expect(spawns('modern.mjs')).toBe(1);
  });

  it('caches each verdict under stdpath("state"), and a restart goes straight into the era', async () => {
    expect(verdictOf('modern')).toMatchObject({ era: 'modern', protocol_version: '2026-07-28' });
    expect(verdictOf('modern_http')).toMatchObject({ era: 'modern', protocol_version: '2026-07-28' });
    expect(verdictOf('everything')).toMatchObject({ era: 'legacy', protocol_version: '2025-11-25' });
    expect(verdictOf('filesystem')).toMatchObject({ era: 'legacy', protocol_version: '2025-11-25' });
    expect(verdictOf('strict')).toMatchObject({ era: 'legacy', protocol_version: '2025-11-25' });
    expect(verdictOf('everything_http')).toMatchObject({ era: 'legacy', protocol_version: '2025-11-25' });
    expect(verdictOf('everything_sse')).toMatchObject({ era: 'legacy', protocol_version: '2025-11-25' });
    // Secrets of a definition never reach the file: it is keyed by a hash.
    expect(Object.keys(JSON.parse(readFileSync(cacheFile(), 'utf8')).servers).every((k) => /^[0-9a-f]{64}$/.test(k))).toBe(true);

    for (const name of ['modern', 'strict', 'everything_http', 'everything_sse']) {
      expect((await api(nv, `function(cb) require("mcp").restart("${name}", cb) end`)).err).toBeNull();
    }
    // No probe: one spawn each, and the legacy server's first request is initialize.
    expect(spawns('modern.mjs')).toBe(2);
    expect(spawns('strict-legacy.mjs')).toBe(3);
    expect(lines(firstLog)).toEqual(['server/discover', 'initialize', 'initialize']);
    const s = await servers(nv);
    expect(s.modern!.protocol_version).toBe('2026-07-28');
    expect(s.strict!.protocol_version).toBe('2025-11-25');
    expect([s.everything_http!.transport, s.everything_http!.protocol_version]).toEqual(['http', '2025-11-25']);
    expect([s.everything_sse!.transport, s.everything_sse!.protocol_version]).toEqual(['sse', '2025-11-25']);
  });

  it('drops a verdict that turned out wrong and negotiates again', async () => {
    // As if modern.mjs had been downgraded and strict-legacy.mjs upgraded since the verdicts were written.
    const file = JSON.parse(readFileSync(cacheFile(), 'utf8')) as { servers: Record<string, Verdict> };
    for (const v of Object.values(file.servers)) {
      if (v.name === 'modern') Object.assign(v, { era: 'legacy', protocol_version: '2025-11-25' });
      if (v.name === 'strict') Object.assign(v, { era: 'modern', protocol_version: '2026-07-28' });
    }
    writeFileSync(cacheFile(), JSON.stringify(file));
    for (const name of ['modern', 'strict']) expect((await api(nv, `function(cb) require("mcp").restart("${name}", cb) end`)).err).toBeNull();
    const s = await servers(nv);
    expect(s.modern!.protocol_version).toBe('2026-07-28');
    expect(s.strict!.protocol_version).toBe('2025-11-25');
    expect(verdictOf('modern')).toMatchObject({ era: 'modern', protocol_version: '2026-07-28' });
    expect(verdictOf('strict')).toMatchObject({ era: 'legacy', protocol_version: '2025-11-25' });
    const echo = await callTool(nv, 'strict', 'hello');
    expect(echo.result!.content[0]!.text).toBe('hello from 2025');
  });

  describe.each(['modern', 'modern_http'])('2026-07-28 through require("mcp"): %s', (server) => {
    const q = JSON.stringify(server);

    it('lists every tool, prompt, resource and template across pages', async () => {
      const names = await nv.lua<string[]>(`return vim.tbl_map(function(t) return t.name end, require("mcp").tools(${q}))`);
      expect(names.slice(0, 6)).toEqual(['echo', 'progress', 'slow', 'add_tool', 'touch', 'roots']);
      expect(await nv.lua(`return vim.tbl_map(function(p) return p.name end, require("mcp").prompts(${q}))`)).toEqual(['greet', 'plain']);
      expect(await nv.lua(`return vim.tbl_map(function(r) return r.uri end, require("mcp").resources(${q}))`)).toEqual(['modern://hello', 'modern://counter']);
      expect(await nv.lua(`return vim.tbl_map(function(r) return r.uriTemplate end, require("mcp").resource_templates(${q}))`)).toEqual(['modern://items/{id}']);
    });

    it('calls a tool, gets a prompt, reads a resource and completes an argument', async () => {
      const echo = await callTool(nv, server, 'echo', { message: 'hi' });
      expect(echo.result!.content[0]!.text).toBe('Echo: hi');
      const prompt = await api<{ messages: { content: { text: string } }[] }>(nv, `function(cb) require("mcp").get_prompt(${q}, "greet", { name = "Ada" }, cb) end`);
      expect(prompt.result!.messages[0]!.content.text).toBe('Hello, Ada!');
      const read = await api<{ contents: { text: string }[] }>(nv, `function(cb) require("mcp").read_resource(${q}, "modern://hello", cb) end`);
      expect(read.result!.contents[0]!.text).toBe('Hello from 2026-07-28');
      const done = await api<{ completion: { values: string[] } }>(
        nv,
        `function(cb) require("mcp").complete(${q}, { type = "ref/prompt", name = "greet" }, { name = "name", value = "gr" }, nil, cb) end`,
      );
      expect(done.result!.completion.values).toEqual(['Grace', 'Gracie']);
    });

    it('reports progress in order, then the result', async () => {
      const out = await api<{ progress: [number, number][]; text: string }>(
        nv,
        `function(cb)
           local got = { progress = {} }
           require("mcp").call_tool(${q}, "progress", { steps = 3 }, {
             on_progress = function(p) table.insert(got.progress, { p.progress, p.total }) end,
           }, function(err, res) got.text = res and res.content[1].text; cb(err, got) end)
         end`,
      );
      expect(out.err).toBeNull();
      expect(out.result!.progress).toEqual([[1, 3], [2, 3], [3, 3]]);
      expect(out.result!.text).toBe('done in 3 steps');
    });

    it('cancels a call and times one out with RequestTimeout naming server, tool and budget', async () => {
      await nv.lua(`_G.era_cancel = nil
        _G.era_handle = require("mcp").call_tool(${q}, "slow", { ms = 20000 }, {}, function(err) _G.era_cancel = err end)`);
      await nv.lua('_G.era_handle:cancel("enough")');
      const cancelled = await nv.waitFor<{ code: number }>('_G.era_cancel', { message: 'cancel callback' });
      expect(cancelled.code).toBe(-32800);
      const late = await api(nv, `function(cb) require("mcp").call_tool(${q}, "slow", { ms = 20000 }, { timeout_ms = 300 }, cb) end`);
      expect(late.err!.code).toBe(-32001);
      expect(late.err!.message).toBe(`server "${server}": tools/call "slow": timed out after 300 ms`);
    });

    it('hears of a new tool (subscriptions/listen carries list changes)', async () => {
      const added = `added_${server}`;
      expect((await callTool(nv, server, 'add_tool', { name: added })).err).toBeNull();
      await nv.waitFor(`vim.iter(require("mcp").tools(${q})):any(function(t) return t.name == ${JSON.stringify(added)} end)`, { message: 'the added tool' });
    });

    it('delivers updates of a subscribed resource as McpResourceUpdated', async () => {
      await nv.lua(`_G.era_updates = {}
        vim.api.nvim_create_autocmd("User", { pattern = "McpResourceUpdated", callback = function(ev)
          if ev.data.server == ${q} then table.insert(_G.era_updates, ev.data.uri) end
        end })`);
      expect((await api(nv, `function(cb) require("mcp").subscribe(${q}, "modern://counter", cb) end`)).err).toBeNull();
      expect((await callTool(nv, server, 'touch')).err).toBeNull();
      expect(await nv.waitFor<string[]>('#_G.era_updates > 0 and _G.era_updates', { message: 'resource update' })).toEqual(['modern://counter']);
      await api(nv, `function(cb) require("mcp").unsubscribe(${q}, "modern://counter", cb) end`);
    });

    it('answers the roots the server asks for in an input_required round', async () => {
      const roots = await nv.lua<{ uri: string }[]>('return require("mcp").roots()');
      expect(roots.length).toBeGreaterThan(0);
      const out = await callTool(nv, server, 'roots');
      expect(out.err).toBeNull();
      expect((JSON.parse(out.result!.content[0]!.text!) as { uri: string }[]).map((r) => r.uri)).toEqual(roots.map((r) => r.uri));
    });
  });

  it('restarts a crashed 2026-07-28 server', async () => {
    const before = spawns('modern.mjs');
    // count-spawns.sh execs the server, so the pid it logged is the server's own.
    const pid = Number(lines(spawnLog).filter((l) => l.includes('modern.mjs')).at(-1)!.split(' ')[0]);
    process.kill(pid, 'SIGKILL');
    await waitStatus(nv, 'modern', 'failed');
    await waitStatus(nv, 'modern', 'connected', 15_000);
    expect(spawns('modern.mjs')).toBe(before + 1);
    expect((await servers(nv)).modern!.protocol_version).toBe('2026-07-28');
  });
});
