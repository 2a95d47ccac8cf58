/**
 * The SDK's `OAuthClientProvider` for one server (spec: basic/authorization), over an {@link AuthStore}
 * (where tokens and the client registration live), an {@link OpenBrowser} (how a person authorizes) and
 * the server's `oauth` config. The SDK's `auth()` does the protocol: protected resource metadata
 * discovery (from `WWW-Authenticate`, then the well-known URLs, path first), authorization server
 * metadata (RFC 8414, then OpenID Connect; the 2025-03-26 fallbacks), the metadata issuer check, PKCE,
 * the `resource` parameter and its check, scope selection with `offline_access`, Dynamic Client
 * Registration or a client ID metadata document, the token and refresh requests, RFC 9207 `iss`, and the
 * issuer stamp that keeps one authorization server's credentials from another (SEP-2352). What it leaves
 * to a provider is here:
 *
 * - client identity in the spec's order: a pre-registered `client_id` from the config (its secret, or a
 *   `private_key_jwt` key), a client ID metadata document URL, then DCR;
 * - the grants without a user: `client_credentials`, `jwt_bearer` (a workload JWT, RFC 7523) and
 *   `enterprise_managed` (SEP-990: the IdP's ID-JAG exchanged for a token);
 * - refusing an authorization server that does not advertise PKCE S256 (the SDK proceeds without);
 * - persistence: one {@link AuthRecord} per server, tokens with the time they arrived (for refreshing
 *   before expiry), dropping client and tokens when the authorization server changes;
 * - the browser step: the loopback redirect URI comes from the {@link BrowserSession}, opened when an
 *   authorization request is about to be built; the request itself is handed to {@link AuthFlow}.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  auth,
  createPrivateKeyJwtAuth,
  discoverAndRequestJwtAuthGrant,
  DPOP_SUPPORTED_ALGS,
  DpopSession,
  requestJwtAuthorizationGrant,
  type AddClientAuthentication,
  type DpopKeyPair,
  type FetchLike,
  type OAuthClientInformationContext,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type OAuthTokens,
} from '@modelcontextprotocol/client';
import type { OAuthConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { CLIENT_NAME, LOOPBACK_REDIRECT, type AuthRecord, type AuthStore, type BrowserSession, type OpenBrowser } from './types.js';

/** How long before `expires_in` runs out tokens are refreshed, ms. */
export const REFRESH_MARGIN_MS = 60_000;

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** `StoredOAuthTokens` / `StoredOAuthClientInformation` of the SDK: the value with its issuer stamp. */
type Stamped<T> = T & { issuer?: string };

/** An authorization request built by `auth()` that waits for the browser step (see {@link AuthFlow}). */
export interface PendingAuthorization {
  /** The authorization endpoint URL with every parameter (client_id, PKCE challenge, state, resource, scope). */
  url: URL;
  /** The `state` it carries; a redirect with another is refused. */
  state: string;
  /** The browser step's session, whose loopback URI is the request's `redirect_uri`. */
  browser: BrowserSession;
}

/** What {@link McpOAuthProvider} is made from. */
export interface ProviderOptions {
  /** The server's name (the store's key, messages). */
  server: string;
  /** The server's URL (the protected resource). */
  serverUrl: string;
  /** The server's `oauth` config; `{}`-like defaults when absent. */
  config: OAuthConfig;
  store: AuthStore;
  openBrowser: OpenBrowser;
  /** The fetch the transports use (headers screened), for refreshes the provider starts itself. */
  fetchFn?: FetchLike;
  log: Logger;
}

/** What the host refuses to authorize with, and why (no PKCE S256; a pre-registered client's credentials sent to another authorization server). */
export class AuthorizationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthorizationRefused';
  }
}

/** Raised by `state()` when an authorization request may not be built now (a refresh-only attempt). */
export class InteractionNotAllowed extends Error {
  constructor() {
    super('a new authorization is needed');
    this.name = 'InteractionNotAllowed';
  }
}

/**
 * One server's OAuth client (the SDK's `OAuthClientProvider`). Every method is the SDK's to call; the
 * flow (flow.ts) reads {@link takePending} after `auth()` asked for a redirect.
 */
export class McpOAuthProvider implements OAuthClientProvider {
  private record?: AuthRecord;
  private loaded = false;
  private verifier?: string;
  private discovery?: OAuthDiscoveryState;
  private pending?: PendingAuthorization;
  private browser?: BrowserSession;
  private authServerUrl?: string;
  private resource?: string;
  private refreshing?: Promise<void>;
  private dpopSession?: Promise<DpopSession>;
  /** While set, `state()` refuses: the caller wants tokens without a browser (a refresh before expiry). */
  private refreshOnly = false;
  /** Set by the flow while its browser step and code exchange run: no second authorization request meanwhile. */
  redeeming = false;
  /**
   * The client registration the authorization request was made with, kept to the end of the flow: another
   * Neovim authorizing the same server at once may register a client of its own and write it to the
   * shared record meanwhile, and the code must be redeemed by the client it was issued to.
   */
  private pinned?: AuthRecord['client'];
  /** The client this process registered last (DCR or a metadata document), for {@link pinned}. */
  private registered?: AuthRecord['client'];
  /** The DPoP key this process made, written again with the tokens bound to it (same race as {@link pinned}). */
  private ownDpopKey?: AuthRecord['dpopKey'];
  readonly addClientAuthentication?: AddClientAuthentication;

  constructor(private readonly o: ProviderOptions) {
    const c = o.config;
    if (c.token_endpoint_auth_method === 'private_key_jwt' && c.private_key && c.client_id) {
      this.addClientAuthentication = createPrivateKeyJwtAuth({
        issuer: c.client_id,
        subject: c.client_id,
        privateKey: c.private_key,
        alg: c.signing_algorithm ?? algorithmOf(c.private_key),
      });
    }
  }

  /** The grant from the config. */
  get grant(): OAuthConfig['grant'] {
    return this.o.config.grant;
  }

  /** The loopback URI of the open browser step, or the registered form without a port (RFC 8252 §7.3); none for grants without a user. */
  get redirectUrl(): string | undefined {
    if (this.grant !== 'authorization_code') return undefined;
    return this.browser?.redirectUrl ?? LOOPBACK_REDIRECT;
  }

  /** The client ID metadata document URL from the config (SEP-991), used when the server supports them. */
  get clientMetadataUrl(): string | undefined {
    return this.o.config.client_metadata_url;
  }

  /** What DCR registers: a native client on a loopback redirect, asking for refresh tokens (SEP-2207). */
  get clientMetadata(): OAuthClientMetadata {
    const c = this.o.config;
    const scope = c.scopes?.join(' ');
    const base = { client_name: c.client_name ?? CLIENT_NAME, ...(scope ? { scope } : {}) };
    if (this.grant !== 'authorization_code') {
      return { ...base, redirect_uris: [], grant_types: [this.grant === 'client_credentials' ? 'client_credentials' : JWT_BEARER], token_endpoint_auth_method: c.token_endpoint_auth_method ?? 'client_secret_basic' };
    }
    return {
      ...base,
      redirect_uris: [LOOPBACK_REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: c.token_endpoint_auth_method ?? 'none',
      application_type: 'native',
    };
  }

  /**
   * A fresh `state` for an authorization request about to be built; opens the browser step first,
   * so that the request's `redirect_uri` is its loopback listener. Refuses an authorization server
   * that does not advertise PKCE S256 (spec: basic/authorization, "MUST refuse to proceed").
   *
   * @throws InteractionNotAllowed during a refresh-only attempt; Error when PKCE S256 is not advertised
   */
  async state(): Promise<string> {
    // A refresh-only attempt, or a browser step in progress (another request's 401 waits for it instead).
    if (this.refreshOnly || this.redeeming) throw new InteractionNotAllowed();
    const meta = this.discovery?.authorizationServerMetadata;
    if (meta && !meta.code_challenge_methods_supported?.includes('S256')) {
      throw new AuthorizationRefused(`the authorization server ${meta.issuer} does not advertise PKCE with S256 (code_challenge_methods_supported)`);
    }
    this.closeBrowser();
    this.browser = await this.o.openBrowser(this.o.server);
    return randomBytes(24).toString('base64url');
  }

  async clientInformation(ctx?: OAuthClientInformationContext): Promise<Stamped<{ client_id: string; client_secret?: string }> | undefined> {
    const c = this.o.config;
    if (c.client_id) {
      if (c.issuer && ctx && !sameIssuer(c.issuer, ctx.issuer)) {
        throw new AuthorizationRefused(`the authorization server is ${ctx.issuer}, but oauth.client_id is registered with ${c.issuer} (oauth.issuer); its credentials are not sent there`);
      }
      return {
        client_id: c.client_id,
        ...(c.client_secret ? { client_secret: c.client_secret } : {}),
        ...(c.token_endpoint_auth_method && c.token_endpoint_auth_method !== 'private_key_jwt' ? { token_endpoint_auth_method: c.token_endpoint_auth_method } : {}),
        issuer: c.issuer ?? ctx?.issuer,
      };
    }
    if (this.redeeming && this.pinned) return { ...this.pinned, issuer: this.record?.issuer };
    const r = await this.read(ctx !== undefined);
    if (!r?.client) return undefined;
    return { ...r.client, issuer: r.issuer };
  }

  async saveClientInformation(info: Stamped<{ client_id: string }>, ctx?: OAuthClientInformationContext): Promise<void> {
    if (this.o.config.client_id) return;
    const { issuer: stamp, ...client } = info;
    const issuer = ctx?.issuer ?? stamp;
    const r = await this.read(true);
    // Another authorization server: whatever the old one issued is void there (SEP-2352).
    const migrated = r?.issuer !== undefined && issuer !== undefined && !sameIssuer(r.issuer, issuer);
    if (migrated) this.o.log.info({ from: r.issuer, to: issuer }, 'authorization server changed; dropping the old client and tokens');
    this.registered = client as AuthRecord['client'];
    await this.write({ client: client as AuthRecord['client'], ...(issuer ? { issuer } : {}), ...(migrated ? { tokens: undefined, obtainedAt: undefined, dpopKey: undefined } : {}) });
    if (migrated) this.dpopSession = undefined;
  }

  /**
   * The stored tokens. Without `ctx` (the transport's read before each request) tokens about to expire
   * are refreshed first, once for all requests waiting, when a refresh token is at hand.
   */
  async tokens(ctx?: OAuthClientInformationContext): Promise<Stamped<OAuthTokens> | undefined> {
    const r = await this.read(ctx !== undefined);
    if (!ctx && r?.tokens && expiresSoon(r) && (r.tokens.refresh_token || this.grant !== 'authorization_code')) {
      await this.refreshNow();
      const fresh = this.record;
      return fresh?.tokens ? { ...fresh.tokens, issuer: fresh.issuer } : undefined;
    }
    return r?.tokens ? { ...r.tokens, issuer: r.issuer } : undefined;
  }

  async saveTokens(tokens: Stamped<OAuthTokens>, ctx?: OAuthClientInformationContext): Promise<void> {
    const { issuer: stamp, ...plain } = tokens;
    const issuer = ctx?.issuer ?? stamp;
    const r = await this.read(true);
    const migrated = r?.issuer !== undefined && issuer !== undefined && !sameIssuer(r.issuer, issuer);
    await this.write({ tokens: plain, obtainedAt: Date.now(), ...(issuer ? { issuer } : {}), ...(migrated && !this.o.config.client_id ? { client: undefined } : {}), ...(this.redeeming && this.pinned ? { client: this.pinned } : {}), ...(this.ownDpopKey ? { dpopKey: this.ownDpopKey } : {}) });
    // Not needed past the token request: the next 401 discovers again, so a server whose authorization
    // server changed is followed there (SEP-2352) instead of being asked of the old one.
    if (!this.redeeming) this.discovery = undefined;
  }

  /** Keeps the authorization request for the flow (flow.ts), which has the person authorize it. */
  redirectToAuthorization(url: URL): void {
    const state = url.searchParams.get('state') ?? '';
    if (!this.browser) throw new Error('no browser step is open for the authorization request');
    this.pending = { url, state, browser: this.browser };
    // The client the request names: the record may hold another Neovim's by now (it was read again).
    const clientId = url.searchParams.get('client_id');
    this.pinned = [this.registered, this.record?.client].find((c) => c && c.client_id === clientId) ?? this.record?.client;
  }

  /** The authorization request `auth()` built, once; the flow owns its browser step from then on. */
  takePending(): PendingAuthorization | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }

  /** The open browser step (its `redirectUrl` is the one the code is redeemed with). */
  browserSession(): BrowserSession | undefined {
    return this.browser;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no PKCE code verifier: the authorization was not started by this host');
    return this.verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  saveAuthorizationServerUrl(url: string): void {
    this.authServerUrl = url;
  }

  saveResourceUrl(url: string): void {
    this.resource = url;
  }

  /**
   * DPoP (RFC 9449, SEP-1932) when the authorization server advertises it
   * (`dpop_signing_alg_values_supported`): one key pair for this client, made when first needed. An
   * ES256 key is kept in the record with the tokens bound to it (so they outlive the host process);
   * another algorithm's key lives in memory only, and after a restart the flow gets new tokens. Tokens
   * bound to it are presented with the DPoP scheme and a fresh proof per request, and nonce challenges
   * are retried (the SDK does both).
   */
  async dpop(): Promise<DpopSession | undefined> {
    if (this.dpopSession) return this.dpopSession;
    const stored = this.record?.dpopKey;
    if (stored) return (this.dpopSession = keyPairFromJwk(stored).then((keyPair) => DpopSession.create({ keyPair })));
    const offered = (this.discovery?.authorizationServerMetadata as { dpop_signing_alg_values_supported?: unknown } | undefined)?.dpop_signing_alg_values_supported;
    if (!Array.isArray(offered)) return undefined;
    if (offered.includes('ES256')) {
      // Kept in the record, beside the tokens bound to it: a key lost with the process would void them.
      this.dpopSession = newDpopKey().then(async (jwk) => {
        this.ownDpopKey = jwk;
        await this.write({ dpopKey: jwk });
        return DpopSession.create({ keyPair: await keyPairFromJwk(jwk) });
      });
      return this.dpopSession;
    }
    const alg = DPOP_SUPPORTED_ALGS.find((a) => offered.includes(a));
    if (!alg) return undefined;
    this.dpopSession = DpopSession.create({ alg });
    return this.dpopSession;
  }

  /** The token request of the grants without a user (`undefined`: the SDK's authorization-code request). */
  async prepareTokenRequest(scope?: string): Promise<URLSearchParams | undefined> {
    const c = this.o.config;
    const withScope = (p: URLSearchParams) => (scope && p.set('scope', scope), p);
    switch (this.grant) {
      case 'authorization_code':
        return undefined;
      case 'client_credentials':
        return withScope(new URLSearchParams({ grant_type: 'client_credentials' }));
      case 'jwt_bearer':
        return withScope(new URLSearchParams({ grant_type: JWT_BEARER, assertion: c.assertion! }));
      case 'enterprise_managed':
        return withScope(new URLSearchParams({ grant_type: JWT_BEARER, assertion: await this.idJag(scope) }));
    }
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'verifier' || scope === 'all') this.verifier = undefined;
    if (scope === 'discovery' || scope === 'all') this.discovery = undefined;
    if (scope === 'all') {
      await this.o.store.remove(this.o.server);
      this.record = undefined;
      this.dpopSession = undefined;
    } else if (scope === 'client' && !this.o.config.client_id) await this.write({ client: undefined });
    else if (scope === 'tokens') await this.write({ tokens: undefined, obtainedAt: undefined });
  }

  /** Forgets what one flow discovered, so that the next one starts from the server's 401 again (an authorization server may have moved). */
  endFlow(): void {
    this.discovery = undefined;
    this.verifier = undefined;
    this.pending = undefined;
    this.redeeming = false;
    this.pinned = undefined;
    this.closeBrowser();
  }

  /**
   * Reads the store again before the next request: at each start, so that a record another Neovim
   * wrote, or one `:Mcp logout` removed, is what the connection uses.
   */
  reload(): void {
    this.loaded = false;
    // A key the record no longer holds (logged out) is not used again.
    this.dpopSession = undefined;
  }

  /** Whether a token is stored for this server (it may have expired). */
  async hasTokens(): Promise<boolean> {
    return (await this.read(true))?.tokens !== undefined;
  }

  /** Closes a browser step `auth()` opened but no request came of (the flow failed before redirecting). */
  closeBrowser(): void {
    this.browser?.close();
    this.browser = undefined;
  }

  /**
   * Refreshes the tokens now, without a browser: a refresh-token request, or the grant again for a
   * grant without a user. Failures are logged and leave the old tokens: the server's 401 then runs the
   * whole flow.
   */
  private refreshNow(): Promise<void> {
    this.refreshing ??= (async () => {
      this.refreshOnly = true;
      try {
        await auth(this, { serverUrl: this.o.serverUrl, ...(this.o.fetchFn ? { fetchFn: this.o.fetchFn } : {}) });
        this.o.log.info('tokens refreshed before expiry');
      } catch (err) {
        this.o.log.info({ err: (err as Error).message }, 'refresh before expiry failed; the server will ask again');
        this.closeBrowser();
      } finally {
        this.refreshOnly = false;
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** SEP-990: the enterprise IdP's ID-JAG for this server's authorization server and resource (RFC 8693). */
  private async idJag(scope?: string): Promise<string> {
    const idp = this.o.config.idp!;
    const audience = this.authServerUrl;
    const resource = this.resource ?? this.o.serverUrl;
    if (!audience) throw new Error('enterprise_managed: the authorization server is not known yet');
    const common = { audience, resource, idToken: idp.id_token, clientId: idp.client_id, ...(idp.client_secret ? { clientSecret: idp.client_secret } : {}), ...(scope ? { scope } : {}), ...(this.o.fetchFn ? { fetchFn: this.o.fetchFn } : {}) };
    const result = idp.token_endpoint ? await requestJwtAuthorizationGrant({ ...common, tokenEndpoint: idp.token_endpoint }) : await discoverAndRequestJwtAuthGrant({ ...common, idpUrl: idp.issuer! });
    return result.jwtAuthGrant;
  }

  /** The server's record (a record made for another URL counts as none); `fresh` reads the store again. */
  private async read(fresh: boolean): Promise<AuthRecord | undefined> {
    if (fresh || !this.loaded) {
      const r = await this.o.store.read(this.o.server);
      this.record = r && r.serverUrl === this.o.serverUrl ? r : undefined;
      this.loaded = true;
    }
    return this.record;
  }

  private async write(patch: Partial<AuthRecord>): Promise<void> {
    const full = { ...patch, serverUrl: this.o.serverUrl };
    await this.o.store.update(this.o.server, full);
    this.record = { ...(this.record ?? { serverUrl: this.o.serverUrl }), ...full };
    for (const [k, v] of Object.entries(full)) if (v === undefined) delete (this.record as unknown as Record<string, unknown>)[k];
  }
}

/** A new P-256 key pair for DPoP, its private half as a JWK (extractable: it is stored with the tokens, mode 0600). */
async function newDpopKey(): Promise<JsonWebKey> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  return crypto.subtle.exportKey('jwk', pair.privateKey);
}

/** The SDK's key pair (ES256) from a stored private JWK: the public half and its RFC 7638 thumbprint derived. */
async function keyPairFromJwk(jwk: JsonWebKey): Promise<DpopKeyPair> {
  const publicJwk = { kty: jwk.kty!, crv: jwk.crv!, x: jwk.x!, y: jwk.y! };
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const privateKey = await crypto.subtle.importKey('jwk', { ...jwk, key_ops: ['sign'] }, algorithm, false, ['sign']);
  const publicKey = await crypto.subtle.importKey('jwk', publicJwk, algorithm, true, ['verify']);
  // RFC 7638: the required members in lexicographic order, no whitespace.
  const thumbprint = createHash('sha256').update(JSON.stringify({ crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x, y: publicJwk.y })).digest('base64url');
  return { privateKey, publicKey, publicJwk, thumbprint, alg: 'ES256' } as DpopKeyPair;
}

/** Whether the record's tokens expire within {@link REFRESH_MARGIN_MS} (from `obtainedAt` + `expires_in`). */
export function expiresSoon(r: AuthRecord, now = Date.now()): boolean {
  const secs = r.tokens?.expires_in;
  if (secs === undefined || r.obtainedAt === undefined) return false;
  return r.obtainedAt + secs * 1000 - REFRESH_MARGIN_MS <= now;
}

/** Issuer identifiers compare as strings, one trailing `/` aside (as the SDK's stamp check does). */
function sameIssuer(a: string, b: string): boolean {
  return a.replace(/\/$/, '') === b.replace(/\/$/, '');
}

/** The JWS algorithm a PEM key signs with by default: ES256 for an EC key, else RS256. */
function algorithmOf(pem: string): string {
  return /BEGIN EC PRIVATE KEY/.test(pem) || ecPkcs8(pem) ? 'ES256' : 'RS256';
}

/** A PKCS#8 PEM holding an EC key (its algorithm OID 1.2.840.10045.2.1). */
function ecPkcs8(pem: string): boolean {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  try {
    return Buffer.from(body, 'base64').includes(Buffer.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]));
  } catch {
    return false;
  }
}
