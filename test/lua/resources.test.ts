/**
 * Resources as a user reaches them (`:Mcp resource`): the picker over resources and resource templates,
 * template variables through the form (with completion), the actions (insert at the cursor, open as an
 * `mcp://` buffer, yank into a register), binary contents written to files, the size limit, and live
 * `mcp://` buffers refreshed by subscription updates. Against a real server-everything over stdio.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { waitForm, waitCompletion } from '../helpers/form.js';
import { api, callTool, everythingStdio, hostPid, waitStatus } from '../helpers/mcp.js';

interface Resource {
  uri: string;
  name: string;
  mimeType?: string;
  description?: string;
}
interface Template {
  uriTemplate: string;
  name: string;
  mimeType?: string;
  description?: string;
}

async function ex(nv: NvimInstance, cmd: string): Promise<void> {
  await nv.nvim.command(cmd);
}

function waitLines(nv: NvimInstance, cond: string, timeoutMs = 10_000): Promise<string[]> {
  return nv.waitFor<string[]>(`local l = vim.api.nvim_buf_get_lines(0, 0, -1, false)\nreturn (${cond}) and l or nil`, {
    message: `buffer lines: ${cond}`,
    timeoutMs,
  });
}

/** The text of a resource as the server gives it (through the Lua API), split into lines as a file is. */
async function serverText(nv: NvimInstance, uri: string): Promise<{ lines: string[]; mimeType: string }> {
  const r = await api<{ contents: { text?: string; mimeType: string }[] }>(
    nv,
    `function(cb) require("mcp").read_resource("everything", ${JSON.stringify(uri)}, cb) end`,
  );
  expect(r.err).toBeNull();
  expect(r.result!.contents).toHaveLength(1);
  const text = r.result!.contents[0]!.text!;
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return { lines, mimeType: r.result!.contents[0]!.mimeType };
}

/**
 * Replaces vim.ui.select with a stub that records what it was shown and answers with the first item whose
 * label (format_item) matches one of `answers`, in turn (one answer per call).
 */
async function stubSelect(nv: NvimInstance, answers: string[]): Promise<void> {
  await nv.lua(
    `local answers = ...
     _G.__shown = {}
     vim.ui.select = function(items, opts, on_choice)
       local fmt = opts.format_item or tostring
       local labels = vim.tbl_map(fmt, items)
       table.insert(_G.__shown, { prompt = opts.prompt, kind = opts.kind, labels = labels })
       local want = table.remove(answers, 1)
       for i, l in ipairs(labels) do
         if want and l:find(want, 1, true) then return on_choice(items[i], i) end
       end
       on_choice(nil, nil)
     end`,
    answers,
  );
}

function shown(nv: NvimInstance): Promise<{ prompt: string; kind: string; labels: string[] }[]> {
  return nv.lua('return _G.__shown');
}

describe.each(nvimBinaries())('resources on nvim $version', ({ bin }) => {
  let nv: NvimInstance;
  let resources: Resource[];
  let templates: Template[];

  beforeAll(async () => {
    nv = await startNvim(bin, { config: { mcpServers: { everything: everythingStdio() } } });
    await nv.lua('require("mcp").servers()');
    await waitStatus(nv, 'everything');
    resources = await nv.lua<Resource[]>('return require("mcp").resources("everything")');
    templates = await nv.lua<Template[]>('return require("mcp").resource_templates("everything")');
    expect(resources.length).toBeGreaterThan(0);
    expect(templates.map((t) => t.uriTemplate).sort()).toEqual([
      'demo://resource/dynamic/blob/{resourceId}',
      'demo://resource/dynamic/text/{resourceId}',
    ]);
    await nv.lua('_G.__orig_select = vim.ui.select _G.__orig_notify = vim.notify');
  });
  afterAll(async () => {
    await nv?.quit();
  });
  beforeEach(async () => {
    await nv.nvim.input('<Esc><Esc>');
    await nv.lua(`
      vim.ui.select = _G.__orig_select
      vim.notify = _G.__orig_notify
      for _, w in ipairs(vim.api.nvim_list_wins()) do
        if vim.api.nvim_win_get_config(w).relative ~= "" then pcall(vim.api.nvim_win_close, w, true) end
      end
      vim.cmd("silent! only")
      vim.cmd("enew!")
      vim.bo.bufhidden = "wipe"`);
  });

  it('the picker shows every resource and template: name, URI, MIME type, description, server', async () => {
    await stubSelect(nv, []);
    await ex(nv, 'Mcp resource');
    const [menu] = await shown(nv);
    expect(menu!.kind).toBe('mcp.resource');
    expect(menu!.labels).toHaveLength(resources.length + templates.length);
    for (const r of resources) {
      expect(menu!.labels).toContain(`${r.name}  ${r.uri}  ${r.mimeType}  — ${r.description}  [everything]`);
    }
    for (const t of templates) {
      expect(menu!.labels).toContain(`${t.name}  ${t.uriTemplate}  template  ${t.mimeType}  — ${t.description}  [everything]`);
    }
  });

  it('opens every static resource as an mcp:// buffer with the server\'s text and a filetype', async () => {
    for (const r of resources) {
      const want = await serverText(nv, r.uri);
      await ex(nv, `Mcp resource open everything ${r.uri}`);
      await nv.waitFor('vim.b.mcp_reads == 1', { message: `${r.uri} read` });
      expect(await nv.lua('return vim.api.nvim_buf_get_name(0)')).toBe(`mcp://everything/${r.uri}`);
      expect(await nv.bufferLines()).toEqual(want.lines);
      expect(await nv.lua('return vim.bo.filetype')).toBe(r.uri.endsWith('.md') ? 'markdown' : 'text');
      expect(await nv.lua('return vim.bo.modified')).toBe(false);
    }
  });

  it('reads a resource buffer with :edit too (BufReadCmd), and leaves the plugin\'s own buffers alone', async () => {
    const r = resources[0]!;
    const want = await serverText(nv, r.uri);
    const name = `mcp://everything/${r.uri}`;
    // A new buffer: wipe the one an earlier test may have left.
    await nv.lua('local b = vim.fn.bufnr(...) if b > 0 then vim.api.nvim_buf_delete(b, { force = true }) end', `^${name}$`);
    expect(await nv.lua('return vim.fn.bufnr(...)', `^${name}$`)).toBe(-1);
    await ex(nv, `edit ${await nv.lua<string>('return vim.fn.fnameescape(...)', name)}`);
    await nv.waitFor(`vim.api.nvim_buf_get_name(0) == ${JSON.stringify(name)} and vim.b.mcp_reads == 1`);
    expect(await nv.bufferLines()).toEqual(want.lines);
    await ex(nv, 'Mcp');
    await nv.waitFor('vim.api.nvim_buf_get_name(0) == "mcp://hub"');
    expect(await nv.lua('return vim.b.mcp_resource')).toBeNull();
    await ex(nv, 'only');
  });

  it(':read inserts a resource below the cursor; :w refuses to write one; :e! reads it again', async () => {
    const r = resources.find((x) => x.name === 'extension.md')!;
    const want = await serverText(nv, r.uri);
    await nv.lua('vim.api.nvim_buf_set_lines(0, 0, -1, false, { "a", "b" }) vim.api.nvim_win_set_cursor(0, { 1, 0 })');
    await ex(nv, `read mcp://everything/${r.uri}`);
    expect(await waitLines(nv, '#l > 2')).toEqual(['a', ...want.lines, 'b']);

    await nv.lua('vim.bo.modified = false');
    await ex(nv, `edit mcp://everything/${r.uri}`);
    await nv.waitFor('vim.b.mcp_reads ~= nil and vim.b.mcp_reads >= 1');
    const reads = await nv.lua<number>('return vim.b.mcp_reads');
    await nv.lua('vim.api.nvim_buf_set_lines(0, 0, 1, false, { "edited" })');
    await expect(ex(nv, 'write')).rejects.toThrow(/MCP resources are read-only: write a copy with :w \{file\}/);
    expect(await nv.lua('return vim.bo.modified')).toBe(true);
    await ex(nv, 'edit!');
    await nv.waitFor(`vim.b.mcp_reads == ${reads + 1}`);
    expect(await nv.bufferLines()).toEqual(want.lines);
    expect(await nv.lua('return { vim.bo.modified, vim.bo.buftype, vim.bo.filetype }')).toEqual([false, 'acwrite', 'markdown']);
  });

  it('inserts a resource at the cursor', async () => {
    const r = resources.find((x) => x.name === 'features.md')!;
    const want = await serverText(nv, r.uri);
    await nv.lua('vim.api.nvim_buf_set_lines(0, 0, -1, false, { "top", "bottom" }) vim.api.nvim_win_set_cursor(0, { 1, 0 })');
    await stubSelect(nv, ['features.md', 'Insert at the cursor']);
    await ex(nv, 'Mcp resource');
    const lines = await waitLines(nv, '#l > 2');
    expect(lines).toEqual(['top', ...want.lines, 'bottom']);
    const menus = await shown(nv);
    expect(menus[1]).toEqual({
      prompt: 'Resource action',
      kind: 'mcp.resource_action',
      labels: ['Insert at the cursor', 'Open as a buffer (mcp://…)', 'Yank into a register'],
    });
  });

  it('yanks a resource into a register', async () => {
    const r = resources.find((x) => x.name === 'startup.md')!;
    const want = await serverText(nv, r.uri);
    await ex(nv, `Mcp resource yank a everything ${r.uri}`);
    const reg = await nv.waitFor<string>('vim.fn.getreg("a") ~= "" and vim.fn.getreg("a")');
    expect(reg).toBe(want.lines.join('\n') + '\n');
    expect(await nv.lua('return vim.fn.getregtype("a")')).toBe('V');
    await ex(nv, `Mcp resource yank everything ${r.uri}`);
    expect(await nv.waitFor<string>('vim.fn.getreg(\'"\') ~= "" and vim.fn.getreg(\'"\')')).toBe(want.lines.join('\n') + '\n');
  });

  it('expands and reads the text template: variables from the form, with completion through ref/resource', async () => {
    await stubSelect(nv, ['Dynamic Text Resource', 'Insert at the cursor']);
    await ex(nv, 'Mcp resource');
    const form = await waitForm(nv);
    expect(form[0]).toBe('# template everything/Dynamic Text Resource');
    expect(form).toContain('# demo://resource/dynamic/text/{resourceId}');
    expect(form).toContain('# resourceId (string, required)');
    expect(await nv.lua('return vim.api.nvim_get_current_line()')).toBe('resourceId: ');
    await nv.nvim.input('a42<C-x><C-o>');
    expect(await waitCompletion(nv)).toEqual(['42']);
    await nv.nvim.input('<C-e><Esc><C-s>');
    const lines = await waitLines(nv, 'vim.bo.filetype ~= "mcp_form" and l[1] ~= ""');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Resource 42: This is a plaintext resource created at \d/);
  });

  it('expands and reads the blob template: the contents go to a file, never into the buffer as text', async () => {
    await stubSelect(nv, ['Dynamic Blob Resource', 'Insert at the cursor']);
    await ex(nv, 'Mcp resource');
    await waitForm(nv);
    await nv.nvim.input('a7<Esc>:w<CR>');
    const lines = await waitLines(nv, 'vim.bo.filetype ~= "mcp_form" and l[1] ~= ""');
    expect(lines).toHaveLength(1);
    const m = /^\[blob text\/plain, (\d+) bytes\] (\/\S+)$/.exec(lines[0]!);
    expect(m, lines[0]).not.toBeNull();
    expect(m![2]!.startsWith(nv.dirs.cache + '/mcp/')).toBe(true);
    expect(readFileSync(m![2]!, 'utf8')).toMatch(/^Resource 7: This is a base64 blob created at \d/);
  });

  it('opens both templates as mcp:// buffers once expanded; a binary one shows the file it was written to', async () => {
    await ex(nv, 'Mcp resource open everything demo://resource/dynamic/text/{resourceId}');
    await waitForm(nv);
    await nv.nvim.input('a5<Esc><C-s>');
    await nv.waitFor('vim.api.nvim_buf_get_name(0) == "mcp://everything/demo://resource/dynamic/text/5" and vim.b.mcp_reads == 1');
    expect(await nv.lua('return vim.api.nvim_buf_get_name(0)')).toBe('mcp://everything/demo://resource/dynamic/text/5');
    expect((await nv.bufferLines())[0]).toMatch(/^Resource 5: This is a plaintext resource created at/);
    expect(await nv.lua('return vim.bo.filetype')).toBe('text');

    await ex(nv, 'Mcp resource open everything demo://resource/dynamic/blob/{resourceId}');
    await waitForm(nv);
    await nv.nvim.input('a6<Esc><C-s>');
    await nv.waitFor('vim.api.nvim_buf_get_name(0) == "mcp://everything/demo://resource/dynamic/blob/6" and vim.b.mcp_reads == 1');
    expect(await nv.lua('return vim.api.nvim_buf_get_name(0)')).toBe('mcp://everything/demo://resource/dynamic/blob/6');
    const lines = await nv.bufferLines();
    const m = /^\[blob text\/plain, \d+ bytes\] (\/\S+)$/.exec(lines[0]!);
    expect(m, lines[0]).not.toBeNull();
    expect(readFileSync(m![1]!, 'utf8')).toMatch(/^Resource 6: This is a base64 blob/);
  });

  it('expands templates through the Lua API (RFC 6570)', async () => {
    const r = await api<{ uri: string }>(
      nv,
      'function(cb) require("mcp").expand_template("demo://resource/dynamic/text/{resourceId}", { resourceId = "12" }, cb) end',
    );
    expect(r).toEqual({ err: null, result: { uri: 'demo://resource/dynamic/text/12' } });
    const q = await api<{ uri: string }>(nv, 'function(cb) require("mcp").expand_template("file:///{+path}{?q,lang}", { path = "a/b c", q = "x y" }, cb) end');
    expect(q.result).toEqual({ uri: 'file:///a/b%20c?q=x%20y' });
  });

  it('asks before inserting a resource larger than resource_max_bytes', async () => {
    const r = resources.find((x) => x.name === 'architecture.md')!;
    const want = await serverText(nv, r.uri);
    const pid = await hostPid(nv);
    await nv.lua('require("mcp").setup({ resource_max_bytes = 100 })');
    // A Neovim-side option: the host keeps running.
    expect(await nv.lua('return require("mcp.host").info().pid')).toBe(pid);
    try {
      await stubSelect(nv, ['No']);
      await ex(nv, `Mcp resource insert everything ${r.uri}`);
      const menus = await nv.waitFor<{ prompt: string; labels: string[] }[]>('#_G.__shown > 0 and _G.__shown');
      expect(menus[0]!.labels).toEqual(['Yes', 'No']);
      expect(menus[0]!.prompt).toMatch(/^everything demo:\/\/resource\/static\/document\/architecture\.md is [\d.]+ KiB, more than the limit of 100 B \(resource_max_bytes\)\. Insert it anyway\?$/);
      await new Promise((res) => setTimeout(res, 200));
      expect(await nv.bufferLines()).toEqual(['']);
      await stubSelect(nv, ['Yes']);
      await ex(nv, `Mcp resource insert everything ${r.uri}`);
      expect(await waitLines(nv, 'l[1] ~= ""')).toEqual(want.lines);
    } finally {
      await nv.lua('require("mcp").setup({})');
    }
  });

  it('keeps an mcp:// buffer live: a subscription update reloads it, keeping the cursor', async () => {
    const uri = 'demo://resource/dynamic/text/1';
    await ex(nv, `Mcp resource open everything ${uri}`);
    await nv.waitFor('vim.b.mcp_reads == 1 and vim.b.mcp_subscribed == true', { message: 'read and subscribed' });
    const first = (await nv.bufferLines())[0]!;
    expect(first).toMatch(/^Resource 1: This is a plaintext resource created at/);
    await nv.lua('vim.api.nvim_win_set_cursor(0, { 1, 9 })');
    // server-everything's toggle-subscriber-updates sends notifications/resources/updated for every
    // subscribed URI at once and then every 5 s; the text carries the time, to the second.
    const on = await callTool(nv, 'everything', 'toggle-subscriber-updates');
    expect(on.err).toBeNull();
    expect(on.result!.content[0]!.text).toMatch(/^Started simulated resource updated notifications/);
    try {
      await nv.waitFor('vim.b.mcp_reads >= 2', { message: 'reloaded after an update' });
      const changed = await waitLines(nv, `l[1] ~= ${JSON.stringify(first)}`, 15_000);
      expect(changed[0]).toMatch(/^Resource 1: This is a plaintext resource created at/);
      expect(await nv.lua('return vim.api.nvim_win_get_cursor(0)')).toEqual([1, 9]);
      expect(await nv.lua('return vim.bo.modified')).toBe(false);

      // Unsaved edits are never clobbered: the update is announced instead.
      await nv.lua('_G.__notes = {} vim.notify = function(m, l) table.insert(_G.__notes, { m, l }) end');
      await nv.lua('vim.api.nvim_buf_set_lines(0, 0, -1, false, { "my edit" })');
      const reads = await nv.lua<number>('return vim.b.mcp_reads');
      const notes = await nv.waitFor<[string, number][]>('#_G.__notes > 0 and _G.__notes', { timeoutMs: 15_000 });
      expect(notes[0]![0]).toBe(`mcp: ${uri} changed on everything, but its buffer has unsaved edits: not reloaded (:e! reloads it)`);
      expect(notes[0]![1]).toBe(await nv.lua('return vim.log.levels.WARN'));
      expect(await nv.bufferLines()).toEqual(['my edit']);
      expect(await nv.lua('return vim.b.mcp_reads')).toBe(reads);

      // Wiping the buffer unsubscribes.
      const subscribed = (uri: string) =>
        nv.lua<boolean>('for _, s in ipairs(require("mcp.resources.buffers").subscriptions()) do if s.uri == ... then return true end end return false', uri);
      expect(await subscribed(uri)).toBe(true);
      const buf = await nv.lua<number>('return vim.api.nvim_get_current_buf()');
      await ex(nv, 'bwipeout!');
      expect(await nv.lua('return require("mcp.resources.buffers").buffers()[...] == nil', buf)).toBe(true);
      expect(await subscribed(uri)).toBe(false);
    } finally {
      const off = await callTool(nv, 'everything', 'toggle-subscriber-updates');
      expect(off.result!.content[0]!.text).toMatch(/^Stopped simulated resource updates/);
    }
  });

  it('left no Vim or Lua error behind', async () => {
    const errmsg = await nv.lua<string>('return vim.v.errmsg');
    expect(errmsg).not.toMatch(/^E\d+:/);
    expect(await nv.lua<string>('return vim.fn.execute("messages")')).not.toMatch(/stack traceback|E\d{3,4}:/);
  });
});
