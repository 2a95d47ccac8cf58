/**
 * Resource subscriptions of one server, counted per subscriber (a buffer, a plugin), kept across
 * restarts, and, on a 2026-07-28 connection, the `subscriptions/listen` stream that carries them
 * together with the list changes.
 *
 * - 2025-11-25 (spec: server/resources#subscriptions): `resources/subscribe` with the first subscriber
 *   of a URI and `resources/unsubscribe` with the last; list changes arrive unasked.
 * - 2026-07-28 (spec: basic/utilities/subscriptions): one `subscriptions/listen` request whose filter
 *   names the list changes the server offers and the subscribed URIs. The filter cannot be edited, so
 *   a changed set of URIs opens a new stream (acknowledged before the old one closes, so that nothing
 *   is missed). The notifications reach the same handlers as in the older era.
 */
import { ProtocolErrorCode, type Client, type McpSubscription, type ServerCapabilities, type SubscriptionFilter } from '@modelcontextprotocol/client';
import { HostError } from '../errors.js';
import type { Logger } from '../log.js';

/** Wait before reopening a listen stream the server or the network ended, ms. */
const RELISTEN_MS = 1000;

/** The connection subscriptions are served on. */
export interface SubscriptionTarget {
  client: Client;
  /** `modern`: 2026-07-28 (`subscriptions/listen`); `legacy`: 2025-11-25 and older (`resources/subscribe`). */
  era: 'modern' | 'legacy';
  /** The server's capabilities: which list changes it sends, whether it offers resource subscriptions. */
  caps: ServerCapabilities | undefined;
  /** Budget of a request made on the server's behalf later (reopening a stream, unsubscribing), ms. */
  timeoutMs: number;
}

/**
 * The resource subscriptions of one server (one instance per session, kept across connections): counted
 * per subscriber, renewed on each new connection ({@link attach}), and served in the connection's era.
 * Raises HostError MethodNotFound when a 2026-07-28 server offers no subscriptions, and passes on the
 * server's ProtocolError and the SDK's SdkError (REQUEST_TIMEOUT when a budget passes).
 */
export class Subscriptions {
  /** URI → number of subscribers. */
  private counts = new Map<string, number>();
  private target?: SubscriptionTarget;
  private stream?: McpSubscription;
  /** Serialises listen (re)opening, so that two quick changes never leave two streams open. */
  private relisten: Promise<void> = Promise.resolve();

  constructor(
    private readonly server: string,
    private readonly log: Logger,
  ) {}

  /** The subscribed URIs. */
  uris(): string[] {
    return [...this.counts.keys()];
  }

  /**
   * A connection is up: renews every subscription on it (and in 2026-07-28 opens the listen stream,
   * which also carries the list changes). Failures are logged: the connection stays usable.
   *
   * @param timeoutMs budget of the renewal, ms (what is left of the start's deadline); default
   *   `target.timeoutMs`
   */
  async attach(target: SubscriptionTarget, timeoutMs = target.timeoutMs): Promise<void> {
    this.target = target;
    if (target.era === 'legacy') {
      await Promise.all(
        this.uris().map((uri) =>
          target.client.subscribeResource({ uri }, { timeout: timeoutMs }).catch((err: Error) => this.log.warn({ uri, err: err.message }, 'resubscribe failed')),
        ),
      );
      return;
    }
    await this.listen(timeoutMs).catch((err: Error) => this.log.warn({ err: err.message }, 'subscriptions/listen failed'));
  }

  /** The connection is gone (its streams went with it). */
  detach(): void {
    this.target = undefined;
    this.stream = undefined;
  }

  /**
   * Adds a subscriber of `uri`; the server hears of it with the first one.
   *
   * @param timeoutMs budget of the request to the server, ms (what is left of the `subscribe` request's
   *   deadline); default `target.timeoutMs`
   * @throws HostError MethodNotFound when a 2026-07-28 server offers no resource subscriptions;
   *   ProtocolError when the server refuses; SdkError REQUEST_TIMEOUT after `timeoutMs`
   */
  async subscribe(uri: string, target: SubscriptionTarget, timeoutMs = target.timeoutMs): Promise<void> {
    const n = this.counts.get(uri) ?? 0;
    if (n === 0) {
      if (target.era === 'legacy') await target.client.subscribeResource({ uri }, { timeout: timeoutMs });
      else {
        if (!target.caps?.resources?.subscribe) throw new HostError(ProtocolErrorCode.MethodNotFound, `server "${this.server}" offers no resource subscriptions`);
        this.counts.set(uri, 1);
        try {
          await this.listen(timeoutMs);
        } catch (err) {
          this.counts.delete(uri);
          throw err;
        }
        return;
      }
    }
    this.counts.set(uri, n + 1);
  }

  /**
   * Drops one subscriber of `uri`; the server hears of it with the last. The subscription is forgotten
   * even when the server is gone.
   */
  async unsubscribe(uri: string): Promise<void> {
    const n = this.counts.get(uri) ?? 0;
    if (n > 1) {
      this.counts.set(uri, n - 1);
      return;
    }
    this.counts.delete(uri);
    const target = this.target;
    if (n !== 1 || !target) return;
    if (target.era === 'legacy') await target.client.unsubscribeResource({ uri }, { timeout: target.timeoutMs });
    else await this.listen();
  }

  /**
   * Opens the listen stream for the current filter and closes the one it replaces.
   *
   * @param timeoutMs budget of the `subscriptions/listen` request, ms; default the target's
   */
  private listen(timeoutMs?: number): Promise<void> {
    const run = this.relisten.then(() => this.reopen(timeoutMs));
    this.relisten = run.catch(() => {});
    return run;
  }

  private async reopen(timeoutMs?: number): Promise<void> {
    const target = this.target;
    if (!target || target.era !== 'modern') return;
    const old = this.stream;
    const filter = this.filter(target.caps);
    const stream = Object.keys(filter).length ? await target.client.listen(filter, { timeout: timeoutMs ?? target.timeoutMs }) : undefined;
    if (this.target !== target) {
      await stream?.close();
      return;
    }
    this.stream = stream;
    await old?.close().catch(() => {});
    if (stream) {
      this.log.debug({ filter: stream.honoredFilter }, 'subscriptions/listen open');
      void stream.closed.then((how) => {
        // Closed by us ('local'), or with the connection: nothing to do. Otherwise the server or the
        // network ended it while we still want it: open it again.
        if (how === 'local' || this.stream !== stream || this.target !== target) return;
        this.log.info({ how }, 'subscriptions/listen ended; reopening');
        this.stream = undefined;
        setTimeout(() => {
          if (this.target === target && !this.stream) this.listen().catch((err: Error) => this.log.warn({ err: err.message }, 'subscriptions/listen failed'));
        }, RELISTEN_MS).unref();
      });
    }
  }

  /** What to listen for: the list changes the server offers, and the subscribed URIs. */
  private filter(caps: ServerCapabilities | undefined): SubscriptionFilter {
    const uris = caps?.resources?.subscribe ? this.uris() : [];
    return {
      ...(caps?.tools?.listChanged ? { toolsListChanged: true } : {}),
      ...(caps?.prompts?.listChanged ? { promptsListChanged: true } : {}),
      ...(caps?.resources?.listChanged ? { resourcesListChanged: true } : {}),
      ...(uris.length ? { resourceSubscriptions: uris } : {}),
    };
  }
}
