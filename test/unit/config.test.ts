/**
 * Unit tests of pure TypeScript functions: config error paths and messages (src/config/schema.ts),
 * placeholder expansion (src/config/placeholders.ts), and tool argument normalisation at the bridge.
 * No Neovim, no host process.
 */
import { describe, expect, it } from 'vitest';
import { describeErrors, keyPath, validateFile } from '../../src/config/schema.js';
import { expand } from '../../src/config/placeholders.js';
import { normalizeArgs } from '../../src/bridge/bridge.js';
import { ErrorCodes } from '../../src/contract/index.js';

describe('keyPath', () => {
  it('turns a JSON pointer into the dotted path a user reads, list indexes in brackets', () => {
    expect(keyPath('/mcpServers/git/args/1')).toBe('mcpServers.git.args[1]');
    expect(keyPath('')).toBe('');
  });

  it('unescapes ~1 and ~0 (a server name may contain a slash or a tilde)', () => {
    expect(keyPath('/mcpServers/team~1db/env/~0home')).toBe('mcpServers.team/db.env.~home');
  });

  it('continues a prefix', () => {
    expect(keyPath('/timeout_ms', 'setup().servers.x')).toBe('setup().servers.x.timeout_ms');
    expect(keyPath('/0', 'list')).toBe('list[0]');
  });
});

describe('describeErrors', () => {
  it("says which key is wrong and how, from the validator's own errors", () => {
    const file = { mcpServers: { git: { command: 'git', args: ['a', 3], timeout_ms: -1, type: 'ftp' } } };
    expect(validateFile(file)).toBe(false);
    const lines = describeErrors(validateFile.errors).map((e) => `${e.path}: ${e.problem}`);
    expect(lines).toContain('mcpServers.git.args[1]: must be string');
    expect(lines.some((l) => l.startsWith('mcpServers.git.timeout_ms: must be >= 1'))).toBe(true);
    expect(lines.some((l) => l.startsWith('mcpServers.git.type: must be equal to one of the allowed values: stdio'))).toBe(true);
  });

  it('has nothing to say without errors', () => {
    expect(describeErrors(null)).toEqual([]);
    expect(describeErrors(undefined, 'x')).toEqual([]);
  });
});

describe('placeholders', () => {
  const ctx = { env: { TOKEN: 's3cret' }, workspaceFolder: '/work/project', userHome: '/home/me' };

  it('expands ${env:NAME}, ${workspaceFolder} and ${userHome}, as VS Code does', () => {
    expect(expand('Bearer ${env:TOKEN}', ctx)).toBe('Bearer s3cret');
    expect(expand('${workspaceFolder}/src:${userHome}', ctx)).toBe('/work/project/src:/home/me');
  });

  it('expands an unset variable to an empty string, and leaves text without placeholders alone', () => {
    expect(expand('[${env:MISSING}]', ctx)).toBe('[]');
    expect(expand('$HOME {x}', ctx)).toBe('$HOME {x}');
  });

  it('names an unknown placeholder instead of passing it on', () => {
    expect(() => expand('${workspaceRoot}', ctx)).toThrow('unknown placeholder ${workspaceRoot}');
  });
});

describe('normalizeArgs', () => {
  it("takes nothing, null and Lua's empty table (an empty array) as no arguments", () => {
    expect(normalizeArgs(undefined)).toEqual({});
    expect(normalizeArgs(null)).toEqual({});
    expect(normalizeArgs([])).toEqual({});
  });

  it('passes an object through', () => {
    expect(normalizeArgs({ a: 1 })).toEqual({ a: 1 });
  });

  it('refuses a list with items or a scalar with InvalidParams', () => {
    for (const bad of [[1], 'x', 3]) {
      expect(() => normalizeArgs(bad)).toThrow(expect.objectContaining({ code: ErrorCodes.InvalidParams }));
    }
  });
});
