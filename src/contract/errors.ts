/**
 * Error codes that cross the bridge in `{ code, message, data? }` (see bridge/protocol.ts). Defined here
 * once; the Lua side gets them from the generated `lua/mcp/core/contract.lua` (scripts/gen-lua.mjs).
 * Codes of MCP and JSON-RPC keep their spec values; the host's own sit in the JSON-RPC server-error range.
 */

/** Each code with the sentence that documents it (in TSDoc here, in LuaCATS and |mcp-errors| for Lua). */
export const ErrorCodeTable = {
  MethodNotFound: [-32601, 'JSON-RPC: unknown method.'],
  InvalidParams: [-32602, "JSON-RPC: invalid params, e.g. tool arguments that fail the tool's `inputSchema`."],
  InternalError: [-32603, 'JSON-RPC: internal error.'],
  RequestTimeout: [-32001, 'The request passed its deadline (`timeout_ms`), which includes any wait for a starting server.'],
  UnknownServer: [-32010, 'The named server is not in the configuration.'],
  NotConnected: [-32011, 'The server exists but is not connected (stopped, disabled, failed, still starting).'],
  UnknownItem: [
    -32012,
    "The named tool, prompt or resource is not in the server's cached lists; or the `answer` names no pending ask (it was answered already, or withdrawn).",
  ],
  Cancelled: [-32800, 'The request was cancelled by the client (`handle:cancel()`), or the ask it waited on was withdrawn.'],
  Denied: [
    -32040,
    'A tool call a model made was denied: by the user in the approval window, or by the `approve` option; `data.reason` holds the reason when one was given.',
  ],
  AuthorizationRequired: [
    -32041,
    'The server needs OAuth authorization and has none: it was declined, timed out or refused; `:Mcp auth NAME` authorizes it.',
  ],
  UserRejected: [
    -1,
    'Sampling: the person declined a server\'s `sampling/createMessage` (the request or the answer), the code the spec gives the server ("User rejected sampling request").',
  ],
  UrlElicitationRequired: [
    -32042,
    'MCP: the tool needs a URL opened in the browser first (URL elicitation required); the URL window offered it, and the person declined, or did not call again.',
  ],
  ConfigError: [-32020, 'The configuration could not be read or is invalid.'],
  HostUnavailable: [-32030, 'Lua side only: the host could not be started, or exited before replying.'],
} as const satisfies Record<string, readonly [number, string]>;

type Table = typeof ErrorCodeTable;

/** Code by name, e.g. `ErrorCodes.NotConnected === -32011`. */
export const ErrorCodes = Object.fromEntries(Object.entries(ErrorCodeTable).map(([k, [code]]) => [k, code])) as {
  readonly [K in keyof Table]: Table[K][0];
};

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
