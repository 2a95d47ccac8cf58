/**
 * The hub (`:Mcp`), as a user sees it: against real server-everything and server-filesystem over stdio,
 * plus a server whose command does not exist. Keys are typed with `nvim_input`, as a user would type them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { alive, childrenOf, cmdline, everythingStdio, FILESYSTEM, filesystemStdio, hostPid, modernStdio, waitStatus } from '../helpers/mcp.js';

const MISSING = 'mcp-nvim-test-no-such-command';

interface Tool {
  name: string;
  title?: string;
  annotations?: { title?: string; readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean };
}
interface Prompt {
  name: string;
  arguments?: { name: string; required?: boolean }[];
}
interface Snapshot {
  name: string;
  status: string;
  error?: string;
  transport: string;
  server_info?: { name: string; version: string };
  protocol_version?: string;
}

/** The hub buffer's lines (empty if there is no hub buffer). */
function hubLines(nv: NvimInstance): Promise<string[]> {
  return nv.lua<string[]>(`
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_get_name(b) == "mcp://hub" then return vim.api.nvim_buf_get_lines(b, 0, -1, false) end
    end
    return {}`);
}

/** Waits until the hub's lines satisfy `ok`, and returns them. */
function waitHub(nv: NvimInstance, ok: (lines: string[]) => boolean, message: string, timeoutMs = 15_000): Promise<string[]> {
  return nv.waitFor<string[]>(
    async () => {
      const lines = await hubLines(nv);
      return (ok(lines) ? lines : false) as string[];
    },
    { timeoutMs, message: `hub: ${message}` },
  );
}

/** Puts the cursor of the current window (the hub) on the first line matching `line`, then types `keys`. */
async function press(nv: NvimInstance, line: RegExp, keys: string): Promise<void> {
  const lines = await hubLines(nv);
  const i = lines.findIndex((l) => line.test(l));
  expect(i, `no hub line matches ${line}:\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
  expect(await nv.lua('return vim.api.nvim_buf_get_name(0)')).toBe('mcp://hub');
  await nv.lua('vim.api.nvim_win_set_cursor(0, { ..., 0 })', i + 1);
  await nv.nvim.input(keys);
}

/** The server line the hub must show for a connected server, built from what the Lua API holds. */
async function expectedConnectedLine(nv: NvimInstance, name: string): Promise<string> {
  const s = await nv.lua<Snapshot>('return require("mcp").server(...)', name);
  const n = (kind: string) => nv.lua<number>(`return #require("mcp").${kind}(...)`, name);
  expect(s.status).toBe('connected');
  return `● ${name}  connected  ${s.server_info!.name} ${s.server_info!.version}  ${s.transport}  ${s.protocol_version}  tools ${await n('tools')}  prompts ${await n('prompts')}  resources ${await n('resources')}`;
}

/** The tags the hub shows for a tool: exactly the hints the server set. */
function expectedTags(t: Tool): string[] {
  const a = t.annotations ?? {};
  const tags: string[] = [];
  if (a.readOnlyHint === true) tags.push('[read-only]');
  if (a.destructiveHint === true && a.readOnlyHint !== true) tags.push('[destructive]');
  if (a.idempotentHint === true) tags.push('[idempotent]');
  if (a.openWorldHint === true) tags.push('[open-world]');
  return tags;
}

function label(t: Tool): string {
  const title = t.title ?? t.annotations?.title;
  return title && title !== t.name ? `${title} (${t.name})` : t.name;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const serverLine = (name: string) => new RegExp(`^\\S+ ${escape(name)}  `);

/** The pid of the running server-filesystem process (a child of the host), if any. */
async function filesystemPid(nv: NvimInstance): Promise<number | undefined> {
  const host = await hostPid(nv);
  return childrenOf(host).find((p) => alive(p) && cmdline(p).includes(FILESYSTEM));
}

describe.each(nvimBinaries())('hub on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  const dir = mkdtempSync(join(tmpdir(), 'mcp-hub-fs-'));

  beforeAll(async () => {
    nv = await startNvim(bin, {
      config: {
        mcpServers: {
          everything: everythingStdio(),
          filesystem: filesystemStdio(dir),
          broken: { command: MISSING, args: ['--flag'] },
          modern: modernStdio(),
        },
      },
    });
  });
  afterAll(async () => {
    await nv?.quit();
  });

  it(':Mcp opens the hub buffer in a window and starts the host', async () => {
    expect(await nv.lua('return require("mcp.host").running()')).toBe(false);
    await nv.nvim.command('Mcp');
    const cur = await nv.lua<{ name: string; ft: string; modifiable: boolean; wins: number }>(
      'return { name = vim.api.nvim_buf_get_name(0), ft = vim.bo.filetype, modifiable = vim.bo.modifiable, wins = #vim.api.nvim_tabpage_list_wins(0) }',
    );
    expect(cur).toEqual({ name: 'mcp://hub', ft: 'mcp', modifiable: false, wins: 2 });
    expect(await nv.lua('return require("mcp.host").running()')).toBe(true);
    const lines = await hubLines(nv);
    expect(lines[1]).toMatch(/^Config: .*mcp\.json$/);
  });

  it('shows the keys in its help line, and g? lists them', async () => {
    const [help] = await hubLines(nv);
    expect(help).toMatch(/^mcp\.nvim  /);
    for (const k of ['<CR> expand', 's start', 'S stop', 'r restart', 'c call', 'q close', 'g? help']) expect(help).toContain(`  ${k}`);
    await press(nv, /^mcp\.nvim/, 'g?');
    const shown = await waitHub(nv, (l) => l.some((x) => /^\s+S\s+stop the server/.test(x)), 'g? help listing');
    expect(shown.some((x) => /^\s+r\s+restart the server/.test(x))).toBe(true);
    await press(nv, /^mcp\.nvim/, 'g?');
    await waitHub(nv, (l) => !l.some((x) => /^\s+S\s+stop the server/.test(x)), 'g? help hidden');
  });

  it('shows both servers connected with name, version and counts equal to the cached lists', async () => {
    await waitStatus(nv, 'everything');
    await waitStatus(nv, 'filesystem');
    const everything = await expectedConnectedLine(nv, 'everything');
    const filesystem = await expectedConnectedLine(nv, 'filesystem');
    // The counts are those of real servers: non-zero where the server offers something.
    expect(everything).toMatch(/^● everything  connected  mcp-servers\/everything \S+  stdio  2025-11-25  tools [1-9]\d*  prompts [1-9]\d*  resources [1-9]\d*$/);
    expect(filesystem).toMatch(/^● filesystem  connected  secure-filesystem-server \S+  stdio  2025-11-25  tools [1-9]\d*  prompts 0  resources 0$/);
    const lines = await waitHub(nv, (l) => l.includes(everything) && l.includes(filesystem), 'both servers connected');
    // Config order.
    expect(lines.indexOf(everything)).toBeLessThan(lines.indexOf(filesystem));
  });

  it('shows the MCP revision a server speaks: 2026-07-28 for a modern server', async () => {
    await waitStatus(nv, 'modern');
    const modern = await expectedConnectedLine(nv, 'modern');
    expect(modern).toMatch(/^● modern  connected  \S+ \S+  stdio  2026-07-28  tools \d+  prompts \d+  resources \d+$/);
    await waitHub(nv, (l) => l.includes(modern), 'the modern server connected');
  });

  it('shows a server whose command does not exist as failed, with its error, while the others are connected', async () => {
    const broken = await waitStatus(nv, 'broken', 'failed');
    expect(broken.error).toContain(MISSING);
    const lines = await waitHub(nv, (l) => l.includes('✗ broken  failed  stdio'), 'broken failed');
    const i = lines.indexOf('✗ broken  failed  stdio');
    expect(lines[i + 1]).toBe(`    error: ${broken.error}`);
    expect(lines[i + 1]).toMatch(new RegExp(`^    error: .*not found.*${MISSING}`));
    expect(lines).toContain(await expectedConnectedLine(nv, 'everything'));
    expect(lines).toContain(await expectedConnectedLine(nv, 'filesystem'));
  });

  it('<CR> on a server expands its tools (with their hints), prompts and resources, and collapses them again', async () => {
    const tools = await nv.lua<Tool[]>('return require("mcp").tools("everything")');
    const prompts = await nv.lua<Prompt[]>('return require("mcp").prompts("everything")');
    const resources = await nv.lua<{ uri: string; name: string }[]>('return require("mcp").resources("everything")');
    const templates = await nv.lua<{ uriTemplate: string }[]>('return require("mcp").resource_templates("everything")');
    expect(tools.length).toBeGreaterThan(0);

    await press(nv, serverLine('everything'), '<CR>');
    const lines = await waitHub(nv, (l) => l.includes(`    Tools (${tools.length})`), 'everything expanded');
    const start = lines.findIndex((l) => serverLine('everything').test(l));
    const end = lines.findIndex((l, i) => i > start && /^\S/.test(l));
    const block = lines.slice(start + 1, end);
    expect(block[0]).toBe(`    Tools (${tools.length})`);

    for (const t of tools) {
      const line = block.find((l) => l.startsWith(`      ${label(t)}  `) || l === `      ${label(t)}`);
      expect(line, `tool ${t.name} in:\n${block.join('\n')}`).toBeDefined();
      const tags = line!.match(/\[[a-z-]+\]/g) ?? [];
      expect(tags, `hints of ${t.name}`).toEqual(expectedTags(t));
    }
    // server-everything marks echo read-only and idempotent, and gzip-file-as-resource open-world.
    expect(block.find((l) => l.includes('(echo)'))).toMatch(/\[read-only\]  \[idempotent\]$/);
    expect(block.find((l) => l.includes('(gzip-file-as-resource)'))).toContain('[open-world]');

    expect(block).toContain(`    Prompts (${prompts.length})`);
    for (const p of prompts) {
      const args = (p.arguments ?? []).map((a) => a.name + (a.required ? '*' : ''));
      const line = block.find((l) => l.startsWith(`      ${p.name}  `));
      expect(line, `prompt ${p.name}`).toBeDefined();
      if (args.length) expect(line!.endsWith(`(${args.join(', ')})`)).toBe(true);
    }
    expect(block.find((l) => l.startsWith('      args-prompt  '))).toMatch(/\(city\*, state\)$/);

    expect(block).toContain(`    Resources (${resources.length})`);
    for (const r of resources) expect(block.some((l) => l.startsWith('      ') && l.includes(`  ${r.uri}`)), r.uri).toBe(true);
    expect(block).toContain(`    Resource templates (${templates.length})`);
    for (const r of templates) expect(block.some((l) => l.includes(`  ${r.uriTemplate}`)), r.uriTemplate).toBe(true);

    // The other servers stay collapsed.
    expect(lines.some((l) => l.startsWith('      Write File'))).toBe(false);

    await press(nv, serverLine('everything'), '<CR>');
    await waitHub(nv, (l) => !l.some((x) => x.startsWith('    Tools (')), 'everything collapsed');
  });

  it('shows the destructive hint of server-filesystem tools', async () => {
    const tools = await nv.lua<Tool[]>('return require("mcp").tools("filesystem")');
    await press(nv, serverLine('filesystem'), '<CR>');
    const lines = await waitHub(nv, (l) => l.includes(`    Tools (${tools.length})`), 'filesystem expanded');
    const write = tools.find((t) => t.name === 'write_file')!;
    expect(write.annotations?.destructiveHint).toBe(true);
    const line = lines.find((l) => l.startsWith(`      ${label(write)}  `));
    expect(line).toContain('[destructive]');
    for (const t of tools) {
      const l = lines.find((x) => x.startsWith(`      ${label(t)}  `) || x === `      ${label(t)}`);
      expect(l, t.name).toBeDefined();
      expect(l!.match(/\[[a-z-]+\]/g) ?? [], `hints of ${t.name}`).toEqual(expectedTags(t));
    }
    await press(nv, serverLine('filesystem'), '<CR>');
    await waitHub(nv, (l) => !l.some((x) => x.startsWith('    Tools (')), 'filesystem collapsed');
  });

  it('S stops the server under the cursor, s starts it, r restarts it; the hub shows each state', async () => {
    const connected = await expectedConnectedLine(nv, 'filesystem');
    const before = await filesystemPid(nv);
    expect(before).toBeDefined();

    await press(nv, serverLine('filesystem'), 'S');
    await waitHub(nv, (l) => l.includes('○ filesystem  stopped  stdio'), 'filesystem stopped');
    await nv.waitFor(() => !alive(before!), { message: `server-filesystem ${before} to exit` });
    expect((await waitStatus(nv, 'filesystem', 'stopped')).status).toBe('stopped');
    // The other server is untouched.
    expect(await hubLines(nv)).toContain(await expectedConnectedLine(nv, 'everything'));

    await press(nv, serverLine('filesystem'), 's');
    await waitHub(nv, (l) => l.includes(connected), 'filesystem connected again');
    const started = await filesystemPid(nv);
    expect(started).toBeDefined();
    expect(started).not.toBe(before);

    await press(nv, serverLine('filesystem'), 'r');
    // A restart ends the old process and ends connected with a new one.
    await nv.waitFor(() => !alive(started!), { message: `server-filesystem ${started} to exit on restart` });
    await waitHub(nv, (l) => l.includes(connected), 'filesystem connected after restart');
    const restarted = await nv.waitFor(() => filesystemPid(nv), { message: 'new server-filesystem process' });
    expect(restarted).not.toBe(started);
  });

  it('r on the failed server tries again and shows it failed again, with its error', async () => {
    const events = 'vim.g.mcp_test_broken_changes';
    await nv.lua(`
      vim.g.mcp_test_broken_changes = 0
      vim.api.nvim_create_autocmd("User", { pattern = "McpServerChanged", callback = function(a)
        if a.data.name == "broken" then vim.g.mcp_test_broken_changes = vim.g.mcp_test_broken_changes + 1 end
      end })`);
    await press(nv, serverLine('broken'), 'r');
    await nv.waitFor(`${events} >= 2`, { message: 'broken to go through a restart' });
    const lines = await waitHub(nv, (l) => l.includes('✗ broken  failed  stdio'), 'broken failed again');
    expect(lines[lines.indexOf('✗ broken  failed  stdio') + 1]).toMatch(new RegExp(`^    error: .*${MISSING}`));
  });

  it('q closes the hub window', async () => {
    await press(nv, /^mcp\.nvim/, 'q');
    await nv.waitFor('vim.api.nvim_buf_get_name(0) ~= "mcp://hub"', { message: 'hub closed' });
    expect(await nv.lua('return #vim.api.nvim_tabpage_list_wins(0)')).toBe(1);
  });
});
