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
  /**
   * How the host gets an access token when the server asks for one (spec: basic/authorization):
   * absent, the defaults (authorization code with Dynamic Client Registration, or a client ID metadata
   * document); `false`, never (the server's 401 fails the start). |mcp-oauth-config|
   */
  oauth?: OAuthConfig | false;
}

/** The grants the host can use for a server (spec: basic/authorization; the auth extensions). */
export type OAuthGrant = 'authorization_code' | 'client_credentials' | 'jwt_bearer' | 'enterprise_managed';

/** Client authentication at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2). */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none' | 'private_key_jwt';

/** A server's `oauth` option, placeholders expanded and `private_key_file` read (config/oauth.ts). */
export interface OAuthConfig {
  /** Which grant gets tokens; default `authorization_code` (a person in a browser). */
  grant: OAuthGrant;
  /** A client registered beforehand with the authorization server; absent: a metadata document URL or DCR. */
  client_id?: string;
  /** That client's secret (write it as `${env:NAME}`, never literally). */
  client_secret?: string;
  /** How the client authenticates at the token endpoint; absent: what the server supports (basic, post, none). */
  token_endpoint_auth_method?: TokenEndpointAuthMethod;
  /** The private key (PEM, PKCS#8) for `private_key_jwt`, or the file it was read from. */
  private_key?: string;
  /** The JWS algorithm `private_key_jwt` signs with; default `RS256`, or the one in the key's PEM type. */
  signing_algorithm?: string;
  /** An HTTPS URL of a client ID metadata document the user publishes (SEP-991), used when the server supports them. */
  client_metadata_url?: string;
  /** The authorization server `client_id` was registered with; another one is refused. */
  issuer?: string;
  /** Scopes to ask for when neither the server's 401 nor its metadata name any. */
  scopes?: string[];
  /** The client's name shown by the authorization server; default `mcp.nvim`. */
  client_name?: string;
  /** `jwt_bearer`: the workload's JWT (RFC 7523 assertion), e.g. `${env:TOKEN}`. */
  assertion?: string;
  /** `enterprise_managed`: the enterprise identity provider (SEP-990) and the user's ID token there. */
  idp?: { issuer?: string; token_endpoint?: string; client_id: string; client_secret?: string; id_token: string };
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
