/**
 * Defaults shared by the host and the Lua side (which gets them from the generated
 * `lua/mcp/core/contract.lua`, scripts/gen-lua.mjs). Units are in the names.
 */

/** Each default with the sentence that documents it. */
export const DefaultsTable = {
  timeout_ms: [60_000, "Per-request deadline, ms, when neither the request nor the server's config sets one."],
  timeout_margin_ms: [
    5_000,
    "How much longer than a request's deadline the Lua side waits before it gives up on the host, ms: the host always answers at its deadline, so the guard fires only when the host hangs.",
  ],
  resource_max_bytes: [10 * 1024 * 1024, 'Resources larger than this (bytes) are inserted or yanked only after confirmation.'],
  log_level: ['info', 'Host log level.'],
  log_max_bytes: [
    5 * 1024 * 1024,
    'Size at which the host log is rotated, bytes: it is renamed to `mcp.log.1` (replacing the previous one), so the two never hold more than twice this.',
  ],
  list_push_interval_ms: [
    100,
    "Shortest time between two snapshots of one server sent to the editor when only its lists changed, ms: a flood of `list_changed` notifications becomes one refresh in flight and one push per interval.",
  ],
  env_inherit: [
    false,
    "Which of the editor's environment variables a stdio server gets besides a minimal set (HOME, LOGNAME, PATH, SHELL, TERM, USER and the platform's equivalents) and its `env`: false none, true all, or a list of names; a server's own `env_inherit` replaces it.",
  ],
  restart_base_ms: [
    1_000,
    'Delay before the first automatic restart of a server whose connection was lost (it crashed, or its HTTP endpoint went away), ms; each further restart waits twice as long as the one before (1 s, 2 s, 4 s, 8 s, 16 s).',
  ],
  restart_max: [5, 'Automatic restarts in a row before a server is given up on (state `failed`; `:Mcp restart` tries again).'],
  restart_stable_ms: [
    60_000,
    'How long a server must stay connected before its count of restarts in a row starts again from zero, ms.',
  ],
  max_total_ms: [
    600_000,
    "The longest a tool call that reports progress may run in all, ms: each progress notification restarts the call's deadline (`timeout_ms`), but never past this, counted from the same start. Never below the call's own deadline. A server's `max_total_ms` replaces it.",
  ],
  connect_timeout_ms: [
    60_000,
    "How long connecting to a server may take, ms: the spawn or the HTTP connection and the handshake (`initialize` or `server/discover`); the server's `timeout_ms`, when set, replaces it. Never longer than the start's own deadline.",
  ],
  oauth_browser_ms: [
    600_000,
    'How long an OAuth authorization waits for the browser to come back to Neovim once the person opened it, ms (|mcp-oauth|); over SSH the address the browser was sent to can be pasted instead.',
  ],
  sampling_timeout_ms: [
    120_000,
    "How long the built-in OpenAI-compatible sampling provider waits for one completion, ms (|mcp-sampling|); the `sampling.openai.timeout_ms` option replaces it.",
  ],
  sampling_api_key_env: [
    'OPENAI_API_KEY',
    'Name of the environment variable the built-in OpenAI-compatible sampling provider reads its API key from (unset or empty: no key is sent, as Ollama and llama.cpp want).',
  ],
} as const satisfies Record<string, readonly [number | string | boolean, string]>;

type Table = typeof DefaultsTable;

/** Default by name, e.g. `Defaults.timeout_ms === 60000`. */
export const Defaults = Object.fromEntries(Object.entries(DefaultsTable).map(([k, [v]]) => [k, v])) as {
  readonly [K in keyof Table]: Table[K][0];
};

/** Log levels the host accepts (pino's), least severe first. */
export const LogLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LogLevels)[number];

/**
 * The severities of a server's log messages (spec: server/utilities/logging, RFC 5424), least severe
 * first: what `logging/setLevel` takes and `notifications/message` carries.
 */
export const ServerLogLevels = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type ServerLogLevel = (typeof ServerLogLevels)[number];
