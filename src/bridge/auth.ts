/**
 * OAuth as the editor sees it (issue 12; |mcp-oauth|): the token files and the browser step handed to
 * the sessions (hub.ts `auth`), and the `auth` and `logout` requests (|:Mcp-auth|, |:Mcp-logout|).
 */
import { editorBrowser } from '../auth/browser.js';
import { FileAuthStore } from '../auth/store.js';
import type { AuthStore, OpenBrowser } from '../auth/types.js';
import { ErrorCodes } from '../contract/errors.js';
import type { ServerSnapshot } from '../contract/snapshot.js';
import { HostError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Session } from '../session/session.js';
import type { AskBroker } from './asks.js';

/** The editor's part of OAuth for one host. */
export class EditorAuth {
  /** What the sessions get (hub.ts `auth`). */
  readonly deps: { store: AuthStore; openBrowser: OpenBrowser };
  private readonly store: FileAuthStore;
  /** The Lua request (`auth`) each server's running authorization answers, by server name. */
  private readonly requests = new Map<string, number>();

  /**
   * @param dir where token files live (`init`'s `auth_dir`: `stdpath("data")/mcp/auth`)
   * @param asks the bridge's broker (the consent window is an `oauth` ask)
   * @param log the host's logger
   */
  constructor(dir: string, asks: AskBroker, log: () => Logger) {
    this.store = new FileAuthStore(dir, log);
    this.deps = { store: this.store, openBrowser: editorBrowser({ asks, log, requestOf: (server) => this.requests.get(server) }) };
  }

  /**
   * Authorizes `s` now and reconnects it (Session.authorize); the consent ask names Lua request
   * `request`, whose guard Lua holds while the person decides.
   *
   * @returns the snapshot once connected
   * @throws HostError InvalidParams for a stdio server; as Session.authorize (Cancelled when declined,
   *   AuthorizationRequired, RequestTimeout, the flow's errors)
   */
  async authorize(s: Session, request: number): Promise<ServerSnapshot> {
    requireRemote(s, 'auth');
    this.requests.set(s.name, request);
    try {
      return await s.authorize();
    } finally {
      if (this.requests.get(s.name) === request) this.requests.delete(s.name);
    }
  }

  /**
   * Forgets `s`'s tokens and client registration, then restarts it when it runs, so that none stays in
   * memory; the restart is not waited for (its new flow asks the person, who takes their time).
   *
   * @returns whether there was a record
   * @throws HostError InvalidParams for a stdio server; the store's error (file named) when the file
   *   cannot be removed
   */
  async logout(s: Session): Promise<boolean> {
    requireRemote(s, 'logout');
    const had = await this.store.forget(s.name);
    if (s.status === 'connected' || s.status === 'starting') void s.restart(s.deadline('restart')).catch(() => {});
    return had;
  }
}

/**
 * @throws HostError InvalidParams when `s` is a stdio server: authorization is for remote servers (spec:
 *   basic/authorization, "Implementations using an STDIO transport SHOULD NOT follow this specification")
 */
function requireRemote(s: Session, what: string): void {
  if (s.cfg.transport === 'stdio') {
    throw new HostError(ErrorCodes.InvalidParams, `${what} ${s.name}: a stdio server has no OAuth authorization (it takes credentials from its environment)`);
  }
}
