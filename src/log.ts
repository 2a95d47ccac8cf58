/**
 * The host's logger: pino writing to a file, never to stdout (stdout carries msgpack-RPC).
 */
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths whose values are secrets and must never reach the log. Config values are not logged at all
 * (only server names and transports); these are the second line of defence.
 */
const REDACT = ['headers', '*.headers', 'env', '*.env', 'authorization', '*.authorization', 'arguments'];

/** A logger that drops everything; used before `init` names the log file, and in unit tests. */
export const silentLogger: Logger = pino({ level: 'silent' });

/**
 * Opens (creating directories as needed) the log file and returns a logger writing to it.
 *
 * @param path absolute path of the log file, e.g. `stdpath("log") .. "/mcp.log"`
 * @param level pino level name (`trace` … `fatal`); unknown names fall back to `info`
 */
export function createFileLogger(path: string, level = 'info'): Logger {
  const known = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
  const dest = pino.destination({ dest: path, mkdir: true, sync: false, minLength: 0 });
  return pino(
    {
      level: known.includes(level) ? level : 'info',
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    dest,
  );
}
