import type { ServerLogLevel } from '../contract/defaults.js';
import type { InputDef } from './inputs.js';

/** One server definition after parsing, placeholder expansion and normalisation. */
export type ServerConfig = StdioServerConfig | HttpServerConfig;

interface CommonServerConfig {
  name: string;
  /** Not started until enabled; shown as `disabled`. */
  disabled: boolean;
  /** Per-request timeout for this server in ms; falls back to the host default. */
  timeout_ms?: number;
  /** The automatic restart policy's numbers for this server (session/restart-policy.ts); absent: the contract's. */
  restart?: RestartConfig;
  /** The longest a call that reports progress may run in all, ms; falls back to the contract default `max_total_ms` (src/contract/defaults.ts). */
  max_total_ms?: number;
  /** Least severe log message the server is asked for (`logging/setLevel`, spec: server/utilities/logging); absent: the server's choice. */
  log_level?: ServerLogLevel;
  /**
   * Which roots this server is told about: `true` (default) the editor's roots, `false` none,
   * or a fixed list of directories (absolute paths).
   */
  roots: boolean | string[];
  /** What reaches a chat's model (|mcp-chat|); absent: every tool. */
  chat?: ChatConfig;
  /** Model-initiated calls that run without asking (|mcp-approval|): every tool (`true`) or these; absent: ask. */
  auto_approve?: boolean | string[];
  /** Where the definition came from (file path or `setup()`), for error messages. */
  source: string;
  /** The project file (`.mcp.json`, ...) that defined or overrode this server, shown in the hub. */
  project?: string;
  /** The `${input:id}` placeholders left in the strings, asked for when the server starts (config/inputs.ts). */
  inputs: InputDef[];
}

/** A server's `restart` option, as written: each absent number is the contract's default (contract/defaults.ts). */
export interface RestartConfig {
  /** Automatic restarts in a row before the server is given up on; 0 never restarts it. */
  max?: number;
  /** Delay before the first restart, ms; doubled for each further one. */
  base_ms?: number;
  /** Connected this long, ms, and the count starts again. */
  stable_ms?: number;
}

/** A server's `chat` option: which of its tools a chat offers to a model. */
export interface ChatConfig {
  /** false: none of the server's tools (default true). */
  enabled: boolean;
  /** Tool names kept out. */
  disabled: string[];
}

export interface StdioServerConfig extends CommonServerConfig {
  transport: 'stdio';
  command: string;
  args: string[];
  env: Record<string, string>;
  /**
   * Which further variables of the editor's environment the process gets besides the minimal set
   * (session/env.ts): `false` none, `true` all, or these names. The server's own setting, else the
   * file's top-level `env_inherit`, else false.
   */
  env_inherit: boolean | string[];
  cwd?: string;
}

export interface HttpServerConfig extends CommonServerConfig {
  /** `http` is Streamable HTTP (falling back to SSE on 400/404/405); `sse` is the legacy transport only. */
  transport: 'http' | 'sse';
  url: string;
  headers: Record<string, string>;
}

/** A configuration problem, located by file and key path (e.g. `mcpServers.git.args[1]`). */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly keyPath: string,
    readonly problem: string,
  ) {
    super(`${file}${keyPath ? `: ${keyPath}` : ''}: ${problem}`);
    this.name = 'ConfigError';
  }
}
