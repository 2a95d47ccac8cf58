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
  /**
   * Where the server's OAuth authorization stands when it needs the user (spec: basic/authorization):
   * `authorizing` while the browser step waits for them (during a start, or a request the server turned
   * down), `required` when the server is `failed` for want of one (declined, timed out, refused):
   * `:Mcp auth NAME` starts it. Absent otherwise.
   */
  authorization?: 'authorizing' | 'required';
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
  /** The server's longest total time (ms) of a call that reports progress, when its config sets one. */
  max_total_ms?: number;
  /** The server's `chat` option (|mcp-chat|), when its config sets one. */
  chat?: { enabled: boolean; disabled: string[] };
  /** The server's `auto_approve` option (|mcp-approval|), when its config sets one. */
  auto_approve?: boolean | string[];
  /** The trusted project file (`.mcp.json`, ...) that defines this server (|mcp-project-config|). */
  project?: string;
  /**
   * Items the server listed that are invalid and were left out of the lists, one line each naming the
   * item and what is wrong, e.g. `tool "x": inputSchema.properties: expected record, received string`
   * (when connected and there are any).
   */
  problems?: string[];
  /** Complete lists (every page followed); empty when the server lacks the capability. */
  tools: unknown[];
  prompts: unknown[];
  resources: unknown[];
  resource_templates: unknown[];
}

/** Keys of `T` that are optional. */
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];

/**
 * How one field of a wire shape reads in Lua: its LuaCATS type and its doc. `optional` must match the
 * TypeScript type (checked by the compiler), so the generated class cannot drift from the interface.
 */
export type LuaFields<T> = {
  [K in keyof Required<T>]: { lua: string; doc: string; optional: K extends OptionalKeys<T> ? true : false };
};

/** {@link ServerSnapshot} for the generated LuaCATS class `mcp.ServerSnapshot`. */
export const serverSnapshotFields: LuaFields<ServerSnapshot> = {
  name: { lua: 'string', doc: 'the name in the configuration', optional: false },
  status: { lua: 'mcp.ServerStatus', doc: 'lifecycle state', optional: false },
  error: { lua: 'string', doc: 'why it failed (or the last failure while restarting)', optional: true },
  authorization: {
    lua: '"authorizing"|"required"',
    doc: 'OAuth: `authorizing` while the browser step waits for the user, `required` when failed for want of authorization (`:Mcp auth NAME`)',
    optional: true,
  },
  transport: { lua: '"stdio"|"http"|"sse"', doc: 'the transport in use (an `http` server may have fallen back to `sse`)', optional: false },
  server_info: { lua: 'mcp.ServerInfo', doc: '`serverInfo` the server sent (when connected)', optional: true },
  capabilities: { lua: 'table', doc: 'server capabilities (when connected)', optional: true },
  instructions: { lua: 'string', doc: 'server instructions (when connected)', optional: true },
  protocol_version: { lua: 'string', doc: 'the MCP revision negotiated with it, e.g. "2026-07-28" or "2025-11-25" (when connected)', optional: true },
  timeout_ms: { lua: 'integer', doc: "the server's own per-request timeout, ms, when its config sets one", optional: true },
  max_total_ms: { lua: 'integer', doc: "the server's own longest total time of a call that reports progress, ms, when its config sets one", optional: true },
  chat: { lua: '{ enabled: boolean, disabled: string[] }', doc: "its `chat` option (what reaches a chat's model), when its config sets one", optional: true },
  auto_approve: { lua: 'boolean|string[]', doc: 'its `auto_approve` option (model calls run without asking), when its config sets one', optional: true },
  project: { lua: 'string', doc: 'the trusted project file (`.mcp.json`, ...) that defines it', optional: true },
  problems: { lua: 'string[]', doc: 'invalid items the server listed, left out of the lists: one line each, naming the item and what is wrong', optional: true },
  tools: { lua: 'table[]', doc: 'MCP Tool objects (complete list)', optional: false },
  prompts: { lua: 'table[]', doc: 'MCP Prompt objects (complete list)', optional: false },
  resources: { lua: 'table[]', doc: 'MCP Resource objects (complete list)', optional: false },
  resource_templates: { lua: 'table[]', doc: 'MCP ResourceTemplate objects (complete list)', optional: false },
};

/** `serverInfo` for the generated LuaCATS class `mcp.ServerInfo`. */
export const serverInfoFields: LuaFields<NonNullable<ServerSnapshot['server_info']>> = {
  name: { lua: 'string', doc: "the server's name", optional: false },
  version: { lua: 'string', doc: "the server's version", optional: false },
  title: { lua: 'string', doc: 'display name', optional: true },
};

/** {@link RpcError} for the generated LuaCATS class `mcp.Error`. */
export const rpcErrorFields: LuaFields<RpcError> = {
  code: { lua: 'integer', doc: 'JSON-RPC/MCP error code (|mcp-errors|)', optional: false },
  message: { lua: 'string', doc: 'human-readable reason', optional: false },
  data: { lua: 'any', doc: 'extra data the server sent', optional: true },
};

/** Every {@link ServerStatus}, in lifecycle order (a runtime list the type is checked against). */
export const serverStatuses = ['disabled', 'stopped', 'starting', 'connected', 'failed'] as const satisfies readonly ServerStatus[];
// The list names every status: a status missing from it makes this line fail to compile.
const _allStatuses: Exclude<ServerStatus, (typeof serverStatuses)[number]> extends never ? true : never = true;
void _allStatuses;
