/**
 * The one timeout policy of the host (issue 8): a request has ONE deadline, and that deadline includes
 * any wait for a server that is still starting. Progress from the server pushes it back (spec:
 * basic/utilities/progress: a receiver MAY reset its timeout on progress; {@link Deadline.touch}, called
 * by requests.ts: the host keeps each request's time itself, since the SDK's timer cannot be held), but
 * never past the request's maximum total time, counted from the same start (issue 11). The Lua guard
 * (lua/mcp/core/channel.lua) follows the same two numbers, each plus `timeout_margin_ms`.
 */
import { Defaults } from '../contract/defaults.js';
import { ErrorCodes } from '../contract/errors.js';
import { HostError } from '../errors.js';

/** How early, ms, a timer may fire against `Date.now()`; see {@link Deadline.error}. */
const TIMER_SLACK_MS = 15;

/**
 * How long one request may take, ms: the request's own `timeout_ms`, else the server config's
 * `timeout_ms`, else the host default (`init`'s `timeout_ms`, else {@link Defaults.timeout_ms}).
 * Non-positive or non-finite values are ignored at each level. The bridge and the Lua guard
 * (`timeout + Defaults.timeout_margin_ms`) derive from the same number.
 *
 * @param requestMs `timeout_ms` of the request itself
 * @param serverMs `timeout_ms` of the server's config
 * @param defaultMs the host default
 * @returns the request's budget in ms (always > 0)
 */
export function requestTimeoutMs(requestMs?: number, serverMs?: number, defaultMs: number = Defaults.timeout_ms): number {
  for (const ms of [requestMs, serverMs, defaultMs]) if (typeof ms === 'number' && Number.isFinite(ms) && ms > 0) return ms;
  return Defaults.timeout_ms;
}

/**
 * The longest a request that reports progress may take in all, ms: the server config's `max_total_ms`,
 * else {@link Defaults.max_total_ms}, and never less than the request's own budget `budgetMs` (progress
 * can only lengthen a request). The Lua guard computes the same (`channel.total_ms`).
 *
 * @param budgetMs the request's budget from {@link requestTimeoutMs}
 * @param serverMs `max_total_ms` of the server's config
 */
export function maxTotalMs(budgetMs: number, serverMs?: number): number {
  const max = typeof serverMs === 'number' && Number.isFinite(serverMs) && serverMs > 0 ? serverMs : Defaults.max_total_ms;
  return Math.max(max, budgetMs);
}

/**
 * A request's deadline: started once, when the request arrives, and consumed by everything the request
 * waits for: a server that is still starting, the `${input:...}` asks, the handshake (including a
 * renegotiation or a respawn), every page of the lists, and the request itself.
 *
 * Its clock can be held (issue 11): while a server's question (an elicitation, a sampling request; see
 * bridge/server-ask.ts) waits on the person at the editor or on a model, the calls to that server do not
 * time out (spec 2025-11-25: client/elicitation gives the user all the time they need; a server cannot
 * say which of its calls a question belongs to, so all of them wait). Held
 * time counts against neither the budget nor the maximum total time.
 */
export class Deadline {
  private end: number;
  private started: number;
  private controller?: AbortController;
  private timer?: NodeJS.Timeout;
  /** How many holds are open ({@link hold}); the clock stands still while any is. */
  private holds = 0;
  /** When the first open hold began (`Date.now()`). */
  private heldSince = 0;
  /** The request ended ({@link dispose}): no timer is armed again. */
  private disposed = false;
  /** {@link signal} was aborted because the time ran out (not by a followed signal). */
  private timedOut = false;
  /** Stops following the caller's signal ({@link follow}). */
  private unfollow?: () => void;

  /**
   * @param ms the whole budget, from {@link requestTimeoutMs}
   * @param what names the request in the error: `server "git": tools/call "status"`
   * @param totalMs with progress, the longest the request may take in all ({@link maxTotalMs}); default `ms`
   */
  constructor(
    readonly ms: number,
    readonly what: string,
    readonly totalMs: number = ms,
  ) {
    this.started = Date.now();
    this.end = this.started + ms;
  }

  /** The clock: `Date.now()`, or the moment it stopped while held. */
  private now(): number {
    return this.holds > 0 ? this.heldSince : Date.now();
  }

  /** ms left, never below 0. */
  remaining(): number {
    return Math.max(0, this.end - this.now());
  }

  /** ms left of the maximum total time ({@link totalMs}), never below 0: what progress cannot extend. */
  totalRemaining(): number {
    return Math.max(0, this.started + this.totalMs - this.now());
  }

  /**
   * What is left, ms, for one more step of the request.
   *
   * @throws HostError RequestTimeout ({@link error}) when nothing is left
   */
  budget(): number {
    const left = this.remaining();
    if (left <= 0) throw this.error();
    return left;
  }

  /**
   * Aborted, with {@link error} as its reason, when the deadline passes: for work made of several
   * requests (the pages of a list, a probe then `initialize`) that each get `timeout: remaining()`, and
   * for a request whose whole timing the host keeps (requests.ts: held, and pushed back by progress).
   */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      this.arm();
    }
    return this.controller.signal;
  }

  /**
   * Progress came (spec: basic/utilities/progress: a receiver MAY reset its timeout on progress): the
   * whole budget {@link ms} again, never past the maximum total time.
   */
  touch(): void {
    if (this.holds > 0) return;
    this.end = Math.min(Date.now() + this.ms, this.started + this.totalMs);
    this.arm();
  }

  /**
   * Stops the clock until the returned function is called (holds nest; the clock runs again when the
   * last is released). Idempotent release.
   *
   * @returns release: the held time is added to the budget and to the maximum total time
   */
  hold(): () => void {
    if (this.holds++ === 0) {
      this.heldSince = Date.now();
      clearTimeout(this.timer);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds > 0) return;
      const held = Date.now() - this.heldSince;
      this.end += held;
      this.started += held;
      this.arm();
    };
  }

  /**
   * {@link signal}, also aborted (with its reason) when `outer` aborts: one signal for a request that
   * the caller may cancel, without `AbortSignal.any` (which costs tens of µs per request).
   *
   * @param outer the caller's signal (e.g. the editor cancelled the request)
   */
  follow(outer?: AbortSignal): AbortSignal {
    const own = this.signal;
    if (!outer || own.aborted) return own;
    if (outer.aborted) {
      this.controller!.abort(outer.reason);
      return own;
    }
    const onAbort = () => this.controller!.abort(outer.reason);
    outer.addEventListener('abort', onAbort, { once: true });
    this.unfollow = () => outer.removeEventListener('abort', onAbort);
    return own;
  }

  /** The error {@link signal} was aborted with when the deadline passed; else undefined. */
  get expired(): HostError | undefined {
    return this.timedOut ? (this.controller?.signal.reason as HostError) : undefined;
  }

  /** The request ended: its timer stops (held or not, nothing more happens). */
  dispose(): void {
    clearTimeout(this.timer);
    this.disposed = true;
    this.unfollow?.();
  }

  /** (Re)schedules the abort of {@link signal} for when what is left runs out; nothing while held. */
  private arm(): void {
    const controller = this.controller;
    if (!controller || controller.signal.aborted || this.holds > 0 || this.disposed) return;
    clearTimeout(this.timer);
    const left = this.remaining();
    if (left <= 0) {
      this.timedOut = true;
      controller.abort(this.error());
    } else this.timer = setTimeout(() => this.arm(), left).unref();
  }

  /**
   * The error every expiry raises: RequestTimeout naming server, method/tool and the budget; once the
   * maximum total time has passed (a request kept alive by progress), naming that instead
   * (`data.max_total_ms`).
   */
  error(): HostError {
    // A timer may fire a little before Date.now() says it is due: a few ms of slack.
    if (this.totalMs > this.ms && this.totalRemaining() <= TIMER_SLACK_MS) {
      return new HostError(ErrorCodes.RequestTimeout, `${this.what}: still running after ${this.totalMs} ms in all (max_total_ms), progress notwithstanding`, {
        timeout_ms: this.ms,
        max_total_ms: this.totalMs,
      });
    }
    return new HostError(ErrorCodes.RequestTimeout, `${this.what}: timed out after ${this.ms} ms`, { timeout_ms: this.ms });
  }

  /**
   * Waits for `promise` until the deadline.
   *
   * @returns true when `promise` settled in time, false when the deadline came first
   */
  async within(promise: Promise<unknown>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.remaining())));
    try {
      return await Promise.race([promise.then(() => true as const, () => true as const), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
