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
} as const satisfies Record<string, readonly [number | string | boolean, string]>;

type Table = typeof DefaultsTable;

/** Default by name, e.g. `Defaults.timeout_ms === 60000`. */
export const Defaults = Object.fromEntries(Object.entries(DefaultsTable).map(([k, [v]]) => [k, v])) as {
  readonly [K in keyof Table]: Table[K][0];
};

/** Log levels the host accepts (pino's), least severe first. */
export const LogLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LogLevels)[number];
