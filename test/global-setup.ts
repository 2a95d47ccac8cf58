/**
 * vitest globalSetup: get the Neovim binaries once per run (scripts/nvim.sh fetches them into .cache/nvim/
 * the first time) and record them in .cache/nvim/binaries.json, which `nvimBinaries()` reads synchronously
 * at collection time in every test file.
 */
import { ensureNvimBinaries } from './helpers/nvim.js';

/** Runs once before all test files. */
export default function setup(): void {
  const t0 = Date.now();
  const bins = ensureNvimBinaries();
  const list = bins.map((b) => `${b.full} (${b.bin})`).join(', ');
  process.stderr.write(`[global-setup] Neovim for tests: ${list} in ${Date.now() - t0} ms\n`);
}
