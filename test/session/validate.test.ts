/**
 * Tool arguments are checked against the tool's inputSchema before sending; these need no Neovim and
 * no server (checkArguments is a pure function of schema and arguments).
 */
import { describe, expect, it } from 'vitest';
import { checkArguments } from '../../src/session/validate.js';

const schema = {
  type: 'object',
  properties: { region: { type: 'string' }, verbose: { type: 'boolean' } },
  required: ['region'],
};

describe('tool argument check', () => {
  it('names a missing required argument and a wrong type', () => {
    expect(checkArguments(schema, {})).toBe('argument "region" is required');
    expect(checkArguments(schema, { region: 'eu', verbose: 'yes' })).toBe('argument "verbose" must be boolean');
  });

  it('lets a null optional argument through to the server (spec 2026-07-28: Mcp-Param headers omit it)', () => {
    expect(checkArguments(schema, { region: 'eu', verbose: null })).toBeUndefined();
  });

  it('still refuses a null for a required argument', () => {
    expect(checkArguments(schema, { region: null })).toBe('argument "region" must be string');
  });
});
