/**
 * What one server is told about roots (spec: client/roots). The host keeps the editor's roots; each
 * server sees them, none (`roots = false`) or a fixed list. A 2025-11-25 server asks with `roots/list`
 * and hears `notifications/roots/list_changed` when its view changes; a 2026-07-28 server asks in an
 * `input_required` round of the request that needs them, so it always gets the current view and needs
 * no announcement.
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Client } from '@modelcontextprotocol/client';
import type { ServerConfig } from '../config/types.js';
import type { Root } from '../contract/snapshot.js';
import type { Logger } from '../log.js';

/**
 * One server's view of the roots (its `roots` setting applied to the editor's) and what it was last
 * told, so that a 2025-11-25 server hears `notifications/roots/list_changed` only for a real change.
 * Roots are `{ uri: "file://...", name }` (spec: client/roots); nothing here throws.
 */
export class RootsView {
  /** What this server was last told (JSON), so that only real changes are announced. */
  private announced?: string;

  /**
   * @param editorRoots the editor's current roots, before this server's own `roots` setting
   */
  constructor(
    private readonly cfg: ServerConfig,
    private readonly editorRoots: () => Root[],
    private readonly log: Logger,
  ) {}

  /** The roots this server sees. */
  effective(): Root[] {
    const own = this.cfg.roots;
    if (own === false) return [];
    if (own === true) return this.editorRoots();
    return own.map((dir) => ({ uri: pathToFileURL(dir).href, name: basename(dir) }));
  }

  /** A new connection learns the roots by asking; only changes after this point are news to it. */
  reset(): void {
    this.announced = JSON.stringify(this.effective());
  }

  /** The answer to `roots/list` (either era); remembered as what the server knows. */
  answer(): Root[] {
    const roots = this.effective();
    this.announced = JSON.stringify(roots);
    return roots;
  }

  /**
   * The editor's roots may have changed: sends `notifications/roots/list_changed` to a connected
   * 2025-era server when what it sees really changed, and only then.
   *
   * @param client the connected client, or undefined when not connected
   * @param legacy whether the connection is 2025-era (2026-07-28 servers ask each time instead)
   */
  changed(client: Client | undefined, legacy: boolean): void {
    const now = JSON.stringify(this.effective());
    if (now === this.announced) return;
    this.announced = now;
    if (!client || !legacy) return;
    this.log.debug('roots/list_changed');
    client.sendRootsListChanged().catch((err: Error) => this.log.warn({ err: err.message }, 'roots/list_changed failed'));
  }
}
