/**
 * Defaults shared by the host and the Lua side (which gets them from the generated
 * `lua/mcp/core/contract.lua`). Units are in the names.
 */
export const Defaults = {
  /** Per-request deadline, ms, when neither the request nor the server's config sets one. */
  timeout_ms: 60_000,
  /**
   * How much longer than a request's deadline the Lua side waits before it gives up on the host, ms:
   * the host always answers at its deadline, so the guard only fires when the host hangs.
   */
  timeout_margin_ms: 5_000,
  /** Resources larger than this (bytes) are inserted or yanked only after confirmation. */
  resource_max_bytes: 10 * 1024 * 1024,
  /** Host log level. */
  log_level: 'info',
} as const;

/** Log levels the host accepts (pino's). */
export const LogLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LogLevels)[number];
