/**
 * Roots from the editor (lua/mcp/roots.lua + the host's roots/list): server-filesystem started with no
 * directory follows the projects open in Neovim; server-everything's `get-roots-list` agrees; an LSP
 * workspace folder becomes a root; `roots = false` hides them; list_changed is sent once per real change.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { callTool, everythingStdio, filesystemStdio, waitStatus } from '../helpers/mcp.js';

/** Project folders: A and C with .git, B (a name with spaces and non-ASCII) with package.json, D none. */
function projects() {
  const base = mkdtempSync(join(tmpdir(), 'mcp-roots-'));
  const dirs = { A: join(base, 'alpha'), B: join(base, 'proj B é ü'), C: join(base, 'gamma'), D: join(base, 'delta-no-marker'), E: join(base, 'epsilon') };
  for (const [k, d] of Object.entries(dirs)) {
    mkdirSync(join(d, 'src'), { recursive: true });
    if (k === 'A' || k === 'C' || k === 'E') mkdirSync(join(d, '.git'));
    if (k === 'B') writeFileSync(join(d, 'package.json'), '{}');
    writeFileSync(join(d, 'src', 'main.txt'), `file of ${k}\n`);
  }
  for (let i = 0; i < 200; i++) writeFileSync(join(dirs.E, 'src', `f${i}.txt`), `${i}\n`);
  return { base, ...dirs };
}

/** What server-filesystem says it may access, as a sorted list of paths. */
async function allowed(nv: NvimInstance): Promise<string[]> {
  const r = await callTool(nv, 'fs', 'list_allowed_directories');
  const text = r.result?.content[0]?.text ?? JSON.stringify(r.err);
  return text
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .sort();
}

async function waitAllowed(nv: NvimInstance, want: string[]): Promise<void> {
  const sorted = [...want].sort();
  let last: string[] = [];
  await nv.waitFor(
    async () => {
      last = await allowed(nv);
      return JSON.stringify(last) === JSON.stringify(sorted);
    },
    { timeoutMs: 10_000, message: `allowed directories ${JSON.stringify(sorted)}` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nlast: ${JSON.stringify(last)}`);
  });
}

/** Number of roots/list_changed notifications the host sent to `server`, from its debug log. */
function listChangedCount(nv: NvimInstance, server: string): number {
  let log = '';
  try {
    log = readFileSync(join(nv.dirs.log, 'mcp.log'), 'utf8');
  } catch {
    return 0;
  }
  return log.split('\n').filter((l) => l.includes('"msg":"roots/list_changed"') && l.includes(`"server":"${server}"`)).length;
}

const debugLog = ['--cmd', 'let g:mcp = { "log_level": "debug" }'];

describe.each(nvimBinaries())('roots on Neovim $version', ({ bin }) => {
  let nv: NvimInstance | undefined;
  afterEach(async () => {
    await nv?.quit();
    nv = undefined;
  });

  it('follows the projects of open files and the working directory', async () => {
    const p = projects();
    nv = await startNvim(bin, {
      cwd: p.base,
      args: debugLog,
      config: { mcpServers: { fs: filesystemStdio(), everything: everythingStdio(), hidden: { ...everythingStdio(), roots: false } } },
    });
    await nv.lua('vim.cmd.edit(...)', join(p.A, 'src', 'main.txt'));
    await nv.lua('require("mcp").start("fs")');
    await waitStatus(nv, 'fs');
    await waitAllowed(nv, [p.A]);

    await nv.lua('vim.cmd.edit(...)', join(p.B, 'src', 'main.txt'));
    await waitAllowed(nv, [p.A, p.B]);

    await nv.lua('vim.cmd("bwipeout " .. vim.fn.fnameescape(...))', join(p.A, 'src', 'main.txt'));
    await waitAllowed(nv, [p.B]);

    await nv.lua('vim.cmd.cd(...)', p.C);
    await waitAllowed(nv, [p.B, p.C]);

    // The Lua API and server-everything agree, URIs percent-encoded as RFC 3986 wants.
    const roots = await nv.lua<{ uri: string; name: string }[]>('return require("mcp").roots()');
    expect(roots).toEqual([
      { uri: pathToFileURL(p.C).href, name: 'gamma' },
      { uri: pathToFileURL(p.B).href, name: 'proj B é ü' },
    ].sort((a, b) => (a.uri < b.uri ? -1 : 1)));
    expect(roots.find((r) => r.name === 'proj B é ü')!.uri).toContain('proj%20B%20%C3%A9%20%C3%BC');
    await waitStatus(nv, 'everything');
    const listed = await callTool(nv, 'everything', 'get-roots-list');
    const text = listed.result!.content[0]!.text!;
    expect(text).toContain('(2 total)');
    for (const r of roots) expect(text).toContain(`URI: ${r.uri}`);

    // A server configured with `roots = false` is told of none.
    await waitStatus(nv, 'hidden');
    const hidden = await callTool(nv, 'hidden', 'get-roots-list');
    expect(hidden.result!.content[0]!.text).toContain('no roots are currently configured');
    expect(listChangedCount(nv, 'hidden')).toBe(0);
  });

  it(':Mcp roots shows the roots and what each server is told', async () => {
    const p = projects();
    nv = await startNvim(bin, {
      cwd: p.base,
      config: {
        mcpServers: {
          fs: filesystemStdio(),
          hidden: { ...filesystemStdio(p.base), roots: false },
          fixed: { ...filesystemStdio(), roots: [p.C] },
        },
      },
    });
    await nv.lua('vim.cmd.edit(...)', join(p.A, 'src', 'main.txt'));
    await nv.lua('vim.cmd.edit(...)', join(p.B, 'src', 'main.txt'));
    await Promise.all(['fs', 'hidden', 'fixed'].map((s) => waitStatus(nv!, s)));
    // The fixed server follows its own list, not the editor.
    const fixed = await callTool(nv, 'fixed', 'list_allowed_directories');
    expect(fixed.result!.content[0]!.text).toBe(`Allowed directories:\n${p.C}`);
    await nv.lua('vim.cmd("Mcp roots")');
    const lines = (await nv.waitFor<string[] | false>(async () => {
      const l = await nv!.bufferLines();
      return l[0]?.startsWith('Roots (2)') ? l : false;
    })) as string[];
    expect(await nv.lua<string>('return vim.api.nvim_buf_get_name(0)')).toBe('mcp://roots');
    expect(lines).toContain(`  alpha       ${pathToFileURL(p.A).href}`);
    expect(lines).toContain(`  proj B é ü  ${pathToFileURL(p.B).href}`);
    expect(lines).toContain("  fs  2 roots (the editor's)");
    expect(lines).toContain('  hidden  0 roots (roots = false)');
    expect(lines).toContain('  fixed  1 root (fixed list)');
    expect(lines).toContain(`    ${pathToFileURL(p.C).href}`);
  });

  it('makes an LSP workspace folder a root', async () => {
    const p = projects();
    nv = await startNvim(bin, { cwd: p.base, config: { mcpServers: { fs: filesystemStdio() } } });
    const server = join(repoRoot, 'node_modules', '.bin', 'vscode-json-language-server');
    const file = join(p.D, 'settings.json');
    writeFileSync(file, '{ "a": 1 }\n');
    await nv.lua(
      `local file, server, root = ...
       vim.cmd.edit(file)
       vim.lsp.start({ name = 'jsonls', cmd = { server, '--stdio' }, root_dir = root,
         workspace_folders = { { uri = vim.uri_from_fname(root), name = 'delta' } } })`,
      file,
      server,
      p.D,
    );
    await nv.waitFor('#vim.lsp.get_clients({ bufnr = 0 }) > 0', { message: 'jsonls to attach' });
    await nv.lua('require("mcp").start("fs")');
    await waitStatus(nv, 'fs');
    // delta has no project marker: only the language server's workspace folder makes it a root.
    await waitAllowed(nv, [p.D]);
  });

  it('sends roots/list_changed once per real change, not once per file', async () => {
    const p = projects();
    nv = await startNvim(bin, { cwd: p.base, args: debugLog, config: { mcpServers: { fs: filesystemStdio(p.base), everything: everythingStdio() } } });
    await nv.lua('require("mcp").start("everything")');
    await waitStatus(nv, 'everything');
    expect(listChangedCount(nv, 'everything')).toBe(0);

    // 200 files of one project: one change.
    await nv.lua(`for _, f in ipairs(...) do vim.cmd.edit(vim.fn.fnameescape(f)) end`, Array.from({ length: 200 }, (_, i) => join(p.E, 'src', `f${i}.txt`)));
    await nv.waitFor(() => listChangedCount(nv!, 'everything') >= 1, { message: 'one roots/list_changed' });
    await new Promise((r) => setTimeout(r, 600));
    expect(listChangedCount(nv, 'everything')).toBe(1);
    const listed = await callTool(nv, 'everything', 'get-roots-list');
    expect(listed.result!.content[0]!.text).toContain('(1 total)');

    // Opening another file of the same project changes nothing; a second project is one more change.
    await nv.lua('vim.cmd.edit(...)', join(p.E, 'src', 'main.txt'));
    await nv.lua('vim.cmd.edit(...)', join(p.A, 'src', 'main.txt'));
    await nv.waitFor(() => listChangedCount(nv!, 'everything') >= 2, { message: 'second roots/list_changed' });
    await new Promise((r) => setTimeout(r, 600));
    expect(listChangedCount(nv, 'everything')).toBe(2);
  });
});
