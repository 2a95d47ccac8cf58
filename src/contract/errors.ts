/**
 * Error codes that cross the bridge in `{ code, message, data? }` (see bridge/protocol.ts). Defined here
 * once; the Lua side gets them from the generated `lua/mcp/core/contract.lua` (scripts/gen-lua.mjs).
 * Codes of MCP and JSON-RPC keep their spec values; the host's own sit in the JSON-RPC server-error range.
 */
export const ErrorCodes = {
  /** JSON-RPC: unknown method. */
  MethodNotFound: -32601,
  /** JSON-RPC: invalid params, e.g. tool arguments that fail the tool's `inputSchema`. */
  InvalidParams: -32602,
  /** JSON-RPC: internal error. */
  InternalError: -32603,
  /** The request timed out (`timeout_ms`), including any wait for a starting server. */
  RequestTimeout: -32001,
  /** The named server is not in the configuration. */
  UnknownServer: -32010,
  /** The server exists but is not connected (stopped, disabled, failed, still starting). */
  NotConnected: -32011,
  /** The named tool, prompt or resource is not in the server's cached lists. */
  UnknownItem: -32012,
  /** The request was cancelled by the client (`handle:cancel()`). */
  Cancelled: -32800,
  /** The configuration could not be read or is invalid. */
  ConfigError: -32020,
  /** Lua side only: the host could not be started, or exited before replying. */
  HostUnavailable: -32030,
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
