/**
 * JSON Schema of the config file, checked with ajv. Two shapes are accepted, as users already have them:
 * `{ "mcpServers": { name: server } }` (Claude Desktop, Cursor, Claude Code's `.mcp.json`) and VS Code's
 * `{ "servers": { name: server }, "inputs": [...] }`. Unknown keys are allowed: other clients put their
 * own settings (`autoApprove`, `alwaysAllow`, ...) beside ours.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ServerLogLevels } from '../contract/defaults.js';
import { precompiled } from './precompiled.js';

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** A server's `restart`: the automatic restart policy's numbers (session/restart-policy.ts), each optional. */
const restartSchema = {
  type: 'object',
  properties: {
    max: { type: 'integer', minimum: 0, description: 'automatic restarts in a row before giving up (0: never restart)' },
    base_ms: { type: 'integer', minimum: 1, description: 'delay before the first restart, ms; doubled for each further one' },
    stable_ms: { type: 'integer', minimum: 1, description: 'connected this long, ms, and the count of restarts starts again' },
  },
  additionalProperties: false,
} as const;

/** A server's `oauth` (|mcp-oauth-config|): how the host gets an access token (spec: basic/authorization). */
const oauthSchema = {
  type: 'object',
  properties: {
    grant: {
      enum: ['authorization_code', 'client_credentials', 'jwt_bearer', 'enterprise_managed'],
      description: 'how tokens are got: authorization_code (default; a browser), client_credentials (no user), jwt_bearer (a workload JWT), enterprise_managed (an enterprise IdP)',
    },
    client_id: { type: 'string', minLength: 1, description: 'a client registered beforehand with the authorization server' },
    client_secret: { type: 'string', description: 'its secret; write ${env:NAME}' },
    token_endpoint_auth_method: {
      enum: ['client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt'],
      description: 'client authentication at the token endpoint; default: what the server supports',
    },
    private_key: { type: 'string', minLength: 1, description: 'PEM private key (PKCS#8) for private_key_jwt; write ${env:NAME}' },
    private_key_file: { type: 'string', minLength: 1, description: 'file holding that key' },
    signing_algorithm: { type: 'string', minLength: 1, description: 'JWS algorithm of private_key_jwt (default RS256; ES256 for an EC key)' },
    client_metadata_url: { type: 'string', minLength: 1, description: 'HTTPS URL of a client ID metadata document you publish (SEP-991)' },
    issuer: { type: 'string', minLength: 1, description: 'the authorization server client_id belongs to; another is refused' },
    scopes: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'scopes asked for when the server names none' },
    client_name: { type: 'string', minLength: 1, description: 'client name shown by the authorization server (default mcp.nvim)' },
    assertion: { type: 'string', minLength: 1, description: 'jwt_bearer: the workload JWT; write ${env:NAME}' },
    idp: {
      type: 'object',
      required: ['client_id', 'id_token'],
      properties: {
        issuer: { type: 'string', minLength: 1 },
        token_endpoint: { type: 'string', minLength: 1 },
        client_id: { type: 'string', minLength: 1 },
        client_secret: { type: 'string' },
        id_token: { type: 'string', minLength: 1 },
      },
      additionalProperties: false,
      description: 'enterprise_managed: the identity provider (issuer or token_endpoint), its client, and your ID token there',
    },
  },
  additionalProperties: false,
} as const;

export const serverSchema = {
  type: 'object',
  properties: {
    type: {
      enum: ['stdio', 'http', 'sse', 'streamableHttp', 'streamable-http'],
      description: 'transport; inferred from `command`/`url` when absent (`streamableHttp` and `streamable-http` mean `http`)',
    },
    command: { type: 'string', minLength: 1, description: 'executable of a stdio server' },
    args: { type: 'array', items: { type: 'string' }, description: 'its arguments' },
    env: { ...stringMap, description: 'extra environment of the process' },
    env_inherit: {
      anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string', minLength: 1 } }],
      description:
        "variables of the editor's environment the process gets besides a minimal set (HOME, LOGNAME, PATH, SHELL, TERM, USER): false none (default), true all, or a list of names (|mcp-env|)",
    },
    cwd: { type: 'string', description: "working directory of the process (default: Neovim's)" },
    url: { type: 'string', minLength: 1, description: 'endpoint of a Streamable HTTP (or legacy SSE) server' },
    headers: { ...stringMap, description: 'HTTP headers sent with every request' },
    oauth: {
      anyOf: [{ type: 'boolean', const: false }, oauthSchema],
      description: 'authorization of an HTTP server (|mcp-oauth-config|): false never authorizes; a table sets the client and grant',
    },
    disabled: { type: 'boolean', description: 'configured but not started; shown as `disabled`' },
    timeout_ms: { type: 'integer', minimum: 1, description: 'per-request deadline for this server, ms' },
    restart: {
      ...restartSchema,
      description: 'automatic restarts after a lost connection: `max` (default 5), `base_ms` (default 1000), `stable_ms` (default 60000); |mcp-restarts|',
    },
    max_total_ms: {
      type: 'integer',
      minimum: 1,
      description: 'the longest a tool call that reports progress may run in all, ms: progress restarts `timeout_ms`, never past this (|mcp-progress|)',
    },
    log_level: {
      enum: [...ServerLogLevels],
      description:
        "least severe `notifications/message` the server sends (spec: server/utilities/logging), set with `logging/setLevel` once connected when the server declares `logging` (|:Mcp-loglevel|); default: the server's choice",
    },
    roots: {
      anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string', minLength: 1 } }],
      description: "which roots the server is told about: true (default) the editor's, false none, or a fixed list of directories",
    },
    chat: {
      type: 'object',
      properties: {
        enabled: { type: 'boolean' },
        disabled: { type: 'array', items: { type: 'string', minLength: 1 } },
      },
      additionalProperties: false,
      description: "what reaches a chat's model (|mcp-chat|): `enabled` false keeps every tool of the server out (default true), `disabled` lists tools kept out",
    },
    auto_approve: {
      anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string', minLength: 1 } }],
      description: "model-initiated tool calls run without asking (|mcp-approval|): true for every tool of the server, or a list of tool names (default: ask)",
    },
  },
} as const;

const envInherit = serverSchema.properties.env_inherit;

export const fileSchema = {
  type: 'object',
  properties: {
    env_inherit: { ...envInherit, description: 'the default of every stdio server\'s `env_inherit` (|mcp-env|)' },
    mcpServers: { type: 'object', additionalProperties: serverSchema },
    servers: { type: 'object', additionalProperties: serverSchema },
    inputs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: {
          type: { enum: ['promptString', 'pickString'] },
          id: { type: 'string', minLength: 1 },
          description: { type: 'string' },
          default: { type: 'string' },
          password: { type: 'boolean' },
          options: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

// Compiling with ajv costs ~35 ms (the draft-07 meta-schema, code generation) at every host start: the
// bundle carries the validators as standalone code generated at build time (scripts/build.mjs).
const compiled =
  precompiled ??
  (() => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    return { file: ajv.compile(fileSchema), server: ajv.compile(serverSchema) };
  })();
export const validateFile: ValidateFunction = compiled.file;
export const validateServer: ValidateFunction = compiled.server;

/** `/mcpServers/git/args/1` → `mcpServers.git.args[1]`. */
export function keyPath(instancePath: string, prefix = ''): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let out = prefix;
  for (const part of parts) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out ? `.${part}` : part;
  }
  return out;
}

/** One readable line per ajv error: `mcpServers.git.args[1]: must be string`. */
export function describeErrors(errors: ErrorObject[] | null | undefined, prefix = ''): { path: string; problem: string }[] {
  return (errors ?? []).map((e) => {
    let problem = e.message ?? 'is invalid';
    if (e.keyword === 'enum') problem += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    const extra = e.keyword === 'additionalProperties' ? `.${(e.params as { additionalProperty: string }).additionalProperty}` : '';
    return { path: keyPath(e.instancePath, prefix) + extra, problem };
  });
}
