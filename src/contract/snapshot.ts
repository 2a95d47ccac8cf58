/**
 * Shapes that cross the bridge and that the session layer produces: roots, errors, server snapshots.
 * The session layer and the bridge both import them from here, so neither depends on the other.
 */

/** A root as MCP defines it (spec: client/roots): a `file://` URI and a display name. */
export interface Root {
  uri: string;
  name?: string;
}

/** Error shape every callback receives: JSON-RPC/MCP codes where the server sent one. */
export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

/** Lifecycle of one server, as shown to the user. */
export type ServerStatus = 'disabled' | 'stopped' | 'starting' | 'connected' | 'failed';

/** What `mcp.servers()` returns for one server and what the `server` push carries. */
export interface ServerSnapshot {
  name: string;
  status: ServerStatus;
  /** Human-readable reason when `status` is `failed` (or the last failure while restarting). */
  error?: string;
  transport: 'stdio' | 'http' | 'sse';
  /**
   * The protocol revision negotiated with the server while `connected`, e.g. `"2026-07-28"` (reached
   * through `server/discover`) or `"2025-11-25"` (through `initialize`); absent otherwise.
   */
  protocol_version?: string;
  /**
   * The server's self-description `{ name, version, title? }`: `serverInfo` of the initialize result, or
   * of the `server/discover` result's `_meta` in 2026-07-28 (where it is optional, so may be absent).
   */
  server_info?: { name: string; version: string; title?: string };
  capabilities?: Record<string, unknown>;
  instructions?: string;
  /** The server's own per-request timeout (ms) when its config sets one. */
  timeout_ms?: number;
  /** Complete lists (every page followed); empty when the server lacks the capability. */
  tools: unknown[];
  prompts: unknown[];
  resources: unknown[];
  resource_templates: unknown[];
}
