/**
 * Project-local configs through Neovim's trust store (issue 13): a project's `.mcp.json` is ignored while
 * the trust database (under the test's own XDG state folder) denies it; once trusted its servers start,
 * one of them replacing the user's server of the same name, the hub names the file; when the
 * project's last buffer is closed they stop and the user's own definition is back.
 * Uses our test server (test/servers/flooder.mjs) for its `env` tool, which tells the two definitions apart.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { api, callTool, childrenOf, cmdline, hostPid, servers, waitStatus } from '../helpers/mcp.js';

const FLOODER = join(repoRoot, 'test', 'servers', 'flooder.mjs');
const flooder = (env: Record<string, string> = {}) => ({ command: 'node', args: [FLOODER], env });

/** A git project with a `.mcp.json` defining `projsrv` and redefining `mine`. */
function project(root: string): { dir: string; config: string; file: string } {
  const dir = join(root, 'proj');
  mkdirSync(join(dir, '.git'), { recursive: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  const config = join(dir, '.mcp.json');
  writeFileSync(config, JSON.stringify({ mcpServers: { projsrv: flooder({ ROOT: '${workspaceFolder}' }), mine: flooder({ FROM: 'project' }) } }));
  const file = join(dir, 'src', 'a.txt');
  writeFileSync(file, 'a\n');
  return { dir, config, file };
}

/** `FROM` in the environment `server` reports (the project's definition sets it). */
async function from(nv: NvimInstance, server: string): Promise<string | undefined> {
  const r = await callTool(nv, server, 'env');
  expect(r.err, JSON.stringify(r.err)).toBeNull();
  return (JSON.parse(r.result!.content[0]!.text!) as Record<string, string>).FROM;
}

/** Hostile servers running under the host. */
async function flooderCount(nv: NvimInstance): Promise<number> {
  const host = await hostPid(nv);
  return childrenOf(host).filter((pid) => cmdline(pid).includes('flooder.mjs')).length;
}

describe.each(nvimBinaries())('project configs on Neovim $version', ({ bin }) => {
  let nv: NvimInstance | undefined;
  afterEach(async () => {
    await nv?.quit();
    nv = undefined;
  });

  it('an untrusted .mcp.json is ignored; trusted, its servers run until its last buffer closes', async () => {
    nv = await startNvim(bin, { config: { mcpServers: { mine: flooder({ FROM: 'user' }) } } });
    const p = project(nv.dirs.root);

    // Denied in the trust database: vim.secure.read returns nothing and asks nothing.
    await nv.lua('vim.secure.trust({ action = "deny", path = ... }) vim.cmd.edit(vim.fn.fnameescape(select(2, ...)))', p.config, p.file);
    await waitStatus(nv, 'mine');
    // A refresh now, then a round trip through the host: had anything been sent, it would have landed.
    expect(await nv.lua('return require("mcp.projects").refresh()')).toBe(false);
    await api(nv, 'function(cb) require("mcp").reload(cb) end');
    expect(Object.keys(await servers(nv))).toEqual(['mine']);
    expect(await from(nv, 'mine')).toBe('user');

    // Trusted (as `:trust` in its buffer does): the next refresh reads it.
    await nv.lua('vim.cmd.edit(vim.fn.fnameescape(...)) vim.secure.trust({ action = "allow", bufnr = 0 }) vim.cmd.buffer("#")', p.config);
    await nv.lua('require("mcp.projects").refresh()');
    const proj = await waitStatus(nv, 'projsrv');
    expect(proj).toMatchObject({ project: p.config });
    // `mine` is replaced by the project's definition (the user's stops first, then the project's starts).
    await nv.waitFor('vim.iter(require("mcp").servers()):any(function(s) return s.name == "mine" and s.project ~= nil and s.status == "connected" end)', {
      message: "the project's mine connected",
    });
    expect(await from(nv, 'mine')).toBe('project');
    const env = await callTool(nv, 'projsrv', 'env');
    expect(JSON.parse(env.result!.content[0]!.text!).ROOT).toBe(await nv.lua('return vim.uv.fs_realpath(...)', p.dir));

    // The hub names the file.
    await nv.nvim.command('Mcp');
    const hub = (await nv.bufferLines()).join('\n');
    expect(hub).toMatch(/projsrv.*\.mcp\.json/);
    await nv.nvim.command('close');

    // Every buffer of the project closed: its servers stop, the user's `mine` is back.
    await nv.lua(`
      for _, b in ipairs(vim.api.nvim_list_bufs()) do
        if vim.startswith(vim.api.nvim_buf_get_name(b), ...) then vim.api.nvim_buf_delete(b, { force = true }) end
      end`, await nv.lua('return vim.uv.fs_realpath(...)', p.dir));
    await nv.waitFor(async () => !(await servers(nv!)).projsrv, { message: 'projsrv removed' });
    await nv.waitFor('vim.iter(require("mcp").servers()):any(function(s) return s.name == "mine" and s.project == nil and s.status == "connected" end)', {
      message: "the user's mine connected again",
    });
    expect(await from(nv, 'mine')).toBe('user');
    await nv.waitFor(async () => (await flooderCount(nv!)) === 1, { message: 'one flooder server left running' });
  });

  it('an unknown project file is asked about, once per change of it, as Neovim asks for any file', async () => {
    nv = await startNvim(bin, { config: { mcpServers: { mine: flooder({ FROM: 'user' }) } } });
    // Without a UI, Neovim's prompts answer themselves; with one, confirm() waits for keys (mode "r?").
    await nv.nvim.uiAttach(80, 24, { ext_linegrid: true });
    const prompt = () => nv!.waitFor(async () => (await nv!.nvim.mode).mode === 'r?', { message: 'the trust prompt' });
    const p = project(nv.dirs.root);
    await waitStatus(nv, 'mine');
    // Opening a file of the project: vim.secure.read asks; "i" ignores the file this time.
    await nv.lua('vim.cmd.edit(vim.fn.fnameescape(...))', p.file);
    await prompt();
    await nv.nvim.input('i');
    await nv.waitFor(async () => (await nv!.nvim.mode).mode === 'n', { message: 'the prompt answered' });
    // Not asked again at the next change of buffers while the file is the same, and nothing started.
    await nv.lua('vim.cmd.split() vim.cmd.enew() require("mcp.projects").refresh()');
    expect((await nv.nvim.mode).mode).toBe('n');
    await api(nv, 'function(cb) require("mcp").reload(cb) end');
    expect(Object.keys(await servers(nv))).toEqual(['mine']);
    // Changed, it is asked about again; "v" shows it, `:trust` there trusts it (Neovim 0.12 allows a
    // file no other way), and `:Mcp reload` starts its servers.
    writeFileSync(p.config, JSON.stringify({ mcpServers: { projsrv: flooder() } }));
    await nv.lua('vim.cmd.edit(vim.fn.fnameescape(...))', p.config);
    await prompt();
    await nv.nvim.input('v');
    await nv.waitFor(async () => (await nv!.nvim.mode).mode === 'n', { message: 'the prompt answered' });
    await nv.nvim.command('trust');
    await nv.nvim.command('Mcp reload');
    expect(await waitStatus(nv, 'projsrv')).toMatchObject({ project: p.config });
  });

  it('a broken trusted project file is reported, and the user\'s servers keep running', async () => {
    nv = await startNvim(bin, { config: { mcpServers: { mine: flooder({ FROM: 'user' }) } } });
    const p = project(nv.dirs.root);
    writeFileSync(p.config, '{ "mcpServers": { "x": { "command": 1 } } }');
    await nv.lua('vim.cmd.edit(vim.fn.fnameescape(...)) vim.secure.trust({ action = "allow", bufnr = 0 })', p.config);
    await waitStatus(nv, 'mine');
    await nv.lua('require("mcp.projects").refresh()');
    await nv.waitFor(
      'vim.iter(require("mcp.core.store").messages()):any(function(m) return m.text:find(".mcp.json", 1, true) ~= nil end)',
      { message: 'a message naming the project file' },
    );
    const text = await nv.lua<string>(
      'return vim.iter(require("mcp.core.store").messages()):find(function(m) return m.text:find(".mcp.json", 1, true) ~= nil end).text',
    );
    expect(text).toContain('mcpServers.x.command');
    expect(Object.keys(await servers(nv))).toEqual(['mine']);
    expect((await servers(nv)).mine!.status).toBe('connected');
  });
});
