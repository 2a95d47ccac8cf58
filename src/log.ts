/**
 * The host's logger: pino writing to a file, never to stdout (stdout carries msgpack-RPC).
 */
import pino, { type Logger } from 'pino';
import { Defaults, LogLevels } from './contract/defaults.js';

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
 * @param level a name of {@link LogLevels} (`trace` … `silent`); unknown names fall back to
 *   {@link Defaults.log_level}
 */
export function createFileLogger(path: string, level: string = Defaults.log_level): Logger {
  const known: readonly string[] = LogLevels;
  const dest = pino.destination({ dest: path, mkdir: true, sync: false, minLength: 0 });
  return pino(
    {
      level: known.includes(level) ? level : Defaults.log_level,
      base: { pid: process.pid },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    dest,
  );
}
