/**
 * The one timeout policy of the host (issue 8): a request has ONE deadline, and that deadline includes
 * any wait for a server that is still starting. Progress from the server pushes it back (spec:
 * basic/utilities/progress: a receiver MAY reset its timeout on progress); the SDK does that part.
 */
import { Defaults } from '../contract/defaults.js';
import { ErrorCodes } from '../contract/errors.js';
import { HostError } from '../errors.js';

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
 * A request's deadline: started once, when the request arrives, and consumed by everything the request
 * waits for: a server that is still starting, the `${input:...}` asks, the handshake (including a
 * renegotiation or a respawn), every page of the lists, and the request itself.
 */
export class Deadline {
  private readonly end: number;
  private controller?: AbortController;

  /**
   * @param ms the whole budget, from {@link requestTimeoutMs}
   * @param what names the request in the error: `server "git": tools/call "status"`
   */
  constructor(
    readonly ms: number,
    readonly what: string,
  ) {
    this.end = Date.now() + ms;
  }

  /** ms left, never below 0. */
  remaining(): number {
    return Math.max(0, this.end - Date.now());
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
   * requests (the pages of a list, a probe then `initialize`) that each get `timeout: remaining()`.
   */
  get signal(): AbortSignal {
    if (!this.controller) {
      const controller = (this.controller = new AbortController());
      const left = this.remaining();
      if (left <= 0) controller.abort(this.error());
      else setTimeout(() => controller.abort(this.error()), left).unref();
    }
    return this.controller.signal;
  }

  /** The error every expiry raises: RequestTimeout naming server, method/tool and the budget. */
  error(): HostError {
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
