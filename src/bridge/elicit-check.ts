/**
 * Checks the values a person typed into an elicitation form against the server's `requestedSchema`
 * (spec 2025-11-25: client/elicitation, "Requested Schema": types, `required`, string `minLength`,
 * `maxLength` and `format` (email, uri, date, date-time), number `minimum`/`maximum`, enums, multi-select
 * `minItems`/`maxItems`), with ajv and ajv-formats, before the answer leaves: a value the server would
 * refuse is corrected in the form, with one clear message per field, instead of failing the server's tool.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

/** ajv-formats is CommonJS: its function is the module itself or its `default`, by loader. */
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020, formats: string[]) => void;

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv, ['email', 'uri', 'date', 'date-time']);

/** Compiled validators by schema object (each elicitation brings its own). */
const cache = new WeakMap<object, ValidateFunction | Error>();

/** What is wrong with one field (`field` null: with the form as a whole). */
export interface FieldProblem {
  field: string | null;
  message: string;
}

/** How a format is named to the person, with an example of a value that passes. */
const FORMATS: Record<string, string> = {
  email: 'an email address like ada@example.com',
  uri: 'a URI like https://example.com/path',
  date: 'a date like 2026-12-01',
  'date-time': 'a date and time like 2026-12-01T09:30:00Z',
};

/**
 * Checks `content` against `schema`.
 *
 * @param schema an elicitation's `requestedSchema` (a flat object schema)
 * @param content the form's values by property name
 * @returns the problems, one per field and kind, each message starting with what the field must be;
 *   empty when the values pass (or the schema cannot be compiled: the server then judges)
 */
export function checkElicitation(schema: unknown, content: Record<string, unknown>): FieldProblem[] {
  if (typeof schema !== 'object' || schema === null) return [];
  let validate = cache.get(schema);
  if (!validate) {
    try {
      const { $schema: _dialect, ...rest } = schema as Record<string, unknown>;
      validate = ajv.compile(rest);
    } catch (err) {
      validate = err as Error;
    }
    cache.set(schema, validate);
  }
  if (validate instanceof Error || validate(content)) return [];
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  for (const e of validate.errors ?? []) {
    const p = describe(e, schema as { properties?: Record<string, unknown> });
    const key = `${p.field}\u0000${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}

/** One ajv error in words, attributed to the top-level property it concerns. */
function describe(e: ErrorObject, schema: { properties?: Record<string, unknown> }): FieldProblem {
  const path = e.instancePath.split('/').slice(1);
  let field: string | null = path[0] !== undefined ? path[0].replace(/~1/g, '/').replace(/~0/g, '~') : null;
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required') field = String(params.missingProperty);
  if (e.keyword === 'additionalProperties') field = String(params.additionalProperty);
  const item = path.length > 1 ? `item ${Number(path[1]) + 1}: ` : '';
  const message = (() => {
    switch (e.keyword) {
      case 'required':
        return 'required';
      case 'format':
        return `${item}must be ${FORMATS[String(params.format)] ?? `of format "${String(params.format)}"`}`;
      case 'minLength':
        return `must be at least ${String(params.limit)} characters`;
      case 'maxLength':
        return `must be at most ${String(params.limit)} characters`;
      case 'minimum':
        return `must be at least ${String(params.limit)}`;
      case 'maximum':
        return `must be at most ${String(params.limit)}`;
      case 'exclusiveMinimum':
        return `must be more than ${String(params.limit)}`;
      case 'exclusiveMaximum':
        return `must be less than ${String(params.limit)}`;
      case 'minItems':
        return `choose at least ${String(params.limit)}`;
      case 'maxItems':
        return `choose at most ${String(params.limit)}`;
      case 'enum':
        return `${item}must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      case 'const':
        return `${item}must be ${JSON.stringify(params.allowedValue)}`;
      case 'oneOf':
      case 'anyOf': {
        const prop = field !== null ? (schema.properties?.[field] as { oneOf?: unknown[]; anyOf?: unknown[]; items?: { anyOf?: unknown[] } } | undefined) : undefined;
        const list = (path.length > 1 ? prop?.items?.anyOf : (prop?.oneOf ?? prop?.anyOf)) ?? [];
        const consts = list.map((m) => (m as { const?: unknown }).const).filter((v) => v !== undefined);
        return consts.length ? `${item}must be one of ${consts.map((v) => JSON.stringify(v)).join(', ')}` : `${item}${e.message ?? 'is not allowed'}`;
      }
      case 'type':
        return `${item}must be ${String(params.type)}`;
      case 'additionalProperties':
        return 'is not a field of this form';
      default:
        return `${item}${e.message ?? 'is not valid'}`;
    }
  })();
  return { field, message };
}
