/**
 * OAuth for remote servers at the session layer (spec: basic/authorization), against a real
 * OAuth-protected MCP server with two authorization servers built on the SDK's OAuth router
 * (test/servers/oauth.mjs): discovery and Dynamic Client Registration on the first 401, the token on
 * every request, refresh before expiry and on a 401, step-up on 403 insufficient_scope, an
 * authorization server that moves, client credentials, and what a user sees when they decline.
 *
 * The one fake is the person at the browser: the test's browser step follows the authorization URL
 * with a `redirect: "manual"` fetch (the test authorization server approves at once) and counts how
 * often the user would have been asked. The editor's real browser step (consent ask, loopback
 * listener, paste) has tests of its own.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAuthStore } from '../../src/auth/memory-store.js';
import type { AuthStore, BrowserSession, OpenBrowser } from '../../src/auth/types.js';
import type { OAuthConfig, ServerConfig } from '../../src/config/types.js';
import { ErrorCodes } from '../../src/contract/errors.js';
import { HostError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { EraCache } from '../../src/session/era-cache.js';
import { Session } from '../../src/session/session.js';
import { startOAuthHttp } from '../helpers/mcp.js';

type Server = Awaited<ReturnType<typeof startOAuthHttp>>;
interface AsStats {
  issuer: string;
  registrations: number;
  authorizations: number;
  codeExchanges: number;
  refreshes: number;
  clientCredentials: number;
  scopes: string[];
}
type Stats = { first: AsStats; second: AsStats; current: string };

/** A person who always agrees: the browser step as a fetch that stops at the redirect. */
class Browser {
  asked = 0;
  declining = false;
  open: OpenBrowser = async () => {
    const session: BrowserSession = {
      redirectUrl: 'http://127.0.0.1:48123/callback',
      authorize: async (url, state, signal) => {
        this.asked++;
        if (this.declining) throw new HostError(ErrorCodes.Cancelled, 'the user declined');
        const res = await fetch(url, { redirect: 'manual', signal });
        const redirect = new URL(res.headers.get('location')!, url);
        if (redirect.searchParams.get('state') !== state) throw new Error('state mismatch');
        return redirect;
      },
      close: () => {},
    };
    return session;
  };
}

function session(url: string, store: AuthStore, browser: Browser, oauth?: OAuthConfig, verdicts = new EraCache(undefined, silentLogger)): Session {
  const cfg = { name: 'remote', transport: 'http', url, headers: {}, disabled: false, roots: true, source: 'test', inputs: [], ...(oauth ? { oauth } : {}) } as ServerConfig;
  return new Session(cfg, {
    log: silentLogger,
    timeoutMs: 30_000,
    verdicts,
    onChange: () => {},
    onMessage: () => {},
    roots: () => [],
    onResourceUpdated: () => {},
    auth: { store, openBrowser: browser.open },
  });
}

const text = (r: { content: unknown[] }) => (r.content[0] as { text: string }).text;

describe('OAuth-protected servers', () => {
  let server: Server;
  const stats = () => server.admin<Stats>('stats');

  beforeAll(async () => {
    server = await startOAuthHttp();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('asks the user once on the first 401, registers the client, and connects with the token', async () => {
    const store = new MemoryAuthStore();
    const browser = new Browser();
    const s = session(server.url, store, browser);
    await s.start();
    expect(s.status).toBe('connected');
    expect(browser.asked).toBe(1);
    expect(text(await s.callTool('whoami', {}))).toMatch(/^client /);
    const record = await store.read('remote');
    expect(record).toMatchObject({ serverUrl: server.url, issuer: (await stats()).first.issuer, client: { client_id: expect.any(String) }, tokens: { access_token: expect.any(String), refresh_token: expect.any(String) } });
    // The scope the server's 401 named, and offline_access because the authorization server offers it.
    expect((await stats()).first.scopes.at(-1)!.split(' ').sort()).toEqual(['mcp:read', 'offline_access']);
    await s.stop();

    // The next start (a new Neovim, the same token file) uses the stored token: nobody is asked.
    const again = session(server.url, store, browser);
    await again.start();
    expect(again.status).toBe('connected');
    expect(browser.asked).toBe(1);
    await again.stop();
  });

  it('refreshes a token about to expire before the request, without asking', async () => {
    const store = new MemoryAuthStore();
    const browser = new Browser();
    // Tokens that live 60 s are within the refresh margin (60 s) as soon as they arrive.
    await server.admin('ttl?seconds=60');
    const s = session(server.url, store, browser);
    try {
      await s.start();
      const before = (await stats()).first.refreshes;
      expect(text(await s.callTool('whoami', {}))).toMatch(/^client /);
      expect((await stats()).first.refreshes).toBeGreaterThan(before);
      expect(browser.asked).toBe(1);
    } finally {
      await server.admin('ttl?seconds=3600');
      await s.stop();
    }
  });

  it('a token the server stops accepting is refreshed on its 401 and the call goes through', async () => {
    const store = new MemoryAuthStore();
    const browser = new Browser();
    const s = session(server.url, store, browser);
    await s.start();
    const before = (await stats()).first.refreshes;
    await server.admin('revoke');
    expect(text(await s.callTool('whoami', {}))).toMatch(/^client /);
    expect((await stats()).first.refreshes).toBe(before + 1);
    expect(browser.asked).toBe(1);
    await s.stop();
  });

  it('a tool that needs more scope asks the user again (step-up) and the call goes through', async () => {
    const store = new MemoryAuthStore();
    const browser = new Browser();
    // The server's 401 names mcp:read; its `write` tool needs mcp:write as well.
    const s = session(server.url, store, browser);
    await s.start();
    const asked = browser.asked;
    expect(text(await s.callTool('write', {}))).toBe('written');
    expect(browser.asked).toBe(asked + 1);
    // The new authorization asks for the union: what was granted and what the server demanded.
    expect((await stats()).first.scopes.at(-1)!.split(' ')).toEqual(expect.arrayContaining(['mcp:read', 'mcp:write']));
    await s.stop();
  });

  it('a scope the server never grants stops after one more authorization, with the server still connected', async () => {
    const browser = new Browser();
    const s = session(server.url, new MemoryAuthStore(), browser);
    await s.start();
    const asked = browser.asked;
    const err = await s.callTool('admin', {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.AuthorizationRequired, message: expect.stringMatching(/^needs authorization: run :Mcp auth remote/) });
    // One step-up, the request sent again, one more step-up: then it gives up (no loop).
    expect(browser.asked - asked).toBeLessThanOrEqual(2);
    expect(s.status).toBe('connected');
    expect(text(await s.callTool('whoami', {}))).toMatch(/^client /);
    await s.stop();
  });

  it('declining leaves the server failed with "run :Mcp auth", without restarts; :Mcp auth then connects', async () => {
    const store = new MemoryAuthStore();
    const browser = new Browser();
    browser.declining = true;
    const s = session(server.url, store, browser);
    const err = await s.start().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.AuthorizationRequired, message: 'needs authorization: run :Mcp auth remote (declined)' });
    expect(s.status).toBe('failed');
    expect(s.snapshot()).toMatchObject({ status: 'failed', authorization: 'required', error: 'needs authorization: run :Mcp auth remote (declined)' });
    browser.declining = false;
    const snap = await s.authorize();
    expect(snap.status).toBe('connected');
    expect(snap.authorization).toBeUndefined();
    expect(text(await s.callTool('whoami', {}))).toMatch(/^client /);
    await s.stop();
  });

  it('a refused token with no refresh asks once; declined, later calls fail without asking until :Mcp auth', async () => {
    const browser = new Browser();
    const s = session(server.url, new MemoryAuthStore(), browser);
    await s.start();
    await server.admin('revoke?all=1');
    browser.declining = true;
    const first = await s.callTool('whoami', {}).catch((e: unknown) => e);
    expect(first).toMatchObject({ code: ErrorCodes.AuthorizationRequired, message: 'needs authorization: run :Mcp auth remote (declined)' });
    expect(browser.asked).toBe(2);
    const second = await s.callTool('whoami', {}).catch((e: unknown) => e);
    expect(second).toMatchObject({ code: ErrorCodes.AuthorizationRequired });
    expect(browser.asked).toBe(2);
    browser.declining = false;
    await s.authorize();
    expect(browser.asked).toBe(3);
    expect(text(await s.callTool('whoami', {}))).toMatch(/^client /);
    await s.stop();
  });

  it(':Mcp auth gets a new token even when one is stored', async () => {
    const store = new MemoryAuthStore();
    const browser = new Browser();
    const s = session(server.url, store, browser);
    await s.start();
    const first = (await store.read('remote'))!.tokens!.access_token;
    await s.authorize();
    expect(browser.asked).toBe(2);
    expect((await store.read('remote'))!.tokens!.access_token).not.toBe(first);
    expect(s.status).toBe('connected');
    // Declined while connected: the server stays connected on the tokens it has.
    browser.declining = true;
    const err = await s.authorize().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCodes.AuthorizationRequired });
    expect(s.snapshot()).toMatchObject({ status: 'connected' });
    expect(s.snapshot().authorization).toBeUndefined();
    expect(text(await s.callTool('whoami', {}))).toMatch(/^client /);
    await s.stop();
  });

  it('after the record is removed (:Mcp logout), the next start asks again instead of using the old token', async () => {
    const store = new MemoryAuthStore();
    const browser = new Browser();
    const verdicts = new EraCache(mkdtempSync(join(tmpdir(), 'mcp-era-')), silentLogger);
    const s = session(server.url, store, browser, undefined, verdicts);
    await s.start();
    const era = verdicts.get(s.cfg);
    expect(era).toBeDefined();
    await store.remove('remote');
    await s.restart();
    expect(s.status).toBe('connected');
    expect(browser.asked).toBe(2);
    // The 401 said nothing about the server's protocol era: the verdict is kept.
    expect(verdicts.get(s.cfg)).toEqual(era);
    await s.stop();
  });

  it('client credentials: connects with no one asked', async () => {
    const browser = new Browser();
    const s = session(server.url, new MemoryAuthStore(), browser, { grant: 'client_credentials', client_id: 'cc-client', client_secret: 'cc-secret' });
    const before = (await stats()).first.clientCredentials;
    await s.start();
    expect(s.status).toBe('connected');
    expect(text(await s.callTool('whoami', {}))).toBe('client cc-client');
    expect((await stats()).first.clientCredentials).toBe(before + 1);
    expect(browser.asked).toBe(0);
    await s.stop();
  });

  // Last: the resource stays with the second authorization server from here on.
  it('when the authorization server moves, registers with the new one and drops the old credentials', async () => {
    const store = new MemoryAuthStore();
    const browser = new Browser();
    const s = session(server.url, store, browser);
    await s.start();
    const old = await store.read('remote');
    await server.admin('migrate');
    expect(text(await s.callTool('whoami', {}))).toMatch(/^client /);
    const after = await stats();
    expect(after.second.registrations).toBe(1);
    expect(after.second.codeExchanges).toBe(1);
    const record = await store.read('remote');
    expect(record!.issuer).toBe(after.second.issuer);
    expect(record!.client!.client_id).not.toBe(old!.client!.client_id);
    expect(browser.asked).toBe(2);
    await s.stop();
  });
});

describe('an authorization server without registration', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startOAuthHttp('--no-dcr');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('says what to configure when the client cannot register', async () => {
    const browser = new Browser();
    const s = session(server.url, new MemoryAuthStore(), browser);
    const err = (await s.start().catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('does not support Dynamic Client Registration');
    expect(err.message).toContain('oauth = { client_id = "...", client_secret = "${env:NAME}" }');
    expect(s.status).toBe('failed');
    expect(browser.asked).toBe(0);
    await s.stop();
  });
});

describe('an authorization server without PKCE', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startOAuthHttp('--no-pkce');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is refused before anyone is asked', async () => {
    const browser = new Browser();
    const s = session(server.url, new MemoryAuthStore(), browser);
    const err = (await s.start().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^server "remote": authorization refused: the authorization server \S+ does not advertise PKCE with S256/);
    expect(s.status).toBe('failed');
    expect(browser.asked).toBe(0);
    await s.stop();
  });
});
