/**
 * One server's authorization (spec: basic/authorization): the {@link McpOAuthProvider} the HTTP
 * transports use, and the part of the flow the SDK leaves to a host: having a person authorize the
 * request `auth()` built (the {@link BrowserSession}: consent, browser or paste, `state` checked), then
 * redeeming the code with the `iss` of the redirect (RFC 9207). The session runs it when a 401 at
 * connect or during a request could not be answered with a refresh, and for `:Mcp auth`; the
 * conformance client runs the same with a memory store and a `redirect: "manual"` fetch.
 */
import {
  auth,
  IssuerMismatchError,
  UnauthorizedError,
  validateAuthorizationResponseIssuer,
  type FetchLike,
} from '@modelcontextprotocol/client';
import type { OAuthConfig } from '../config/types.js';
import { ErrorCodes } from '../contract/errors.js';
import { HostError } from '../errors.js';
import type { Logger } from '../log.js';
import { AuthorizationRefused, InteractionNotAllowed, McpOAuthProvider } from './provider.js';
import type { AuthStore, OpenBrowser } from './types.js';

/** What {@link AuthFlow} is made from. */
export interface AuthFlowOptions {
  server: string;
  serverUrl: string;
  /** The server's `oauth` config (absent: the defaults). */
  config?: OAuthConfig;
  store: AuthStore;
  openBrowser: OpenBrowser;
  /** The fetch the transports use, for the flow's own requests. */
  fetchFn?: FetchLike;
  log: Logger;
}

/** One server's OAuth client and flow; lives as long as its session. */
export class AuthFlow {
  readonly provider: McpOAuthProvider;
  /** The flow in progress; requests and starts that need one wait for it instead of starting another. */
  private running?: Promise<void>;
  /**
   * The user declined: a request the server turns down later is not asked about again (a chat's
   * model calling tools would ask at every call) until they authorize (`:Mcp auth`) or start the server.
   */
  declined = false;

  constructor(private readonly o: AuthFlowOptions) {
    this.provider = new McpOAuthProvider({ ...o, config: o.config ?? { grant: 'authorization_code' } });
  }

  /** Whether a failure means "authorize first": the transport could not get a token on its own. */
  static needsAuthorization(err: unknown): boolean {
    return err instanceof UnauthorizedError || err instanceof InteractionNotAllowed || (err instanceof Error && err.cause instanceof UnauthorizedError);
  }

  /**
   * Finishes the authorization the transport started: when `auth()` built an authorization request (a
   * 401 or a 403 `insufficient_scope` it could not answer with a refresh), the person authorizes it
   * and the code is redeemed. Joins a flow already running.
   *
   * @param signal aborts the browser step (the server stopped)
   * @returns true when tokens were obtained (retry the request, or connect again); false when no request was waiting
   * @throws HostError Cancelled (declined, aborted), RequestTimeout (no answer within the flow's limit);
   *   IssuerMismatchError (RFC 9207: the redirect came from another authorization server); Error for a refusal by the server
   */
  async completePending(signal: AbortSignal): Promise<boolean> {
    if (this.running) {
      await this.running;
      return true;
    }
    const pending = this.provider.takePending();
    if (!pending) return false;
    if (this.declined) {
      this.provider.endFlow();
      throw new HostError(ErrorCodes.Cancelled, `${this.o.server}: declined earlier`);
    }
    await this.exclusive(() => this.redeem(pending.url, pending.state, signal));
    return true;
  }

  /**
   * Runs a whole flow now (`:Mcp auth`): discovery, client identity, and for the authorization-code
   * grant a new authorization in the browser even when tokens are stored (they stay until new ones come).
   *
   * @throws as {@link completePending}; Error from discovery or registration, saying what to configure
   */
  async authorize(signal: AbortSignal): Promise<void> {
    if (this.running) return this.running;
    this.declined = false;
    await this.exclusive(async () => {
      this.provider.endFlow();
      const result = await auth(this.provider, { serverUrl: this.o.serverUrl, forceReauthorization: true, ...(this.o.fetchFn ? { fetchFn: this.o.fetchFn } : {}) }).catch((err: unknown) => {
        throw explainFlowError(err, this.o.server);
      });
      if (result === 'AUTHORIZED') return;
      const pending = this.provider.takePending();
      if (!pending) throw new Error(`${this.o.server}: the authorization server asked for a redirect, but none was built`);
      await this.redeem(pending.url, pending.state, signal);
    });
  }

  /**
   * Drops an authorization request nobody will complete (the start or request that needed it failed, the
   * server stopped): its browser step's listener closes. A flow in progress is left to finish.
   */
  abandon(): void {
    if (!this.running) this.provider.endFlow();
  }

  private async exclusive(run: () => Promise<void>): Promise<void> {
    const p = run().finally(() => {
      if (this.running === p) this.running = undefined;
      this.provider.endFlow();
    });
    this.running = p;
    return p;
  }

  /** The browser step of one authorization request, then the code redeemed (with the redirect's `iss`). */
  private async redeem(url: URL, state: string, signal: AbortSignal): Promise<void> {
    const browser = this.provider.browserSession();
    if (!browser) throw new Error(`${this.o.server}: the browser step of the authorization is gone`);
    this.provider.redeeming = true;
    this.o.log.info({ authorization_endpoint: `${url.origin}${url.pathname}` }, 'authorization needed; asking the user');
    const redirect = await browser.authorize(url, state, signal).catch((err: unknown) => {
      if (err instanceof HostError && err.code === ErrorCodes.Cancelled && !signal.aborted) this.declined = true;
      throw err;
    });
    const params = redirect.searchParams;
    // The browser step accepts only its own state; checked again here, as the flow's own guard (RFC 6749 §10.12).
    if (params.get('state') !== state) throw new HostError(ErrorCodes.Denied, `${this.o.server}: the authorization redirect carried another state; refused`);
    const code = params.get('code');
    const iss = params.get('iss') ?? undefined;
    const meta = this.provider.discoveryState()?.authorizationServerMetadata;
    if (!code) {
      // RFC 9207 first: an error from a mixed-up authorization server is not shown (it is the attacker's text).
      validateAuthorizationResponseIssuer({ iss, expectedIssuer: meta?.issuer, issParameterSupported: meta?.authorization_response_iss_parameter_supported === true });
      throw new HostError(ErrorCodes.Denied, `${this.o.server}: the authorization server refused: ${params.get('error') ?? 'no code in the redirect'}`);
    }
    const result = await auth(this.provider, {
      serverUrl: this.o.serverUrl,
      authorizationCode: code,
      ...(iss !== undefined ? { iss } : {}),
      ...(this.provider.discoveryState()?.resourceMetadataUrl ? { resourceMetadataUrl: new URL(this.provider.discoveryState()!.resourceMetadataUrl!) } : {}),
      ...(this.o.fetchFn ? { fetchFn: this.o.fetchFn } : {}),
    }).catch((err: unknown) => {
      throw explainFlowError(err, this.o.server);
    });
    if (result !== 'AUTHORIZED') throw new Error(`${this.o.server}: the code was not redeemed`);
    this.o.log.info('authorized');
  }
}

/**
 * A failure of the flow in words that say what happened and what to configure: no way to identify the
 * client (no `oauth.client_id`, no client ID metadata document, no registration endpoint), a mix-up
 * (RFC 9207 / RFC 8414 issuer), a resource that is not this server.
 */
export function explainFlowError(err: unknown, server: string): Error {
  if (!(err instanceof Error)) return new Error(`${server}: authorization failed: ${String(err)}`);
  if (err instanceof HostError) return err;
  const m = err.message;
  if (err instanceof AuthorizationRefused) return new Error(`${server}: authorization refused: ${m}`, { cause: err });
  if (/does not support dynamic client registration/i.test(m)) {
    return new Error(
      `${server}: the authorization server does not support Dynamic Client Registration; configure a client registered with it: oauth = { client_id = "...", client_secret = "\${env:NAME}" } (or oauth.client_metadata_url) (:help mcp-oauth-config)`,
      { cause: err },
    );
  }
  if (err instanceof IssuerMismatchError) {
    return new Error(`${server}: authorization refused: ${err.kind === 'metadata' ? "the authorization server's metadata names another issuer" : 'the authorization response came from another authorization server (RFC 9207 iss)'}`, { cause: err });
  }
  if (/^Protected resource .* does not match/.test(m)) return new Error(`${server}: authorization refused: ${m} (the server's metadata names another resource)`, { cause: err });
  return new Error(`${server}: authorization failed: ${m}`, { cause: err });
}
