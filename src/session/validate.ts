/**
 * Validation of tool arguments against the tool's `inputSchema` before sending (spec: server/tools),
 * so that a typo is reported in the editor, naming the argument, instead of by the server.
 * MCP 2025-11-25 makes JSON Schema 2020-12 the default dialect; draft-07 is used when a schema says so.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

const ajv2020 = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
const ajv07 = new Ajv({ allErrors: true, strict: false, validateFormats: false });

/** Compiled validators by schema object; a refreshed tool list brings new objects, so no stale entries. */
const cache = new WeakMap<object, ValidateFunction | Error>();

/**
 * @returns `undefined` when `args` are valid (or the schema cannot be compiled: the server then judges),
 *   else one message naming each failing argument, e.g. `argument "message" is required`
 */
export function checkArguments(schema: unknown, args: Record<string, unknown>): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  let validate = cache.get(schema);
  if (!validate) {
    const dialect = String((schema as { $schema?: unknown }).$schema ?? '');
    try {
      validate = (/draft-0[467]/.test(dialect) ? ajv07 : ajv2020).compile(stripDialect(schema));
    } catch (err) {
      validate = err as Error;
    }
    cache.set(schema, validate);
  }
  if (validate instanceof Error || validate(withoutOptionalNulls(schema, args))) return undefined;
  return (validate.errors ?? []).map(describe).join('; ');
}

/**
 * `args` without the optional arguments whose value is `null`: for the host, null there means "not
 * given" (Lua's `vim.NIL`), and spec 2026-07-28 (basic/transports, custom headers from tool parameters)
 * lets a null argument reach the server (which then sends no `Mcp-Param-*` header for it). Whether the
 * server accepts the null is the server's to say; a null for a required argument is still refused here.
 */
function withoutOptionalNulls(schema: object, args: Record<string, unknown>): Record<string, unknown> {
  const required = (schema as { required?: unknown }).required;
  const keep = Array.isArray(required) ? required : [];
  return Object.fromEntries(Object.entries(args).filter(([k, v]) => v !== null || keep.includes(k)));
}

function stripDialect(schema: object): object {
  const { $schema: _dialect, ...rest } = schema as Record<string, unknown>;
  return rest;
}

function describe(e: ErrorObject): string {
  const path = e.instancePath.split('/').slice(1).join('.');
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return `argument "${path ? `${path}.` : ''}${missing}" is required`;
  }
  if (e.keyword === 'additionalProperties') {
    return `argument "${path ? `${path}.` : ''}${(e.params as { additionalProperty: string }).additionalProperty}" is not accepted by this tool`;
  }
  let msg = e.message ?? 'is invalid';
  if (e.keyword === 'enum') msg += `: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  return path ? `argument "${path}" ${msg}` : `arguments ${msg}`;
}
