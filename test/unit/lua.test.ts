/**
 * Unit tests of pure Lua functions (form model and text, JSON for people, name splitting, the request
 * deadline, template variables, sizes, tool arguments): each test/unit/lua/*_spec.lua runs in
 * `nvim --clean -l` — Neovim as a plain Lua interpreter with `vim.*`, no RPC session, no host, no UI —
 * on every supported Neovim, and each of its cases becomes a test here.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot } from '../helpers/nvim.js';

interface CaseResult {
  name: string;
  ok: boolean;
  err?: string;
}

const dir = join(repoRoot, 'test', 'unit', 'lua');
const specs = readdirSync(dir)
  .filter((f) => f.endsWith('_spec.lua'))
  .sort();

/** Runs one spec file and returns its cases (a spec that cannot run at all is one failed case). */
function run(bin: string, spec: string): CaseResult[] {
  try {
    const out = execFileSync(bin, ['--clean', '-l', join(dir, 'run.lua'), join(dir, spec)], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out) as CaseResult[];
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    return [{ name: '(loading the spec)', ok: false, err: err.stderr || err.message }];
  }
}

for (const nv of nvimBinaries()) {
  describe(`Lua unit tests on Neovim ${nv.version}`, () => {
    for (const spec of specs) {
      describe(spec, () => {
        const results = run(nv.bin, spec);
        it('has cases', () => expect(results.length).toBeGreaterThan(0));
        for (const r of results) {
          it(r.name, () => {
            expect(r.err ?? '', r.name).toBe('');
            expect(r.ok).toBe(true);
          });
        }
      });
    }
  });
}
