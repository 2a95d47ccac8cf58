import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffConfig } from '../../src/config/diff.js';
import { loadConfig } from '../../src/config/load.js';

const ctx = { env: { TOKEN: 's3cret', HOME: '/home/u' }, workspaceFolder: '/work/proj', userHome: '/home/u' };

function file(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-config-'));
  const path = join(dir, 'mcp.json');
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

describe('config loading', () => {
  it('reads the mcpServers format (Claude Desktop, Cursor, .mcp.json)', async () => {
    const path = file({
      mcpServers: {
        git: { command: 'uvx', args: ['mcp-server-git', '--repository', '${workspaceFolder}'], env: { TOKEN: '${env:TOKEN}' } },
        remote: { url: 'https://example.test/mcp', headers: { Authorization: 'Bearer ${env:TOKEN}' } },
        legacy: { type: 'sse', url: 'https://example.test/sse' },
      },
    });
    const servers = await loadConfig({ path, ctx });
    expect(servers.map((s) => [s.name, s.transport])).toEqual([
      ['git', 'stdio'],
      ['remote', 'http'],
      ['legacy', 'sse'],
    ]);
    expect(servers[0]).toMatchObject({ command: 'uvx', args: ['mcp-server-git', '--repository', '/work/proj'], env: { TOKEN: 's3cret' } });
    expect(servers[1]).toMatchObject({ headers: { Authorization: 'Bearer s3cret' } });
  });

  it("reads VS Code's servers format with type", async () => {
    const path = file({ inputs: [], servers: { a: { type: 'stdio', command: 'node', args: ['x.js'] }, b: { type: 'http', url: 'http://127.0.0.1:1/mcp' } } });
    const servers = await loadConfig({ path, ctx });
    expect(servers.map((s) => [s.name, s.transport])).toEqual([
      ['a', 'stdio'],
      ['b', 'http'],
    ]);
  });

  it('treats a missing file as no servers, and lets setup() add and override', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'mcp-config-')), 'none.json');
    expect(await loadConfig({ path: missing, ctx })).toEqual([]);
    const path = file({ mcpServers: { a: { command: 'node' }, b: { command: 'node' } } });
    const servers = await loadConfig({ path, ctx, setupServers: { b: { disabled: true }, c: { command: 'x', env: [] } } });
    expect(servers.map((s) => [s.name, s.disabled])).toEqual([
      ['a', false],
      ['b', true],
      ['c', false],
    ]);
    expect(servers[2]).toMatchObject({ env: {} });
  });

  it('names the file and key path of a wrong value', async () => {
    const path = file({ mcpServers: { git: { command: 'uvx', args: ['ok', 3] } } });
    await expect(loadConfig({ path, ctx })).rejects.toThrow(`${path}: mcpServers.git.args[1]: must be string`);
  });

  it("reads a server's restart numbers and names a wrong one", async () => {
    const ok = file({ mcpServers: { s: { command: 'x', restart: { max: 2, base_ms: 500 } } } });
    expect((await loadConfig({ path: ok, ctx }))[0]!.restart).toEqual({ max: 2, base_ms: 500 });
    const bad = file({ mcpServers: { s: { command: 'x', restart: { max: -1 } } } });
    await expect(loadConfig({ path: bad, ctx })).rejects.toThrow(`${bad}: mcpServers.s.restart.max: must be >= 0`);
  });

  it('names the server that has neither command nor url', async () => {
    const path = file({ mcpServers: { empty: { args: [] } } });
    await expect(loadConfig({ path, ctx })).rejects.toThrow('mcpServers.empty.command: is required for a stdio server');
  });

  it('gives line and column of a JSON syntax error', async () => {
    const path = file('{\n  "mcpServers": {\n    "a": { "command": "x", }\n  }\n}');
    await expect(loadConfig({ path, ctx })).rejects.toThrow(/invalid JSON: .*\(line 3, column \d+\)/);
  });

  it('rejects an unknown placeholder instead of passing it on', async () => {
    const path = file({ mcpServers: { a: { command: 'x', args: ['${secret:token}'] } } });
    await expect(loadConfig({ path, ctx })).rejects.toThrow('mcpServers.a.args[0]: unknown placeholder ${secret:token}');
  });

  it('keeps ${input:id} for the start and lists the inputs with their definitions', async () => {
    const inputs = [{ type: 'pickString', id: 'region', description: 'Region', options: ['eu', 'us'] }];
    const path = file({ inputs, servers: { a: { command: 'x', args: ['${input:region}'], env: { T: '${input:token}' } } } });
    const [a] = await loadConfig({ path, ctx });
    expect(a).toMatchObject({ args: ['${input:region}'], env: { T: '${input:token}' } });
    expect(a!.inputs).toEqual([inputs[0], { type: 'promptString', id: 'token', description: 'token' }]);
  });

  it('says which input definition is wrong', async () => {
    const path = file({ inputs: [{ type: 'promptString' }], servers: {} });
    await expect(loadConfig({ path, ctx })).rejects.toThrow("inputs[0]: must have required property 'id'");
  });

  it('diffs two configurations by server', async () => {
    const before = await loadConfig({ path: file({ mcpServers: { a: { command: 'x' }, b: { command: 'y' }, c: { command: 'z' } } }), ctx });
    const after = await loadConfig({ path: file({ mcpServers: { a: { command: 'x' }, b: { command: 'y2' }, d: { command: 'w' } } }), ctx });
    const diff = diffConfig(before, after);
    expect(diff.added.map((s) => s.name)).toEqual(['d']);
    expect(diff.removed).toEqual(['c']);
    expect(diff.changed.map((s) => s.name)).toEqual(['b']);
  });
});
