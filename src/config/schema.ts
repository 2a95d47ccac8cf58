/**
 * JSON Schema of the config file, checked with ajv. Two shapes are accepted, as users already have them:
 * `{ "mcpServers": { name: server } }` (Claude Desktop, Cursor, Claude Code's `.mcp.json`) and VS Code's
 * `{ "servers": { name: server }, "inputs": [...] }`. Unknown keys are allowed: other clients put their
 * own settings (`autoApprove`, `alwaysAllow`, ...) beside ours.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { precompiled } from './precompiled.js';

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const serverSchema = {
  type: 'object',
  properties: {
    type: { enum: ['stdio', 'http', 'sse', 'streamableHttp', 'streamable-http'] },
    command: { type: 'string', minLength: 1 },
    args: { type: 'array', items: { type: 'string' } },
    env: stringMap,
    cwd: { type: 'string' },
    url: { type: 'string', minLength: 1 },
    headers: stringMap,
    disabled: { type: 'boolean' },
    timeout_ms: { type: 'integer', minimum: 1 },
    roots: { anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string', minLength: 1 } }] },
  },
} as const;

export const fileSchema = {
  type: 'object',
  properties: {
    mcpServers: { type: 'object', additionalProperties: serverSchema },
    servers: { type: 'object', additionalProperties: serverSchema },
    inputs: { type: 'array' },
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
