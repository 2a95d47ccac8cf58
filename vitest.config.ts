import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    exclude: ['bench/**', 'node_modules/**', 'dist/**', '.cache/**'],
    globalSetup: ['test/global-setup.ts'],
    // Each test drives real Neovim processes, a Node host and MCP servers: be generous.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    // Child processes (nvim, node, servers) behave better in forked workers than in threads.
    pool: 'forks',
    // Two cores here: one file at a time keeps timings stable and failures readable.
    fileParallelism: false,
  },
});
