/**
 * When a server whose connection was lost is restarted, and when it is given up on: exponential backoff
 * (1 s, 2 s, 4 s, 8 s, 16 s with the defaults), at most {@link Defaults.restart_max} restarts in a row,
 * and the count starts again only after the server stayed connected for {@link Defaults.restart_stable_ms}:
 * a server that crashes 300 ms after every connect backs off and is given up on, instead of being
 * restarted forever one second apart. A restart that fails (the server dies again during `initialize`,
 * or its URL refuses connections) counts as one more failure and is retried on the same schedule.
 */
import { Defaults } from '../contract/defaults.js';

/** The policy's numbers; each defaults to the contract's. */
export interface RestartOptions {
  /** Delay before the first restart, ms; doubled for each further one. */
  baseMs: number;
  /** Restarts in a row before giving up. */
  max: number;
  /** Connected this long, ms, and the count starts again. */
  stableMs: number;
}

/** The contract's defaults ({@link Defaults}). */
export const DEFAULT_RESTART: RestartOptions = {
  baseMs: Defaults.restart_base_ms,
  max: Defaults.restart_max,
  stableMs: Defaults.restart_stable_ms,
};

/** One server's count of failures in a row. */
export class RestartPolicy {
  private failures = 0;
  private stableTimer?: NodeJS.Timeout;
  readonly options: RestartOptions;

  constructor(options: Partial<RestartOptions> = {}) {
    this.options = { ...DEFAULT_RESTART, ...options };
  }

  /** Failures in a row so far (restarts tried, plus the loss that started them). */
  get count(): number {
    return this.failures;
  }

  /** The server connected: if it stays connected for `stableMs`, the count starts again. */
  connected(): void {
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => (this.failures = 0), this.options.stableMs);
    this.stableTimer.unref();
  }

  /**
   * The connection was lost, or a restart failed.
   *
   * @returns the delay before the next restart, ms, and which restart it is (1-based); undefined once
   *   `max` restarts in a row have failed: give up
   */
  failed(): { delayMs: number; attempt: number } | undefined {
    clearTimeout(this.stableTimer);
    this.failures++;
    if (this.failures > this.options.max) return undefined;
    return { delayMs: this.options.baseMs * 2 ** (this.failures - 1), attempt: this.failures };
  }

  /** The user started, stopped or restarted the server: a fresh count. */
  reset(): void {
    clearTimeout(this.stableTimer);
    this.failures = 0;
  }
}
