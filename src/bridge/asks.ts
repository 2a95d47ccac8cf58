/**
 * The host asks the editor: a question that needs a person (an `${input:...}` value today; approval,
 * elicitation, sampling review and OAuth consent build on it). Each ask goes to Lua as a `q` item of
 * `_batch`, Lua shows it (one at a time, queued) and answers exactly once with the `answer` request; the
 * host may withdraw it first (`w` item) when whatever waits on it goes away. See protocol.ts, "Asks".
 */
import { ErrorCodes } from '../contract/errors.js';
import type { RpcError } from '../contract/snapshot.js';
import { HostError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AskKinds, AskMeta } from './protocol.js';

export type AskKind = keyof AskKinds;

/** Why an ask ended without an answer; shown to the user when its UI closes. */
export type WithdrawReason = string;

export interface AskOptions {
  /** The server on whose behalf the editor is asked (withdrawn when it stops). */
  server?: string;
  /** One line saying who asks for what, e.g. `github: GitHub token`. */
  title: string;
  /** How long the ask may stay unanswered, ms; none: until answered or withdrawn. */
  timeoutMs?: number;
  /**
   * Aborted when what waits on the answer goes away (a server cancelled its request, the server stopped);
   * a string `reason` is shown to the user.
   */
  signal?: AbortSignal;
  /** The Lua request whose reply waits on this ask (`AskMeta.request`). */
  request?: number;
  /** The Lua requests whose clocks stand still while this ask is open (`AskMeta.holds`). */
  holds?: number[];
}

interface Pending {
  kind: AskKind;
  meta: AskMeta;
  resolve: (result: unknown) => void;
  reject: (err: HostError) => void;
  cleanup: () => void;
}

/** Sends one `_batch` item to Lua (the bridge's outbox). */
export type SendItem = (item: unknown[]) => void;

/**
 * The asks in flight, by ask id (positive, unique per host process): sends each as a `q` item, matches
 * Lua's `answer` to it, and withdraws it (`w` item) when its signal aborts or its `timeoutMs` passes.
 * Who asks withdraws through the signal: a session aborts its start's signal when the server stops,
 * and the SDK aborts a server request's signal when the server cancels it or the connection closes.
 */
export class AskBroker {
  private nextId = 0;
  private pending = new Map<number, Pending>();

  constructor(
    private readonly send: SendItem,
    private readonly log: () => Logger,
  ) {}

  /**
   * Asks the editor and waits for the person's answer.
   *
   * @returns the answer, shaped as `AskKinds[kind]['result']`
   * @throws HostError Cancelled when withdrawn (signal, server stopped, host exiting) or declined in the
   *   editor; RequestTimeout after `timeoutMs`; the Lua handler's error (code and message) when it failed
   */
  ask<K extends AskKind>(kind: K, params: AskKinds[K]['params'], opts: AskOptions): Promise<AskKinds[K]['result']> {
    if (opts.signal?.aborted) return Promise.reject(new HostError(ErrorCodes.Cancelled, `${opts.title}: withdrawn before it was asked`));
    const id = ++this.nextId;
    const meta: AskMeta = { title: opts.title, ...(opts.server ? { server: opts.server } : {}), ...(opts.timeoutMs ? { timeout_ms: opts.timeoutMs } : {}), ...(opts.request ? { request: opts.request } : {}), ...(opts.holds?.length ? { holds: opts.holds } : {}) };
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      // A string reason says why (e.g. "the server was stopped"); anything else is a cancelled request.
      const onAbort = () => this.withdraw(id, typeof opts.signal?.reason === 'string' ? opts.signal.reason : 'the request it belongs to was cancelled');
      const p: Pending = {
        kind,
        meta,
        resolve: resolve as (r: unknown) => void,
        reject,
        cleanup: () => {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
        },
      };
      this.pending.set(id, p);
      if (opts.timeoutMs) {
        timer = setTimeout(() => this.withdraw(id, `no answer within ${opts.timeoutMs} ms`, ErrorCodes.RequestTimeout), opts.timeoutMs);
      }
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      // Logged without params: they may hold what the user is about to type (secrets never reach a log).
      this.log().info({ ask: id, kind, server: opts.server }, 'asking the editor');
      this.send(['q', id, kind, params, meta]);
    });
  }

  /**
   * Lua's answer to ask `id` (the `answer` request).
   *
   * @throws HostError UnknownItem when the ask is not pending (answered already, or withdrawn)
   */
  answer(id: number, err: RpcError | null | undefined, result: unknown): void {
    const p = this.take(id);
    if (!p) throw new HostError(ErrorCodes.UnknownItem, `no pending ask ${id} (answered already or withdrawn)`);
    this.log().info({ ask: id, kind: p.kind, ok: !err }, 'ask answered');
    if (err) p.reject(new HostError(err.code ?? ErrorCodes.InternalError, `${p.meta.title}: ${err.message ?? 'failed in the editor'}`, err.data));
    else p.resolve(result);
  }

  /**
   * Fails every ask with Cancelled without telling Lua (the host is exiting and Neovim may be gone; Lua
   * withdraws every ask itself when the host exits), so that whatever waits on one ends.
   */
  rejectAll(reason: WithdrawReason): void {
    for (const id of [...this.pending.keys()]) {
      const p = this.take(id);
      p?.reject(new HostError(ErrorCodes.Cancelled, `${p.meta.title}: ${reason}`));
    }
  }

  /** Number of asks waiting for an answer. */
  get size(): number {
    return this.pending.size;
  }

  private withdraw(id: number, reason: WithdrawReason, code: number = ErrorCodes.Cancelled): void {
    const p = this.take(id);
    if (!p) return;
    this.log().info({ ask: id, kind: p.kind, reason }, 'ask withdrawn');
    this.send(['w', id, reason]);
    p.reject(new HostError(code, `${p.meta.title}: ${reason}`));
  }

  private take(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    p.cleanup();
    return p;
  }
}
