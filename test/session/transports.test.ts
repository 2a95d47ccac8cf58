/**
 * Sessions over every transport, against real servers: stdio (server-everything, server-filesystem),
 * Streamable HTTP, and the legacy HTTP+SSE transport both configured directly and reached by fallback.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { callTool, EVERYTHING, everythingStdio, filesystemStdio, startEverythingHttp, waitStatus, type HttpServer } from '../helpers/mcp.js';

/**
 * Tool names as the SDK client sees them when it talks to the server directly, declaring the same
 * client capabilities as mcp.nvim (src/session/client.ts; server-everything offers `get-roots-list` only
 * to clients with roots, `trigger-elicitation-request` only to clients with elicitation).
 */
async function toolNamesDirect(args: string[]): Promise<string[]> {
  // What the host declares without a sampling provider (session/client.ts): the same tools are offered.
  const capabilities = { roots: { listChanged: true }, elicitation: { form: { applyDefaults: true }, url: {} } };
  const client = new Client({ name: 'floor', version: '0' }, { capabilities });
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [] }));
  await client.connect(new StdioClientTransport({ command: 'node', args, stderr: 'ignore' }));
  const names = (await client.listTools()).tools.map((t) => t.name);
  await client.close();
  return names;
}

describe.each(nvimBinaries())('transports on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  let http: HttpServer;
  let sse: HttpServer;
  const dir = mkdtempSync(join(tmpdir(), 'mcp-fs-'));

  beforeAll(async () => {
    [http, sse] = await Promise.all([startEverythingHttp('streamableHttp'), startEverythingHttp('sse')]);
    nv = await startNvim(bin, {
      config: {
        mcpServers: {
          everything: everythingStdio(),
          filesystem: filesystemStdio(dir),
          remote: { url: http.url },
          fallback: { url: sse.url },
        },
        servers: { legacy: { type: 'sse', url: sse.url } },
      },
    });
    await nv.lua('require("mcp").start("everything")');
  });
  afterAll(async () => {
    await nv?.quit();
    await Promise.all([http?.stop(), sse?.stop()]);
  });

  it('lists every tool of server-everything and server-filesystem over stdio', async () => {
    const everything = await waitStatus(nv, 'everything');
    const filesystem = await waitStatus(nv, 'filesystem');
    expect(everything.transport).toBe('stdio');
    expect(everything.tools.map((t) => t.name).sort()).toEqual((await toolNamesDirect([EVERYTHING, 'stdio'])).sort());
    expect(filesystem.tools.map((t) => t.name).sort()).toEqual((await toolNamesDirect(filesystemStdio(dir).args)).sort());
    // mcp.tools() adds the server's name to each cached tool.
    const tagged = await nv.lua<{ name: string; server: string }[]>('return require("mcp").tools("filesystem")');
    expect(tagged.every((t) => t.server === 'filesystem')).toBe(true);
  });

  it('calls tools over stdio', async () => {
    const echo = await callTool(nv, 'everything', 'echo', { message: 'hi' });
    expect(echo.err).toBeNull();
    expect(echo.result!.content[0]).toEqual({ type: 'text', text: 'Echo: hi' });
    const sum = await callTool(nv, 'everything', 'get-sum', { a: 2, b: 40 });
    expect(sum.result!.content[0]!.text).toContain('42');
  });

  it('connects over Streamable HTTP', async () => {
    const remote = await waitStatus(nv, 'remote');
    expect(remote.transport).toBe('http');
    const echo = await callTool(nv, 'remote', 'echo', { message: 'over http' });
    expect(echo.result!.content[0]!.text).toBe('Echo: over http');
  });

  it('falls back to the legacy SSE transport when the first POST is refused', async () => {
    const fallback = await waitStatus(nv, 'fallback');
    expect(fallback.transport).toBe('sse');
    const echo = await callTool(nv, 'fallback', 'echo', { message: 'via fallback' });
    expect(echo.result!.content[0]!.text).toBe('Echo: via fallback');
  });

  it('connects to a server configured as type sse', async () => {
    const legacy = await waitStatus(nv, 'legacy');
    expect(legacy.transport).toBe('sse');
    expect(legacy.tools.length).toBeGreaterThan(5);
  });

  it('ends a Streamable HTTP session with DELETE when the server is stopped', async () => {
    let log = '';
    http.proc.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    http.proc.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await waitStatus(nv, 'remote');
    await nv.lua('require("mcp").stop("remote")');
    await waitStatus(nv, 'remote', 'stopped');
    await nv.waitFor(() => /session termination/i.test(log), { message: 'DELETE to reach the server' });
  });
});
