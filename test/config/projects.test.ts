/**
 * The config pipeline's pure parts for issue 13: trusted project files add or replace servers, a broken
 * one is reported and left out; `env_inherit` per server and from the file; a URL's user and password
 * become an Authorization header and leave the URL.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { ConfigError } from '../../src/config/types.js';

const ctx = { env: { TOKEN: 's3cret' }, workspaceFolder: '/work/cwd', userHome: '/home/u' };

function file(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-config-'));
  const path = join(dir, 'mcp.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('project config files', () => {
  it('add servers and replace those of the same name; ${workspaceFolder} is the project root', async () => {
    const path = file({ mcpServers: { git: { command: 'git-mcp' }, mine: { command: 'mine' } } });
    const projects = [
      { path: '/src/app/.mcp.json', root: '/src/app', text: JSON.stringify({ mcpServers: { git: { command: 'uvx', args: ['${workspaceFolder}'] }, db: { command: 'db' } } }) },
    ];
    const servers = await loadConfig({ path, ctx, projects });
    expect(servers.map((s) => s.name)).toEqual(['mine', 'git', 'db']);
    const git = servers.find((s) => s.name === 'git')!;
    expect(git).toMatchObject({ command: 'uvx', args: ['/src/app'], project: '/src/app/.mcp.json', source: '/src/app/.mcp.json' });
    expect(servers.find((s) => s.name === 'mine')!.project).toBeUndefined();
  });

  it("reads VS Code's format (.vscode/mcp.json)", async () => {
    const text = JSON.stringify({ servers: { web: { type: 'http', url: 'http://127.0.0.1:1/mcp' } } });
    const servers = await loadConfig({ ctx, projects: [{ path: '/p/.vscode/mcp.json', root: '/p', text }] });
    expect(servers).toMatchObject([{ name: 'web', transport: 'http', project: '/p/.vscode/mcp.json' }]);
  });

  it('a broken project file is reported and left out; the rest loads', async () => {
    const path = file({ mcpServers: { mine: { command: 'mine' } } });
    const errors: ConfigError[] = [];
    const servers = await loadConfig({
      path,
      ctx,
      projects: [
        { path: '/bad/.mcp.json', root: '/bad', text: '{ "mcpServers": ' },
        { path: '/worse/.mcp.json', root: '/worse', text: JSON.stringify({ mcpServers: { x: { args: 'no' } } }) },
        { path: '/good/.mcp.json', root: '/good', text: JSON.stringify({ mcpServers: { ok: { command: 'ok' } } }) },
      ],
      onProjectError: (e) => errors.push(e),
    });
    expect(servers.map((s) => s.name)).toEqual(['mine', 'ok']);
    expect(errors.map((e) => e.file)).toEqual(['/bad/.mcp.json', '/worse/.mcp.json']);
    expect(errors[0]!.message).toContain('invalid JSON');
    expect(errors[1]!.message).toContain('mcpServers.x.args');
  });
});

describe('env_inherit', () => {
  it('defaults to false, is set per server, and the file sets the default', async () => {
    const servers = await loadConfig({ ctx, path: file({ mcpServers: { a: { command: 'a' }, b: { command: 'b', env_inherit: ['AWS_PROFILE'] } } }) });
    expect(servers.map((s) => (s.transport === 'stdio' ? s.env_inherit : null))).toEqual([false, ['AWS_PROFILE']]);
    const all = await loadConfig({ ctx, path: file({ env_inherit: true, mcpServers: { a: { command: 'a' }, b: { command: 'b', env_inherit: false } } }) });
    expect(all.map((s) => (s.transport === 'stdio' ? s.env_inherit : null))).toEqual([true, false]);
  });

  it('rejects a value that is neither a boolean nor a list of names, naming the key', async () => {
    await expect(loadConfig({ ctx, path: file({ mcpServers: { a: { command: 'a', env_inherit: 'yes' } } }) })).rejects.toThrow(/mcpServers\.a\.env_inherit/);
  });
});

describe('a URL with a user and password', () => {
  it('becomes a Basic Authorization header and a URL without them', async () => {
    const servers = await loadConfig({ ctx, path: file({ mcpServers: { r: { url: 'https://me:p%40ss@example.test/mcp' } } }) });
    expect(servers[0]).toMatchObject({ url: 'https://example.test/mcp', headers: { Authorization: `Basic ${Buffer.from('me:p@ss').toString('base64')}` } });
  });

  it('keeps an Authorization header the config sets', async () => {
    const servers = await loadConfig({ ctx, path: file({ mcpServers: { r: { url: 'https://me:pw@example.test/mcp', headers: { authorization: 'Bearer t' } } } }) });
    expect(servers[0]).toMatchObject({ url: 'https://example.test/mcp', headers: { authorization: 'Bearer t' } });
  });
});
