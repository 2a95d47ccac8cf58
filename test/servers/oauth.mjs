#!/usr/bin/env node
// A real OAuth-protected MCP server for the auth tests: the MCP SDK's (v1) McpServer over Streamable
// HTTP behind a bearer-token check, and two authorization servers built on the SDK's own OAuth router
// (`mcpAuthRouter`: RFC 8414 metadata, Dynamic Client Registration, /authorize with PKCE, /token). The
// SDK leaves the token store to the application (an `OAuthServerProvider`): this one keeps tokens in
// memory and approves every authorization at once, redirecting to the client's loopback URI (the
// person at the browser is the one part no test has). All on 127.0.0.1, free ports.
//
// Usage: node oauth.mjs [--no-dcr] [--no-pkce]
//   Prints `listening on http://127.0.0.1:PORT/mcp` on stderr once it accepts connections.
//   --no-dcr: the authorization servers offer no registration endpoint.
//   --no-pkce: their metadata does not advertise PKCE (no code_challenge_methods_supported).
//
// The resource: /mcp (tools `whoami`, needing scope mcp:read; `write`, needing mcp:write: a token
// without it gets 403 insufficient_scope; `admin`, needing mcp:admin, which is never granted; a 401
// names mcp:read), its protected resource metadata at
// /.well-known/oauth-protected-resource/mcp naming the current authorization server.
// Control (for tests): POST /admin/ttl?seconds=N (lifetime of tokens issued from now on), POST
// /admin/revoke (every access token stops working; refresh tokens still do, unless `?all=1`), POST /admin/migrate (the
// resource moves to the second authorization server and accepts only its tokens), GET /admin/stats.
// Client credentials (grant_type=client_credentials, client `cc-client` / `cc-secret`, Basic or post) are
// answered by a handler of its own: the SDK's router implements only the user grants.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { InvalidGrantError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { createOAuthMetadata, mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';

const noDcr = process.argv.includes('--no-dcr');
const noPkce = process.argv.includes('--no-pkce');
let ttlSeconds = 3600;
const SCOPES = ['mcp:read', 'mcp:write'];

/** One authorization server's token store (an `OAuthServerProvider` of the SDK). */
class Provider {
  constructor(name) {
    this.name = name;
    this.clients = new Map();
    this.codes = new Map();
    this.access = new Map();
    this.refresh = new Map();
    this.stats = { registrations: 0, authorizations: 0, codeExchanges: 0, refreshes: 0, clientCredentials: 0, scopes: [] };
    const clients = this.clients;
    const stats = this.stats;
    this.clientsStore = {
      getClient: async (id) => clients.get(id),
      ...(noDcr
        ? {}
        : {
            registerClient: async (c) => {
              stats.registrations++;
              clients.set(c.client_id, c);
              return c;
            },
          }),
    };
  }

  async authorize(client, params, res) {
    this.stats.authorizations++;
    this.stats.scopes.push((params.scopes ?? []).join(' '));
    const code = randomUUID();
    this.codes.set(code, { client, params });
    const target = new URL(params.redirectUri);
    target.searchParams.set('code', code);
    if (params.state !== undefined) target.searchParams.set('state', params.state);
    res.redirect(target.toString());
  }

  async challengeForAuthorizationCode(_client, code) {
    const data = this.codes.get(code);
    if (!data) throw new Error('unknown authorization code');
    return data.params.codeChallenge;
  }

  issue(clientId, scopes, resource) {
    const token = randomUUID();
    const refresh = randomUUID();
    this.access.set(token, { clientId, scopes, resource, expiresAt: Date.now() + ttlSeconds * 1000 });
    this.refresh.set(refresh, { clientId, scopes, resource });
    return { access_token: token, token_type: 'bearer', expires_in: ttlSeconds, refresh_token: refresh, scope: scopes.join(' ') };
  }

  async exchangeAuthorizationCode(client, code) {
    const data = this.codes.get(code);
    if (!data || data.client.client_id !== client.client_id) throw new InvalidGrantError('invalid authorization code');
    this.codes.delete(code);
    this.stats.codeExchanges++;
    // Grants only the scopes it knows: mcp:admin is never granted.
    return this.issue(client.client_id, (data.params.scopes ?? []).filter((s) => SCOPES.includes(s)), data.params.resource?.href);
  }

  async exchangeRefreshToken(client, refreshToken) {
    const data = this.refresh.get(refreshToken);
    if (!data || data.clientId !== client.client_id) throw new InvalidGrantError('invalid refresh token');
    this.refresh.delete(refreshToken);
    this.stats.refreshes++;
    return this.issue(client.client_id, data.scopes, data.resource);
  }

  async verifyAccessToken(token) {
    const data = this.access.get(token);
    if (!data || data.expiresAt < Date.now()) throw new Error('invalid or expired token');
    return { token, clientId: data.clientId, scopes: data.scopes, expiresAt: Math.floor(data.expiresAt / 1000) };
  }
}

/** Listens on a free loopback port; resolves with the port. */
function listen(app) {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

/** An authorization server on its own port: the SDK's router, plus the client-credentials grant. */
async function authorizationServer(name) {
  const provider = new Provider(name);
  const app = express();
  const port = await listen(app);
  const issuer = new URL(`http://127.0.0.1:${port}/`);
  app.post('/token', express.urlencoded({ extended: false }), (req, res, next) => {
    if (req.body?.grant_type !== 'client_credentials') return next();
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [id, secret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [req.body.client_id, req.body.client_secret];
    if (id !== 'cc-client' || secret !== 'cc-secret') return res.status(401).json({ error: 'invalid_client' });
    provider.stats.clientCredentials++;
    const scopes = typeof req.body.scope === 'string' ? req.body.scope.split(' ') : SCOPES;
    const { refresh_token: _none, ...tokens } = provider.issue(id, scopes, req.body.resource);
    res.json(tokens);
  });
  const metadata = createOAuthMetadata({ provider, issuerUrl: issuer, scopesSupported: [...SCOPES, 'offline_access'] });
  if (noPkce) {
    delete metadata.code_challenge_methods_supported;
    app.get('/.well-known/oauth-authorization-server', (_req, res) => res.json(metadata));
  }
  app.use(mcpAuthRouter({ provider, issuerUrl: issuer, scopesSupported: [...SCOPES, 'offline_access'] }));
  return { provider, issuer: issuer.href, port };
}

const [first, second] = await Promise.all([authorizationServer('first'), authorizationServer('second')]);
let current = first;

const app = express();
app.use(express.json());
const port = await listen(app);
const base = `http://127.0.0.1:${port}`;
const resourceMetadata = `${base}/.well-known/oauth-protected-resource/mcp`;

app.get('/.well-known/oauth-protected-resource/mcp', (_req, res) => {
  res.json({ resource: `${base}/mcp`, authorization_servers: [current.issuer], scopes_supported: SCOPES, bearer_methods_supported: ['header'] });
});

app.post('/admin/ttl', (req, res) => {
  ttlSeconds = Number(req.query.seconds);
  res.json({ ttlSeconds });
});
app.post('/admin/revoke', (req, res) => {
  current.provider.access.clear();
  if (req.query.all) current.provider.refresh.clear();
  res.json({ revoked: true });
});
app.post('/admin/migrate', (_req, res) => {
  current = second;
  res.json({ issuer: current.issuer });
});
app.get('/admin/stats', (_req, res) => {
  res.json({ first: { issuer: first.issuer, ...first.provider.stats }, second: { issuer: second.issuer, ...second.provider.stats }, current: current.issuer });
});

/** The scopes a request needs: mcp:write for the `write` tool, else mcp:read. */
function needed(body) {
  const tool = body?.method === 'tools/call' ? body.params?.name : undefined;
  return tool === 'write' ? ['mcp:read', 'mcp:write'] : tool === 'admin' ? ['mcp:read', 'mcp:admin'] : ['mcp:read'];
}

app.all('/mcp', async (req, res, next) => {
  const challenge = (extra) => `Bearer ${extra}resource_metadata="${resourceMetadata}"`;
  const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  let info;
  try {
    if (!token) throw new Error('no token');
    info = await current.provider.verifyAccessToken(token);
  } catch {
    // The scope a session starts with: mcp:write is asked for by step-up, when a tool needs it.
    res.status(401).set('WWW-Authenticate', challenge(`${token ? 'error="invalid_token", ' : ''}scope="mcp:read", `)).json({ error: 'invalid_token' });
    return;
  }
  const scopes = needed(req.body);
  if (!scopes.every((s) => info.scopes.includes(s))) {
    res.status(403).set('WWW-Authenticate', challenge(`error="insufficient_scope", scope="${scopes.join(' ')}", `)).json({ error: 'insufficient_scope' });
    return;
  }
  req.auth = info;
  next();
});

app.all('/mcp', async (req, res) => {
  const server = new McpServer({ name: 'oauth-test', version: '1.0.0' });
  server.registerTool('whoami', { description: 'Says which client the token was issued to' }, async (extra) => ({
    content: [{ type: 'text', text: `client ${extra.authInfo?.clientId}` }],
  }));
  server.registerTool('write', { description: 'Needs the mcp:write scope' }, async () => ({ content: [{ type: 'text', text: 'written' }] }));
  server.registerTool('admin', { description: 'Needs mcp:admin, which is never granted' }, async () => ({ content: [{ type: 'text', text: 'admin' }] }));
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  res.on('close', () => void transport.close());
  await server.connect(transport);
  await transport.handleRequest(req, res, req.body);
});

process.stderr.write(`listening on ${base}/mcp\n`);
