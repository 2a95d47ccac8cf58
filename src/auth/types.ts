/**
 * The seams of the auth layer (spec: basic/authorization; DESIGN.md, "auth"). The protocol half
 * (discovery, client identity, PKCE, the SDK's `auth()`, conformance) and the editor half (where tokens
 * live, how the browser step happens) meet here, so each half can be built and tested on its own:
 * the conformance client runs the same flow with a memory store and a `redirect: "manual"` fetch in
 * place of the browser; the editor runs it with the token files and the loopback listener or paste.
 */
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/client';

/** What is kept for one server between flows and across Neovims. */
export interface AuthRecord {
  /** The server URL the record was made for; a record whose URL differs from the config's is ignored. */
  serverUrl: string;
  /** The tokens as the token endpoint returned them. */
  tokens?: OAuthTokens;
  /** When `tokens` were received, ms since the epoch (with `expires_in`: when to refresh). */
  obtainedAt?: number;
  /** The client registration (dynamic, or the metadata-document client id) for `issuer`. */
  client?: OAuthClientInformationMixed;
  /** The authorization server that issued `client` and `tokens`; a migration invalidates both. */
  issuer?: string;
  /**
   * The private key (a P-256 JWK) that DPoP-bound `tokens` are bound to (RFC 9449), kept with them so
   * that they outlive the host process; dropped with the client on a migration. Secret like the tokens.
   */
  dpopKey?: JsonWebKey;
}

/**
 * Where records live. The editor's store is one file per server under `stdpath("data")`, mode 0600,
 * written atomically and under a lock so two Neovims authorizing at once do not corrupt it; the
 * conformance client's store is a Map.
 */
export interface AuthStore {
  /** The server's record, or undefined when there is none (or it cannot be read: logged, treated as none). */
  read(server: string): Promise<AuthRecord | undefined>;
  /** Merges `patch` into the server's record (read-modify-write under the lock). */
  update(server: string, patch: Partial<AuthRecord>): Promise<void>;
  /** Forgets the server's record (`:Mcp logout`); no error when there is none. */
  remove(server: string): Promise<void>;
}

/** One authorization-code flow's browser step: opened for a flow, closed when the flow ends. */
export interface BrowserSession {
  /** The redirect URI to register and send (`http://127.0.0.1:PORT/callback`, loopback only). */
  readonly redirectUrl: string;
  /**
   * Has the user agent visit `authorizationUrl` and returns the URL it was redirected to (with `code`,
   * `state`, maybe `iss`, or `error`). Only a redirect whose `state` equals `state` is accepted; others
   * are refused and the wait goes on. The editor asks for consent first (declined: rejects with
   * Cancelled), opens the browser with `vim.ui.open`, and takes the redirect from the loopback listener
   * or from the URL the user pastes (over SSH, headless).
   * @throws HostError Cancelled when declined or `signal` aborts; Timeout after the flow's limit
   */
  authorize(authorizationUrl: URL, state: string, signal: AbortSignal): Promise<URL>;
  /** Stops the listener; idempotent. */
  close(): void;
}

/** Opens a browser step for `server`'s flow. */
export type OpenBrowser = (server: string) => Promise<BrowserSession>;

/**
 * The redirect URI registered for the authorization-code grant: loopback, no port (the authorization
 * server allows any port on a loopback redirect, RFC 8252 §7.3). A {@link BrowserSession}'s
 * `redirectUrl` is this with the listener's port: `http://127.0.0.1:PORT/callback`.
 */
export const LOOPBACK_REDIRECT = 'http://127.0.0.1/callback';

/** The client name registered and shown by authorization servers, unless the config's `oauth.client_name` says otherwise. */
export const CLIENT_NAME = 'mcp.nvim';
