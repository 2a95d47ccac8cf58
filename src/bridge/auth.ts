/**
 * OAuth as the editor sees it (issue 12; |mcp-oauth|): the token files and the browser step handed to
 * the sessions, which servers need the person's authorization (the snapshot's `needs_auth`, shown by
 * the hub), and the `auth` and `logout` requests (|:Mcp-auth|, |:Mcp-logout|).
 */
import { existsSync } from 'node:fs';
import { editorBrowser, type BrowserEvent } from '../auth/browser.js';
import { FileAuthStore } from '../auth/store.js';
import type { AuthDeps } from '../auth/types.js';
import { ErrorCodes } from '../contract/errors.js';
import type { ServerSnapshot } from '../contract/snapshot.js';
import { HostError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Session } from '../session/session.js';
import type { AskBroker } from './asks.js';

/** The editor's part of OAuth for one host. */
export class EditorAuth {
  /** What the sessions get (hub.ts `auth`). */
  readonly deps: AuthDeps;
  private readonly store: FileAuthStore;
  /** Servers whose browser step was asked for and not completed since they last connected. */
  private readonly needed = new Set<string>();
  /** The Lua request (`auth`) each server's running authorization answers, by server name. */
  private readonly requests = new Map<string, number>();

  /**
   * @param dir where token files live (`init`'s `auth_dir`: `stdpath("data")/mcp/auth`)
   * @param asks the bridge's broker (the consent window is an `oauth` ask)
   * @param log the host's logger
   * @param changed called when whether a server needs authorization changed (the bridge pushes its snapshot)
   */
  constructor(
    dir: string,
    asks: AskBroker,
    log: () => Logger,
    private readonly changed: (server: string) => void,
  ) {
    this.store = new FileAuthStore(dir, log);
    this.deps = { store: this.store, openBrowser: editorBrowser({ asks, log, onEvent: this.onBrowser, requestOf: (server) => this.requests.get(server) }) };
  }

  private readonly onBrowser = (server: string, event: BrowserEvent): void => {
    const before = this.needed.has(server);
    if (event === 'redirected') this.needed.delete(server);
    else this.needed.add(server);
    if (before !== this.needed.has(server)) this.changed(server);
  };

  /** `snap` with `needs_auth` when its server waits for (or was refused) the person's authorization. */
  decorate(snap: ServerSnapshot): ServerSnapshot {
    if (snap.status === 'connected') this.needed.delete(snap.name);
    return this.needed.has(snap.name) ? { ...snap, needs_auth: true } : snap;
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
    const had = existsSync(this.store.fileOf(s.name));
    await this.store.remove(s.name);
    if (s.status === 'connected' || s.status === 'starting') void s.restart(s.deadline('restart')).catch(() => {});
    return had;
  }
}

/**
 * @throws HostError InvalidParams when `s` is a stdio server: authorization is for remote servers (spec:
 *   basic/authorization, "Implementations using an STDIO transport SHOULD NOT follow this specification")
 */
export function requireRemote(s: Session, what: string): void {
  if (s.cfg.transport === 'stdio') {
    throw new HostError(ErrorCodes.InvalidParams, `${what} ${s.name}: a stdio server has no OAuth authorization (it takes credentials from its environment)`);
  }
}
