#!/usr/bin/env node
// An MCP server that needs OAuth (spec: basic/authorization), built from the real parts of the SDK v1
// (the devDependency @modelcontextprotocol/sdk): its authorization server router (RFC 8414 metadata,
// Dynamic Client Registration, /authorize with PKCE S256, /token, /revoke), its protected resource
// metadata (RFC 9728) and its bearer-token middleware in front of a Streamable HTTP MCP server with
// one tool, `whoami`. Authorization server and resource server share one origin, on 127.0.0.1 and a
// free port.
//
// The authorization endpoint redirects at once (no login page, no consent of its own), so a test can
// play the browser by fetching the authorization URL. The provider is the SDK's demo in-memory one, with
// two changes a real server has and the demo lacks: its `authorize` trusts the router's redirect URI
// check (which allows any port of a registered loopback URI, RFC 8252 §7.3, as the spec requires),
// and it issues and redeems refresh tokens.
//
// Prints `listening on http://127.0.0.1:PORT/mcp` on stderr once it accepts connections. Options (env):
//   OAUTH_TOKEN_TTL_S   lifetime of access tokens, seconds (default 3600)
// Each `/authorize`, `/token` and MCP request is counted: GET /counts answers them as JSON.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { mcpAuthRouter, getOAuthProtectedResourceMetadataUrl } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { DemoInMemoryAuthProvider } from '@modelcontextprotocol/sdk/examples/server/demoInMemoryOAuthProvider.js';

const ttl = Number(process.env.OAUTH_TOKEN_TTL_S ?? 3600);
const counts = { authorize: 0, token: 0, mcp: 0, unauthorized: 0 };

class Provider extends DemoInMemoryAuthProvider {
  refresh = new Map();

  // The router has checked the redirect URI against the registered ones (loopback: any port).
  async authorize(client, params, res) {
    counts.authorize++;
    const code = randomUUID();
    this.codes.set(code, { client, params });
    const target = new URL(params.redirectUri);
    target.searchParams.set('code', code);
    if (params.state !== undefined) target.searchParams.set('state', params.state);
    res.redirect(target.href);
  }

  async exchangeAuthorizationCode(client, code, verifier, redirectUri, resource) {
    const { params } = this.codes.get(code) ?? {};
    const tokens = await super.exchangeAuthorizationCode(client, code, verifier, redirectUri, resource);
    return this.withRefresh(tokens, client, params?.scopes ?? [], params?.resource);
  }

  async exchangeRefreshToken(client, refreshToken, scopes, resource) {
    const grant = this.refresh.get(refreshToken);
    if (!grant || grant.clientId !== client.client_id) throw new Error('Invalid refresh token');
    this.refresh.delete(refreshToken);
    const token = randomUUID();
    this.tokens.set(token, { token, clientId: client.client_id, scopes: scopes ?? grant.scopes, expiresAt: Date.now() + ttl * 1000, resource: resource ?? grant.resource, type: 'access' });
    return this.withRefresh({ access_token: token, token_type: 'bearer', expires_in: ttl, scope: (scopes ?? grant.scopes).join(' ') }, client, scopes ?? grant.scopes, resource ?? grant.resource);
  }

  withRefresh(tokens, client, scopes, resource) {
    const data = this.tokens.get(tokens.access_token);
    if (data) data.expiresAt = Date.now() + ttl * 1000;
    const refresh_token = randomUUID();
    this.refresh.set(refresh_token, { clientId: client.client_id, scopes, resource });
    return { ...tokens, expires_in: ttl, refresh_token };
  }
}

const app = express();
const http = app.listen(0, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${http.address().port}`;
  const mcpUrl = new URL('/mcp', base);
  const provider = new Provider();
  app.use((req, _res, next) => {
    if (req.path === '/token') counts.token++;
    next();
  });
  app.get('/counts', (_req, res) => res.json(counts));
  app.use(
    mcpAuthRouter({
      provider,
      issuerUrl: new URL(base),
      resourceServerUrl: mcpUrl,
      scopesSupported: ['mcp:tools'],
      resourceName: 'oauth-http test server',
      // Tests make many requests in a row from one address.
      authorizationOptions: { rateLimit: false },
      tokenOptions: { rateLimit: false },
      clientRegistrationOptions: { rateLimit: false },
    }),
  );
  const bearer = requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl) });
  app.all(
    '/mcp',
    (req, res, next) => {
      counts.mcp++;
      if (!req.headers.authorization) counts.unauthorized++;
      next();
    },
    bearer,
    express.json(),
    async (req, res) => {
      // Stateless: a server and transport per request.
      const server = new McpServer({ name: 'oauth-http', version: '1.0.0' });
      server.registerTool('whoami', { description: 'Says which OAuth client the bearer token was issued to' }, async (extra) => ({
        content: [{ type: 'text', text: `client ${extra.authInfo?.clientId ?? 'unknown'}` }],
      }));
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    },
  );
  process.stderr.write(`listening on ${mcpUrl.href}\n`);
});
