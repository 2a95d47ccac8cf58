/**
 * The Lua modules form layers (core, features, ui, the :Mcp dispatcher): no module may require one that
 * requires it back, directly or through others, lazily inside a function or at the top. A static scan of
 * every `require('mcp...')` in lua/ (no Neovim needed) builds the graph; a cycle fails the test and is
 * named, as is a require of a module that does not exist, or a core module (lua/mcp/core/) that
 * requires one outside the core.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/nvim.js';

const luaRoot = join(repoRoot, 'lua');

/** Every .lua file under `dir`. */
function luaFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return luaFiles(path);
    return name.endsWith('.lua') ? [path] : [];
  });
}

/** `lua/mcp/ui/form/init.lua` → `mcp.ui.form`. */
function moduleName(file: string): string {
  return relative(luaRoot, file)
    .replace(/\.lua$/, '')
    .split(sep)
    .join('.')
    .replace(/\.init$/, '');
}

/**
 * The `mcp...` modules a Lua source requires, in any of Lua's call forms: `require('m')`, `require("m")`,
 * `require 'm'`, `require"m"`, also inside strings such as `v:lua.require'mcp.ui.form'.omnifunc`.
 * Comments are skipped (they name modules in prose).
 */
export function requiresOf(source: string): string[] {
  const code = source
    .split('\n')
    .map((line) => line.replace(/^\s*--.*$/, ''))
    .join('\n');
  const found = new Set<string>();
  for (const m of code.matchAll(/\brequire\s*\(?\s*(['"])(mcp(?:\.[\w]+)*)\1/g)) found.add(m[2]!);
  return [...found];
}

/** The module graph: module → modules it requires. */
function graph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const file of luaFiles(join(luaRoot, 'mcp'))) g.set(moduleName(file), requiresOf(readFileSync(file, 'utf8')));
  return g;
}

/** Every elementary cycle found by a depth-first walk, each as `a → b → a` (one per set of modules). */
export function cycles(g: Map<string, string[]>): string[] {
  const out = new Map<string, string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (mod: string): void => {
    state.set(mod, 'open');
    stack.push(mod);
    for (const dep of g.get(mod) ?? []) {
      if (dep === mod) continue; // a module naming itself (e.g. its own omnifunc) is no cycle
      if (state.get(dep) === 'open') {
        const loop = stack.slice(stack.indexOf(dep));
        out.set([...loop].sort().join(','), [...loop, dep].join(' → '));
      } else if (!state.has(dep)) {
        visit(dep);
      }
    }
    stack.pop();
    state.set(mod, 'done');
  };
  for (const mod of [...g.keys()].sort()) if (!state.has(mod)) visit(mod);
  return [...out.values()];
}

describe('Lua requires', () => {
  it('finds requires in every call form, lazy ones inside functions too, and skips comments', () => {
    const src = [
      "local a = require('mcp.core.util')",
      'local function f() return require("mcp.ui.hub").open() end',
      "vim.bo.omnifunc = \"v:lua.require'mcp.ui.form'.omnifunc\"",
      '-- require("mcp.commands") in a comment',
      "local x = require 'mcp.tools'",
      "local y = require('vim.lsp')",
    ].join('\n');
    expect(requiresOf(src).sort()).toEqual(['mcp.core.util', 'mcp.tools', 'mcp.ui.form', 'mcp.ui.hub']);
  });

  it('names a cycle, however long', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    expect(cycles(g)).toEqual(['a → b → c → a']);
  });

  it('every required module exists', () => {
    const g = graph();
    const missing = [...g].flatMap(([mod, deps]) => deps.filter((d) => !g.has(d)).map((d) => `${mod} requires ${d}`));
    expect(missing).toEqual([]);
  });

  it('no module of lua/mcp/ requires one that requires it back', () => {
    expect(cycles(graph())).toEqual([]);
  });

  it('the core (lua/mcp/core/) requires nothing outside core/: features register into it from the outside', () => {
    const outside = [...graph()]
      .filter(([mod]) => mod.startsWith('mcp.core.'))
      .flatMap(([mod, deps]) => deps.filter((d) => !d.startsWith('mcp.core.')).map((d) => `${mod} requires ${d}`));
    expect(outside).toEqual([]);
  });

  it('nothing in lua/ requires mcp.host (the host calls it; it would tie a module to the entry point)', () => {
    const users = [...graph()].filter(([mod, deps]) => mod !== 'mcp.host' && deps.includes('mcp.host')).map(([mod]) => mod);
    expect(users).toEqual([]);
  });
});
