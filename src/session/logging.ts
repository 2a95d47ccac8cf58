/**
 * A server's log level (spec 2025-11-25: server/utilities/logging): the level asked for, from the
 * server's `log_level` config or `:Mcp loglevel` (which outlives restarts), and how it reaches the
 * server in each era:
 *
 * - 2025-11-25: `logging/setLevel`, sent once connected and whenever it changes, only to a server that
 *   declares the `logging` capability.
 * - 2026-07-28: `logging/setLevel` is gone from the protocol (SEP-2577 deprecates server logging); a
 *   request may still carry the level in `_meta` (`io.modelcontextprotocol/logLevel`), and
 *   `notifications/message` still arrives. The SDK's client fills that key from nowhere, so the host
 *   adds it to each request it makes ({@link ServerLogging.meta}).
 */
import { LOG_LEVEL_META_KEY, type Client } from '@modelcontextprotocol/client';
import { ServerLogLevels, type ServerLogLevel } from '../contract/defaults.js';
import { ErrorCodes, HostError } from '../errors.js';
import type { Era } from './era-cache.js';

/** Whether `level` is one of the spec's eight severities. */
export function isServerLogLevel(level: unknown): level is ServerLogLevel {
  return typeof level === 'string' && (ServerLogLevels as readonly string[]).includes(level);
}

/** One server's log level: the configured one until `:Mcp loglevel` sets another. */
export class ServerLogging {
  private chosen?: ServerLogLevel;

  /**
   * @param configured the server config's `log_level`
   * @param server the server's name, for error messages
   */
  constructor(
    private readonly configured: ServerLogLevel | undefined,
    private readonly server: string,
  ) {}

  /** The level asked for, or undefined: the server's own choice. */
  get level(): ServerLogLevel | undefined {
    return this.chosen ?? this.configured;
  }

  /**
   * Remembers `level` (kept across restarts of this session).
   *
   * @throws HostError InvalidParams when `level` is not one of {@link ServerLogLevels}
   */
  choose(level: unknown): ServerLogLevel {
    if (!isServerLogLevel(level)) {
      throw new HostError(ErrorCodes.InvalidParams, `server "${this.server}": log level "${String(level)}" is not one of ${ServerLogLevels.join(', ')}`);
    }
    this.chosen = level;
    return level;
  }

  /** Whether the level goes over the wire as `logging/setLevel` for this connection. */
  static canSet(client: Client, era: Era): boolean {
    return era === 'legacy' && client.getServerCapabilities()?.logging !== undefined;
  }

  /**
   * Sends the level to a 2025-era server that declares `logging` (nothing when no level is chosen).
   *
   * @param timeout ms for the request
   * @returns whether it was sent
   * @throws the SDK's error or the server's when `logging/setLevel` fails
   */
  async apply(client: Client, era: Era, timeout: number): Promise<boolean> {
    const level = this.level;
    if (!level || !ServerLogging.canSet(client, era)) return false;
    await client.setLoggingLevel(level, { timeout });
    return true;
  }

  /** The `_meta` a 2026-era request carries for the chosen level, or undefined. */
  meta(era: Era): Record<string, unknown> | undefined {
    const level = this.level;
    return era === 'modern' && level ? { [LOG_LEVEL_META_KEY]: level } : undefined;
  }
}
