/**
 * The host's logger: pino writing to a file, never to stdout (stdout carries msgpack-RPC). What a
 * server sends must not be able to flood it: repeated messages are rate-limited, long values cut, URL
 * passwords redacted, and the file is capped and rotated (log-file.ts).
 */
import pino, { type Logger } from 'pino';
import { Defaults, LogLevels } from './contract/defaults.js';
import { RotatingFile } from './log-file.js';
import { redact } from './redact.js';

export type { Logger };

/**
 * Paths whose values are secrets and must never reach the log. Config values are not logged at all
 * (only server names and transports); these are the second line of defence.
 */
const REDACT = [
  'headers',
  '*.headers',
  'env',
  '*.env',
  'authorization',
  '*.authorization',
  'arguments',
  // OAuth (issue 12): a record, its tokens and the client's secret, wherever a log call might pass them.
  ...['tokens', 'access_token', 'refresh_token', 'id_token', 'client_secret', 'code_verifier'].flatMap((k) => [k, `*.${k}`]),
];

/** Longest string value (a server's stderr line, an error message) kept whole in the log, characters. */
export const MAX_VALUE_CHARS = 2000;
/** How deep logged objects are walked to cut long values; deeper values are replaced. */
const MAX_DEPTH = 4;
/** Most items of a logged array kept. */
const MAX_ITEMS = 20;
/** Lines with the same message from the same server kept per {@link RATE_WINDOW_MS}. */
export const RATE_BURST = 200;
/** The rate limit's window, ms. */
export const RATE_WINDOW_MS = 10_000;

/** A logger that drops everything; used before `init` names the log file, and in unit tests. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** Options of {@link createFileLogger}; defaults from the contract. */
export interface FileLoggerOptions {
  /** Size at which the file is rotated to `<path>.1`, bytes (default {@link Defaults.log_max_bytes}). */
  maxBytes?: number;
  /** Clock, ms; tests move it. */
  now?: () => number;
  /** The rate limit's window, ms (default {@link RATE_WINDOW_MS}). */
  rateWindowMs?: number;
}

/**
 * Opens (creating directories as needed) the log file, mode 0600, and returns a logger writing to it.
 *
 * @param path absolute path of the log file, e.g. `stdpath("log") .. "/mcp.log"`
 * @param level a name of {@link LogLevels} (`trace` … `silent`); unknown names fall back to
 *   {@link Defaults.log_level}
 * @throws Error when the log directory cannot be created
 */
export function createFileLogger(path: string, level: string = Defaults.log_level, opts: FileLoggerOptions = {}): Logger {
  const known: readonly string[] = LogLevels;
  const windowMs = opts.rateWindowMs ?? RATE_WINDOW_MS;
  const limit = new RateLimit(windowMs, opts.now ?? Date.now);
  return pino(
    {
      level: known.includes(level) ? level : Defaults.log_level,
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: '[redacted]' },
      formatters: { log: (obj) => tidy(obj, 0) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const msg = typeof args[0] === 'string' ? args[0] : typeof args[1] === 'string' ? args[1] : '';
          const server = (this.bindings() as { server?: unknown }).server;
          const key = `${String(server ?? '')}\u0000${msg}`;
          const verdict = limit.count(key);
          if (verdict.log) {
            const cleaned = args.map((a) => (typeof a === 'string' ? cut(redact(a)) : a));
            return (method as (...a: unknown[]) => void).apply(this, cleaned);
          }
          if (!verdict.firstDropped) return;
          // At the window's end, one line says how many were left out (`method` is the level's own
          // function: the line does not come back through this hook).
          const logger = this;
          setTimeout(() => {
            const n = limit.take(key);
            if (n) method.call(logger, { suppressed: n }, `${n} more of "${cut(redact(msg))}" not logged in ${windowMs / 1000} s`);
          }, verdict.windowLeftMs).unref();
        },
      },
    },
    new RotatingFile(path, opts.maxBytes ?? Defaults.log_max_bytes),
  );
}

/**
 * Counts lines per key (server and message) in fixed windows: the first {@link RATE_BURST} of a window
 * are logged, the rest counted; the count is reported once at the window's end.
 */
class RateLimit {
  private readonly seen = new Map<string, { start: number; count: number; dropped: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** One more line of `key`: whether to log it, and whether it is the first one dropped this window. */
  count(key: string): { log: boolean; firstDropped: boolean; windowLeftMs: number } {
    const t = this.now();
    let entry = this.seen.get(key);
    if (!entry || t - entry.start >= this.windowMs) {
      // Keys of messages long gone are forgotten, so the map stays small.
      if (!entry && this.seen.size >= 1000) for (const [k, e] of this.seen) if (t - e.start >= this.windowMs && !e.dropped) this.seen.delete(k);
      entry = { start: t, count: 0, dropped: entry?.dropped ?? 0 };
      this.seen.set(key, entry);
    }
    entry.count++;
    const windowLeftMs = Math.max(0, entry.start + this.windowMs - t);
    if (entry.count <= RATE_BURST) return { log: true, firstDropped: false, windowLeftMs };
    entry.dropped++;
    return { log: false, firstDropped: entry.count === RATE_BURST + 1, windowLeftMs };
  }

  /** How many lines of `key` were dropped and not yet reported; resets the count. */
  take(key: string): number {
    const entry = this.seen.get(key);
    if (!entry) return 0;
    const n = entry.dropped;
    entry.dropped = 0;
    return n;
  }
}

/** `text` cut to {@link MAX_VALUE_CHARS}, saying how much was left out. */
function cut(text: string): string {
  return text.length <= MAX_VALUE_CHARS ? text : `${text.slice(0, MAX_VALUE_CHARS)}… [${text.length - MAX_VALUE_CHARS} more characters]`;
}

/** A copy of a logged value with long strings cut, long arrays shortened, URL passwords redacted. */
function tidy(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return cut(redact(value));
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_ITEMS).map((v) => tidy(v, depth + 1));
    if (value.length > MAX_ITEMS) kept.push(`… [${value.length - MAX_ITEMS} more items]`);
    return kept;
  }
  // Errors and other class instances go to pino's serializers as they are.
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tidy(v, depth + 1)]));
}
