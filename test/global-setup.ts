/**
 * vitest globalSetup: build the host when src/ changed since the last build; get the Neovim binaries once per run (scripts/nvim.sh fetches them into .cache/nvim/
 * the first time) and record them in .cache/nvim/binaries.json, which `nvimBinaries()` reads synchronously
 * at collection time in every test file. When 0.12 is among them, also make the vendored CodeCompanion and
 * plenary ready under .cache/vendor/ for test/codecompanion/ (test/helpers/codecompanion.ts).
 */
import { execFileSync } from 'node:child_process';
import { ensureVendorPlugins } from './helpers/codecompanion.js';
import { ensureNvimBinaries, repoRoot } from './helpers/nvim.js';

/** Runs once before all test files. */
export default function setup(): void {
  // The tests drive dist/host.js: a run started with `npx vitest` (no pretest) after an edit of src/
  // would otherwise test the old host. scripts/setup.sh rebuilds only when src/ is newer than the bundle.
  execFileSync('bash', ['scripts/setup.sh'], { cwd: repoRoot, env: { ...process.env, MCP_SETUP_NVIM: '0' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const t0 = Date.now();
  const bins = ensureNvimBinaries();
  const list = bins.map((b) => `${b.full} (${b.bin})`).join(', ');
  process.stderr.write(`[global-setup] Neovim for tests: ${list} in ${Date.now() - t0} ms\n`);
  if (bins.some((b) => b.version === '0.12')) {
    try {
      ensureVendorPlugins();
    } catch (e) {
      // Not fatal here: the CodeCompanion tests call it again and fail with this message; the rest run.
      process.stderr.write(`[global-setup] CodeCompanion tests will fail: ${(e as Error).message}\n`);
    }
  }
}
