/**
 * The contract is defined once, in TypeScript (src/contract/), and lua/mcp/core/contract.lua is generated
 * from it. This fails when someone edits one side without regenerating, and checks that what Lua loads
 * is what the host uses.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Defaults, ErrorCodes, LogLevels } from '../src/contract/index.js';
import { nvimBinaries, repoRoot } from './helpers/nvim.js';

describe('contract', () => {
  it('lua/mcp/core/contract.lua is generated from the current TypeScript', () => {
    const run = spawnSync(process.execPath, ['scripts/gen-lua.mjs', '--check'], { cwd: repoRoot, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('Lua loads the same codes, defaults and log levels the host uses', () => {
    const bin = nvimBinaries()[0]!.bin;
    const script = `package.path = 'lua/?.lua;lua/?/init.lua;' .. package.path
      local c = require('mcp.core.contract')
      io.stdout:write(vim.json.encode({ codes = c.codes, defaults = c.defaults, log_levels = c.log_levels }))`;
    const out = execFileSync(bin, ['--clean', '-l', '-'], { cwd: repoRoot, input: script, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ codes: ErrorCodes, defaults: Defaults, log_levels: [...LogLevels] });
  });
});

describe('help file', () => {
  it('lists every error code of the contract under |mcp-errors|', () => {
    const doc = readFileSync(join(repoRoot, 'doc/mcp.txt'), 'utf8');
    const section = doc.slice(doc.indexOf('*mcp-errors*'), doc.indexOf('*mcp-highlights*'));
    for (const [name, code] of Object.entries(ErrorCodes)) expect(section).toMatch(new RegExp(`${code}\\s+\`${name}\``));
  });
});
