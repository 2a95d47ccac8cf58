/**
 * Secrets and privacy (issue 13, defect 8), as a user would find them:
 * - a password in a server URL is nowhere: not in `servers()`, the hub, `:checkhealth`, the log or an
 *   error; a URL with a user and password still reaches a real server (server-everything over
 *   Streamable HTTP) through a Basic Authorization header;
 * - a stdio server sees the minimal environment and its config's `env`, not the editor's (no `$NVIM`,
 *   no secrets), unless its config opts in (`env_inherit`, per server or for the file);
 * - files written for images and blobs have names unique to this Neovim, mode 0600, in a 0700 folder.
 * The env is read by our test server (test/servers/flooder.mjs): no real server reports its environment.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { api, callTool, freePort, startEverythingHttp, waitStatus, type HttpServer } from '../helpers/mcp.js';

const FLOODER = join(repoRoot, 'test', 'servers', 'flooder.mjs');
const flooder = (extra: Record<string, unknown> = {}) => ({ command: 'node', args: [FLOODER], ...extra });
const SECRET = 'hunter2-b4f1';

/** The environment `server` reports through its `env` tool. */
async function envOf(nv: NvimInstance, server: string): Promise<Record<string, string>> {
  await waitStatus(nv, server);
  const r = await callTool(nv, server, 'env');
  expect(r.err, JSON.stringify(r.err)).toBeNull();
  return JSON.parse(r.result!.content[0]!.text!) as Record<string, string>;
}

describe.each(nvimBinaries())('privacy on Neovim $version', ({ bin }) => {
  let nv: NvimInstance | undefined;
  let http: HttpServer | undefined;
  afterEach(async () => {
    await nv?.quit();
    await http?.stop();
    nv = undefined;
    http = undefined;
  });

  it('a password in a server URL appears nowhere, and the credentials still reach the server', async () => {
    http = await startEverythingHttp('streamableHttp');
    const live = http.url.replace('http://', `http://me:${SECRET}@`);
    const dead = `http://me:${SECRET}@127.0.0.1:${await freePort()}/mcp`;
    nv = await startNvim(bin, { config: { mcpServers: { live: { url: live }, dead: { url: dead } } } });
    await waitStatus(nv, 'live', 'connected', 30_000);
    await waitStatus(nv, 'dead', 'failed', 30_000);
    const start = await api(nv, 'function(cb) require("mcp").start("dead", cb) end', 30_000);
    expect(start.err).not.toBeNull();
    expect(JSON.stringify(start.err)).not.toContain(SECRET);

    expect(JSON.stringify(await nv.lua('return require("mcp").servers()'))).not.toContain(SECRET);

    await nv.nvim.command('Mcp');
    const hub = (await nv.bufferLines()).join('\n');
    expect(hub).toContain('dead');
    expect(hub).not.toContain(SECRET);

    await nv.lua('pcall(vim.cmd, "checkhealth mcp")');
    const health = (await nv.bufferLines()).join('\n');
    expect(health).toContain('dead');
    expect(health).not.toContain(SECRET);

    const messages = await nv.lua<string>('return vim.fn.execute("messages")');
    expect(messages).not.toContain(SECRET);
    const log = readFileSync(await nv.lua<string>('return require("mcp.host").log_path()'), 'utf8');
    expect(log).toContain('dead');
    expect(log).not.toContain(SECRET);
  });

  it("a stdio server gets the minimal environment and its env, more only where the config opts in", async () => {
    nv = await startNvim(bin, {
      env: { MCP_TEST_SECRET: SECRET, MCP_TEST_OTHER: 'other' },
      config: {
        env_inherit: ['MCP_TEST_SECRET'],
        mcpServers: {
          minimal: flooder({ env: { FROM_CONFIG: 'yes' }, env_inherit: false }),
          listed: flooder(),
          all: flooder({ env_inherit: true }),
        },
      },
    });
    const minimal = await envOf(nv, 'minimal');
    expect(minimal.FROM_CONFIG).toBe('yes');
    expect(minimal.PATH).toBeTruthy();
    expect(minimal.HOME).toBeTruthy();
    // The SDK's set (HOME, LOGNAME, PATH, SHELL, TERM, USER) and nothing else of the editor's.
    expect(Object.keys(minimal).filter((k) => !['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'FROM_CONFIG'].includes(k))).toEqual([]);

    const listed = await envOf(nv, 'listed');
    expect(listed.MCP_TEST_SECRET).toBe(SECRET);
    expect(listed.MCP_TEST_OTHER).toBeUndefined();
    expect(listed.NVIM).toBeUndefined();

    const all = await envOf(nv, 'all');
    expect(all.MCP_TEST_SECRET).toBe(SECRET);
    expect(all.MCP_TEST_OTHER).toBe('other');
    expect(all.NVIM).toBeTruthy();

    // :checkhealth says so.
    await nv.lua('pcall(vim.cmd, "checkhealth mcp")');
    const health = (await nv.bufferLines()).join('\n');
    expect(health).toContain('stdio servers get a minimal environment (HOME, LOGNAME, PATH, SHELL, TERM, USER');
    expect(health).toContain('every stdio server inherits also MCP_TEST_SECRET');
    expect(health).toContain('all inherits the whole environment of the editor');
  });

  it('files written for images are unique to this Neovim, mode 0600, in a 0700 folder', async () => {
    nv = await startNvim(bin);
    const paths = await nv.lua<string[]>(`
      local files = require('mcp.core.files')
      local png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=='
      return { assert(files.write_blob(png, 'image/png', 't')), assert(files.write_blob(png, 'image/png', 't')) }
    `);
    const pid = await nv.lua<number>('return vim.fn.getpid()');
    expect(paths[0]).not.toBe(paths[1]);
    for (const p of paths) {
      expect(basename(p)).toMatch(new RegExp(`^t-\\d{8}-\\d{6}-${pid}-[0-9a-f]{12}\\.png$`));
      expect(statSync(p).mode & 0o777).toBe(0o600);
      expect(readFileSync(p).subarray(1, 4).toString()).toBe('PNG');
    }
    expect(statSync(dirname(paths[0]!)).mode & 0o777).toBe(0o700);
  });
});
