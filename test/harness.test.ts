/**
 * Smoke test of the harness itself (not of the plugin): for every Neovim under test, start an isolated
 * instance, check its version and that its XDG folders are private, and quit it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, realpathSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from './helpers/nvim.js';

describe.each(nvimBinaries())('harness on nvim $version', ({ version, bin }) => {
  let nv: NvimInstance;

  beforeAll(async () => {
    nv = await startNvim(bin);
  });
  afterAll(async () => {
    await nv?.quit();
  });

  it('runs the expected minor version', async () => {
    const minor = await nv.lua<number>('return vim.version().minor');
    expect(`0.${minor}`).toBe(version);
    // v:progpath is the binary itself (patchelf, not a loader wrapper).
    expect(realpathSync(await nv.lua<string>('return vim.v.progpath'))).toBe(realpathSync(bin));
  });

  it('isolates stdpath() folders in a temporary folder', async () => {
    const paths = await nv.lua<Record<string, string>>(
      'local r = {} for _, k in ipairs({ "config", "data", "state", "log", "cache" }) do r[k] = vim.fn.stdpath(k) end return r',
    );
    expect(paths).toEqual({
      config: nv.dirs.config,
      data: nv.dirs.data,
      state: nv.dirs.state,
      log: nv.dirs.log,
      cache: nv.dirs.cache,
    });
    for (const p of Object.values(paths)) expect(p.startsWith(nv.dirs.root + '/')).toBe(true);
    expect(await nv.lua<string>('return vim.fn.getcwd()')).toBe(realpathSync(nv.dirs.cwd));
  });

  it('has the repository first on runtimepath and no system site folders', async () => {
    const rtp = await nv.lua<string[]>('return vim.opt.runtimepath:get()');
    expect(rtp[0]).toBe(repoRoot);
    expect(rtp.filter((p) => p.startsWith('/etc/xdg') || p.startsWith('/usr/share/nvim/site'))).toEqual([]);
  });

  it.skipIf(!existsSync(join(repoRoot, 'plugin', 'mcp.lua')))('sources plugin/mcp.lua once, at startup', async () => {
    const scripts = await nv.lua<string[]>(
      'return vim.tbl_map(function(s) return s.name end, vim.fn.getscriptinfo())',
    );
    const ours = scripts.filter((s) => s === join(repoRoot, 'plugin', 'mcp.lua'));
    expect(ours).toHaveLength(1);
  });

  it('writes mcp.json where stdpath("config") is', async () => {
    const file = await nv.writeConfig({ mcpServers: {} });
    expect(file).toBe(join(nv.dirs.config, 'mcp.json'));
    const read = await nv.lua<string>('return table.concat(vim.fn.readfile(vim.fn.stdpath("config") .. "/mcp.json"), "\\n")');
    expect(JSON.parse(read)).toEqual({ mcpServers: {} });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ mcpServers: {} });
  });

  it('passes arguments to Lua and maps nil and empty tables', async () => {
    expect(await nv.lua('return ...', 1, 'two', [3])).toBe(1); // only the first return value arrives
    expect(await nv.lua('return { ... }', 1, 'two', [3])).toEqual([1, 'two', [3]]);
    expect(await nv.lua('return nil')).toBeNull();
    expect(await nv.lua('local x = 1')).toBeNull(); // no return
    expect(await nv.lua('return {}')).toEqual([]);
    expect(await nv.lua('return vim.empty_dict()')).toEqual({});
    expect(await nv.lua('return { a = vim.NIL }')).toEqual({ a: null });
  });

  it('reports Lua errors with the chunk', async () => {
    await expect(nv.lua('error("boom")')).rejects.toThrow(/boom[\s\S]*--- chunk ---\nerror\("boom"\)/);
  });

  it('reads buffer lines', async () => {
    await nv.lua('vim.api.nvim_buf_set_lines(0, 0, -1, false, { "one", "two" })');
    expect(await nv.bufferLines()).toEqual(['one', 'two']);
    const other = await nv.lua<number>('local b = vim.api.nvim_create_buf(false, true) vim.api.nvim_buf_set_lines(b, 0, -1, false, { "x" }) return b');
    expect(await nv.bufferLines(other)).toEqual(['x']);
  });

  it('waits for a condition, and times out with the last value', async () => {
    await nv.lua('vim.defer_fn(function() vim.g.harness_done = 42 end, 100)');
    expect(await nv.waitFor<number>('vim.g.harness_done')).toBe(42);
    expect(await nv.waitFor('return 0')).toBe(0); // Lua truthiness
    let n = 0;
    expect(await nv.waitFor(async () => (++n >= 3 ? 'ok' : false), { intervalMs: 5 })).toBe('ok');
    await expect(nv.waitFor('vim.g.never_set or false', { timeoutMs: 200 })).rejects.toThrow(
      /timed out after 200 ms.*vim\.g\.never_set[\s\S]*last value: false/,
    );
    await expect(nv.waitFor('nope.nope', { timeoutMs: 500 })).rejects.toThrow(/last error: .*nope/);
  });
});

describe.each(nvimBinaries())('harness lifecycle on nvim $version', ({ bin }) => {
  it('quits, removes its folder, and tolerates a second quit', async () => {
    const t0 = performance.now();
    const nv = await startNvim(bin);
    const started = performance.now() - t0;
    const pid = nv.pid;
    const t1 = performance.now();
    expect(await nv.quit()).toBe(0);
    const quitMs = performance.now() - t1;
    expect(nv.exited()).toBe(true);
    expect(await nv.quit()).toBe(0);
    expect(() => process.kill(pid, 0)).toThrow();
    await expect(readFile(join(nv.dirs.config, 'mcp.json'))).rejects.toThrow();
    console.info(`nvim ${bin}: startNvim ${started.toFixed(0)} ms, quit ${quitMs.toFixed(0)} ms`);
  });

  it('fails fast when Neovim exits', async () => {
    const nv = await startNvim(bin);
    await nv.lua('vim.defer_fn(function() vim.cmd("cquit 3") end, 50)');
    await expect(nv.waitFor('vim.g.never_set', { timeoutMs: 20_000 })).rejects.toThrow(/exited \(code 3/);
    expect(await nv.quit()).toBe(3);
  });

  it('reports startup errors', async () => {
    await expect(startNvim(bin, { args: ['--cmd', 'lua error("bad plugin")'] })).rejects.toThrow(/bad plugin/);
  });

  it('starts without the plugin when asked', async () => {
    const nv = await startNvim(bin, { plugin: false, env: { MCP_HARNESS_PROBE: 'yes' } });
    try {
      const rtp = await nv.lua<string[]>('return vim.opt.runtimepath:get()');
      expect(rtp).not.toContain(repoRoot);
      expect(await nv.lua('return vim.env.MCP_HARNESS_PROBE')).toBe('yes');
    } finally {
      await nv.quit();
    }
  });
});
