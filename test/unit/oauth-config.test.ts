/**
 * A server's `oauth` option (src/config/oauth.ts; |mcp-oauth-config|): secrets from `${env:...}`, a key
 * read from its file, the grant's defaults, and each combination that cannot work refused with the key
 * to fix. No Neovim, no host process.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { HttpServerConfig } from '../../src/config/types.js';

const ctx = { env: { SECRET: 's3cret', JWT: 'ey.workload.jwt' }, workspaceFolder: '/work/project', userHome: '/home/me' };
const load = async (oauth: unknown) => (await loadConfig({ setupServers: { remote: { url: 'https://mcp.example.com/mcp', oauth } }, ctx }))[0] as HttpServerConfig;
const fails = (oauth: unknown) => load(oauth).then(
  () => 'loaded',
  (err: Error) => err.message,
);

describe('oauth config', () => {
  it('expands the secret from the environment and defaults to the authorization-code grant', async () => {
    const cfg = await load({ client_id: 'my-client', client_secret: '${env:SECRET}', scopes: ['read'] });
    expect(cfg.oauth).toEqual({ grant: 'authorization_code', client_id: 'my-client', client_secret: 's3cret', scopes: ['read'] });
  });

  it('reads private_key_file (relative to the working directory) and signs with private_key_jwt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-key-'));
    writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
    const cfg = (await loadConfig({ setupServers: { remote: { url: 'https://mcp.example.com/mcp', oauth: { grant: 'client_credentials', client_id: 'svc', private_key_file: 'key.pem' } } }, ctx: { ...ctx, workspaceFolder: dir } }))[0] as HttpServerConfig;
    expect(cfg.oauth).toMatchObject({ grant: 'client_credentials', client_id: 'svc', token_endpoint_auth_method: 'private_key_jwt', private_key: expect.stringContaining('BEGIN PRIVATE KEY') });
  });

  it('keeps oauth = false (never authorize) and reads an empty table from Lua as the defaults', async () => {
    expect((await load(false)).oauth).toBe(false);
    expect((await load([])).oauth).toEqual({ grant: 'authorization_code' });
  });

  it('refuses what cannot work, naming the key to fix', async () => {
    expect(await fails({ grant: 'client_credentials', client_secret: 'x' })).toBe('setup(): servers.remote.oauth.client_id: is required with grant = "client_credentials" (a client registered with the authorization server)');
    expect(await fails({ client_metadata_url: 'http://example.com/client.json' })).toContain('servers.remote.oauth.client_metadata_url: must be an https URL with a path');
    expect(await fails({ client_id: 'c', token_endpoint_auth_method: 'private_key_jwt' })).toContain('servers.remote.oauth.private_key: is required');
    expect(await fails({ grant: 'jwt_bearer', client_id: 'w' })).toContain('servers.remote.oauth.assertion: is required');
    expect(await fails({ client_id: 'c', private_key_file: '/nonexistent/key.pem' })).toContain('servers.remote.oauth.private_key_file: cannot read /nonexistent/key.pem: ENOENT');
    expect(await fails({ client_secrt: 'typo' })).toContain('servers.remote.oauth.client_secrt');
  });

  it('takes the workload JWT of jwt_bearer from the environment', async () => {
    expect((await load({ grant: 'jwt_bearer', client_id: 'w', assertion: '${env:JWT}' })).oauth).toMatchObject({ grant: 'jwt_bearer', assertion: 'ey.workload.jwt' });
  });
});
