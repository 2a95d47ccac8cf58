/**
 * The host's check of an elicitation form's values (src/bridge/elicit-check.ts, ajv with ajv-formats):
 * one message per field in words a person can act on, for each constraint the spec's requested schema
 * allows. test/lua/elicitation.test.ts shows the same messages beside the fields of a real form.
 */
import { describe, expect, it } from 'vitest';
import { checkElicitation } from '../../src/bridge/elicit-check.js';

const schema = {
  type: 'object',
  properties: {
    email: { type: 'string', format: 'email' },
    site: { type: 'string', format: 'uri' },
    day: { type: 'string', format: 'date' },
    at: { type: 'string', format: 'date-time' },
    nick: { type: 'string', minLength: 2, maxLength: 4 },
    n: { type: 'integer', minimum: 1, maximum: 3 },
    pick: { type: 'string', oneOf: [{ const: 'a', title: 'A' }, { const: 'b', title: 'B' }] },
    many: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string', enum: ['x', 'y', 'z'] } },
  },
  required: ['email'],
};

describe('checkElicitation', () => {
  it('passes valid values', () => {
    expect(
      checkElicitation(schema, { email: 'a@b.co', site: 'https://e.org/x', day: '2026-02-28', at: '2026-02-28T10:00:00Z', nick: 'ab', n: 2, pick: 'a', many: ['x'] }),
    ).toEqual([]);
  });

  it('says what each failing field must be', () => {
    const problems = checkElicitation(schema, { site: 'nope', day: '2026-02-30', at: '2026-02-28 10:00', nick: 'abcde', n: 5, pick: 'c', many: ['x', 'q', 'y'] });
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'email', message: 'required' },
        { field: 'site', message: 'must be a URI like https://example.com/path' },
        { field: 'day', message: 'must be a date like 2026-12-01' },
        { field: 'at', message: 'must be a date and time like 2026-12-01T09:30:00Z' },
        { field: 'nick', message: 'must be at most 4 characters' },
        { field: 'n', message: 'must be at most 3' },
        { field: 'pick', message: 'must be one of "a", "b"' },
        { field: 'many', message: 'choose at most 2' },
        { field: 'many', message: 'item 2: must be one of "x", "y", "z"' },
      ]),
    );
  });

  it('lets anything through a schema it cannot compile (the server judges)', () => {
    expect(checkElicitation({ type: 'object', properties: { a: { type: 'nonsense' } } }, { a: 1 })).toEqual([]);
  });
});
