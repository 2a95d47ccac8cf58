/**
 * Prompts as a user reaches them (`:Mcp prompt`): arguments from the command line and from the form,
 * completion of argument values (MCP `completion/complete`) on the command line and in the form, the
 * picker, and the messages put into the current buffer or a scratch buffer. Against a real
 * server-everything over stdio.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { waitForm, toField, waitCompletion } from '../helpers/form.js';
import { api, everythingStdio, waitStatus } from '../helpers/mcp.js';

/** Runs an Ex command the way `:` would. */
async function ex(nv: NvimInstance, cmd: string): Promise<void> {
  await nv.nvim.command(cmd);
}

/** Waits until the current buffer's lines `l` satisfy the Lua condition `cond`, and returns them. */
function waitLines(nv: NvimInstance, cond: string): Promise<string[]> {
  return nv.waitFor<string[]>(`local l = vim.api.nvim_buf_get_lines(0, 0, -1, false)\nreturn (${cond}) and l or nil`, { message: `buffer lines: ${cond}` });
}

/** A fresh empty buffer in the only window. */
async function freshBuffer(nv: NvimInstance): Promise<number> {
  return nv.lua<number>(`
    vim.cmd("silent! only")
    vim.cmd("enew!")
    vim.bo.bufhidden = "wipe"
    return vim.api.nvim_get_current_buf()`);
}

describe.each(nvimBinaries())('prompts on nvim $version', ({ bin }) => {
  let nv: NvimInstance;

  beforeAll(async () => {
    nv = await startNvim(bin, { config: { mcpServers: { everything: everythingStdio() } } });
    await nv.lua('require("mcp").servers()');
    await waitStatus(nv, 'everything');
  });
  afterAll(async () => {
    await nv?.quit();
  });
  beforeEach(async () => {
    await nv.nvim.input('<Esc><Esc>');
    await nv.lua(`
      for _, w in ipairs(vim.api.nvim_list_wins()) do
        if vim.api.nvim_win_get_config(w).relative ~= "" then pcall(vim.api.nvim_win_close, w, true) end
      end
      vim.ui.select = _G.__orig_select or vim.ui.select
      _G.__orig_select = vim.ui.select
      _G.__orig_notify = _G.__orig_notify or vim.notify
      vim.notify = _G.__orig_notify`);
    await freshBuffer(nv);
  });

  it('args-prompt: arguments from the command line go into the buffer at the cursor', async () => {
    await nv.lua('vim.api.nvim_buf_set_lines(0, 0, -1, false, { "before", "after" }) vim.api.nvim_win_set_cursor(0, { 1, 0 })');
    await ex(nv, 'Mcp prompt everything/args-prompt city=Paris state=France');
    const lines = await waitLines(nv, '#l > 2');
    expect(lines).toEqual(['before', "What's weather in Paris, France?", 'after']);
    expect(await nv.lua('return vim.api.nvim_win_get_cursor(0)[1]')).toBe(2);
  });

  it('args-prompt: values with spaces, escaped on the command line', async () => {
    await ex(nv, 'Mcp prompt everything/args-prompt city=New\\ York');
    const lines = await waitLines(nv, 'l[1] ~= ""');
    expect(lines).toEqual(["What's weather in New York?"]);
  });

  it('args-prompt: a missing required argument opens the form; its values come from the form', async () => {
    const target = await nv.lua<number>('return vim.api.nvim_get_current_win()');
    await ex(nv, 'Mcp prompt everything/args-prompt state=Texas');
    const lines = await waitForm(nv);
    expect(lines[0]).toBe('# prompt everything/args-prompt');
    expect(lines).toContain('# Arguments Prompt: A prompt with two arguments, one required and one optional');
    expect(lines.some((l) => l.includes('<C-s> or :w submit') && l.includes('q or <C-c> cancel'))).toBe(true);
    expect(lines).toContain('# city (string, required): Name of the city');
    expect(lines).toContain('city: ');
    expect(lines).toContain('# state (string, optional)');
    expect(lines).toContain('state: Texas');
    // The form floats, and the cursor waits on the missing value.
    expect(await nv.lua('return vim.api.nvim_win_get_config(0).relative')).toBe('editor');
    expect(await nv.lua('return vim.api.nvim_get_current_line()')).toBe('city: ');
    // Submitting with the required value empty shows the error beside the field and keeps the form.
    await nv.nvim.input('<C-s>');
    const marks = await nv.waitFor<string[]>(`
      local ns = vim.api.nvim_get_namespaces()["mcp.form.errors"]
      local out = {}
      for _, m in ipairs(vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, { details = true })) do
        out[#out + 1] = vim.api.nvim_buf_get_lines(0, m[2], m[2] + 1, false)[1] .. " |" .. m[4].virt_text[1][1]
      end
      return #out > 0 and out or nil`);
    expect(marks).toEqual(['city:  |  ✗ city: required']);
    expect(await nv.lua('return vim.bo.filetype')).toBe('mcp_form');
    // Typed as a user would: append to the line, leave Insert mode, submit.
    await nv.nvim.input('ALyon<Esc><C-s>');
    await nv.waitFor(`vim.api.nvim_get_current_win() == ${target}`, { message: 'back in the window the prompt was asked from' });
    const out = await waitLines(nv, 'l[1] ~= ""');
    expect(out).toEqual(["What's weather in Lyon, Texas?"]);
  });

  it('the form is cancelled with q and nothing is inserted', async () => {
    await ex(nv, 'Mcp prompt everything/args-prompt');
    await waitForm(nv);
    await nv.nvim.input('<Esc>q');
    await nv.waitFor('vim.bo.filetype ~= "mcp_form"');
    await new Promise((r) => setTimeout(r, 200));
    expect(await nv.bufferLines()).toEqual(['']);
  });

  it(':Mcp! prompt puts the messages into a scratch buffer', async () => {
    await ex(nv, 'Mcp! prompt everything/simple-prompt');
    await nv.waitFor('vim.api.nvim_buf_get_name(0) == "mcp://result/everything/prompt:simple-prompt"');
    expect(await nv.bufferLines()).toEqual(['Prompt everything/simple-prompt', '', '[user]', 'This is a simple prompt without arguments.']);
    // The bang may also follow the subcommand.
    await nv.nvim.command('only');
    await nv.lua('vim.cmd("enew!") vim.bo.bufhidden = "wipe"');
    await ex(nv, 'Mcp prompt! everything/args-prompt city=Oslo');
    await nv.waitFor('vim.api.nvim_buf_get_name(0) == "mcp://result/everything/prompt:args-prompt"');
    expect(await nv.bufferLines()).toEqual(['Prompt everything/args-prompt', '', '[user]', "What's weather in Oslo?"]);
    expect(await nv.lua('return vim.fn.getcompletion("Mcp prompt! everything/s", "cmdline")')).toEqual(['everything/simple-prompt']);
  });

  it('a buffer that is not modifiable gets the scratch buffer instead, with a warning', async () => {
    await nv.lua('vim.bo.modifiable = false _G.__notes = {} vim.notify = function(m, l) table.insert(_G.__notes, { m, l }) end');
    try {
      await ex(nv, 'Mcp prompt everything/simple-prompt');
      await nv.waitFor('vim.api.nvim_buf_get_name(0) == "mcp://result/everything/prompt:simple-prompt"');
      const notes = await nv.lua<[string, number][]>('return _G.__notes');
      expect(notes[0]![0]).toMatch(/^mcp: cannot insert everything\/simple-prompt here \(buffer \d+ is not modifiable\): shown in a scratch buffer instead$/);
    } finally {
      await nv.lua('vim.notify = _G.__orig_notify or vim.notify');
    }
  });

  it('resource-prompt: the embedded text resource is inserted', async () => {
    await ex(nv, 'Mcp prompt everything/resource-prompt resourceType=Text resourceId=1');
    const lines = await waitLines(nv, '#l > 1');
    expect(lines.slice(0, 3)).toEqual([
      'This prompt includes the Text resource with id: 1. Please analyze the following resource:',
      '',
      '[resource] demo://resource/dynamic/text/1  text/plain',
    ]);
    expect(lines[3]).toMatch(/^Resource 1: This is a plaintext resource created at \d/);
    expect(lines).toHaveLength(4);
  });

  it('resource-prompt: an embedded blob is written to a file, never inserted as text', async () => {
    await ex(nv, 'Mcp prompt everything/resource-prompt resourceType=Blob resourceId=2');
    const lines = await waitLines(nv, '#l > 1');
    expect(lines[2]).toBe('[resource] demo://resource/dynamic/blob/2  text/plain');
    const m = /^\[blob text\/plain, (\d+) bytes\] (\/.+\.txt)$/.exec(lines[3]!);
    expect(m, lines[3]).not.toBeNull();
    expect(m![2]!.startsWith(nv.dirs.cache + '/mcp/')).toBe(true);
    const bytes = readFileSync(m![2]!, 'utf8');
    expect(bytes).toMatch(/^Resource 2: This is a base64 blob created at \d/);
    expect(Number(m![1])).toBe(Buffer.byteLength(bytes));
    expect(lines.join('\n')).not.toContain('Resource 2: This is');
  });

  it('the picker lists every prompt with its arguments and descriptions, and runs the one chosen', async () => {
    await nv.lua(`
      vim.ui.select = function(items, opts, on_choice)
        _G.__picked = { prompt = opts.prompt, kind = opts.kind, labels = vim.tbl_map(opts.format_item, items) }
        for _, it in ipairs(items) do if it.name == "args-prompt" then return on_choice(it) end end
      end`);
    await ex(nv, 'Mcp prompt');
    const picked = await nv.waitFor<{ prompt: string; kind: string; labels: string[] }>('_G.__picked');
    const names = await nv.lua<string[]>('return vim.tbl_map(function(p) return p.name end, require("mcp").prompts())');
    expect(picked.labels).toHaveLength(names.length);
    expect(picked.kind).toBe('mcp.prompt');
    expect(picked.labels).toContain(
      'everything/args-prompt  “Arguments Prompt”  — A prompt with two arguments, one required and one optional  (city*: Name of the city; state)',
    );
    expect(picked.labels).toContain(
      'everything/completable-prompt  “Team Management”  — First argument choice narrows values for second argument.  (department*: Choose the department.; name*: Choose a team member to lead the selected department.)',
    );
    // A prompt with arguments chosen from the picker opens the form.
    const lines = await waitForm(nv);
    expect(lines).toContain('city: ');
    await toField(nv, 'city');
    await nv.nvim.input('aOslo<Esc>');
    await toField(nv, 'state');
    await nv.nvim.input('aViken<Esc>:w<CR>');
    const out = await waitLines(nv, 'vim.bo.filetype ~= "mcp_form" and l[1] ~= ""');
    expect(out).toEqual(["What's weather in Oslo, Viken?"]);
  });

  describe('completable-prompt', () => {
    it('completes prompt names, argument names and values on the command line', async () => {
      const prompts = await nv.lua<string[]>('return vim.fn.getcompletion("Mcp prompt ", "cmdline")');
      expect(prompts).toEqual(['everything/simple-prompt', 'everything/args-prompt', 'everything/completable-prompt', 'everything/resource-prompt']);
      expect(await nv.lua('return vim.fn.getcompletion("Mcp prompt everything/comp", "cmdline")')).toEqual(['everything/completable-prompt']);
      expect(await nv.lua('return vim.fn.getcompletion("Mcp prompt everything/completable-prompt ", "cmdline")')).toEqual(['department=', 'name=']);
      expect(await nv.lua('return vim.fn.getcompletion("Mcp prompt everything/completable-prompt department=E", "cmdline")')).toEqual([
        'department=Engineering',
      ]);
      // The values of `name` depend on the department already given (sent as context.arguments).
      expect(await nv.lua('return vim.fn.getcompletion("Mcp prompt everything/completable-prompt department=Engineering name=", "cmdline")')).toEqual([
        'name=Alice',
        'name=Bob',
        'name=Charlie',
      ]);
      expect(await nv.lua('return vim.fn.getcompletion("Mcp prompt everything/completable-prompt department=Sales name=", "cmdline")')).toEqual([
        'name=David',
        'name=Eve',
        'name=Frank',
      ]);
      expect(await nv.lua('return vim.fn.getcompletion("Mcp prompt everything/completable-prompt department=Support name=K", "cmdline")')).toEqual(['name=Kim']);
      expect(await nv.lua('return vim.fn.getcompletion("Mcp prompt everything/completable-prompt department=Engineering ", "cmdline")')).toEqual(['name=']);
    });

    it('<Tab> on the command line completes a value, and the prompt runs with it', async () => {
      await nv.nvim.input(':Mcp prompt everything/completable-prompt department=Mar<Tab>');
      await nv.waitFor('vim.fn.getcmdline() == "Mcp prompt everything/completable-prompt department=Marketing"', { message: 'cmdline completed' });
      await nv.nvim.input(' name=Ir<Tab>');
      await nv.waitFor('vim.fn.getcmdline():match("name=Iris$") ~= nil', { message: 'cmdline completed name' });
      await nv.nvim.input('<CR>');
      const out = await waitLines(nv, 'l[1] ~= ""');
      expect(out).toEqual(['Please promote Iris to the head of the Marketing team.']);
    });

    it('completes values in the form with <C-x><C-o>, passing the filled department as context', async () => {
      await ex(nv, 'Mcp prompt everything/completable-prompt');
      const lines = await waitForm(nv);
      expect(lines).toContain('# department (string, required): Choose the department.');
      expect(lines).toContain('# name (string, required): Choose a team member to lead the selected department.');
      await toField(nv, 'department');
      await nv.nvim.input('aE<C-x><C-o>');
      expect(await waitCompletion(nv)).toEqual(['Engineering']);
      await nv.lua('vim.api.nvim_select_popupmenu_item(0, true, true, {})');
      await nv.nvim.input('<Esc>');
      await nv.waitFor('vim.fn.mode() == "n"');
      expect(await nv.lua('return vim.api.nvim_get_current_line()')).toBe('department: Engineering');
      await toField(nv, 'name');
      await nv.nvim.input('a<C-x><C-o>');
      expect(await waitCompletion(nv)).toEqual(['Alice', 'Bob', 'Charlie']);
      await nv.nvim.input('<C-e><Esc>');
      // Another department, other names.
      await toField(nv, 'department');
      await nv.nvim.input('<Esc>0f:lDaSupport<Esc>');
      await toField(nv, 'name');
      await nv.nvim.input('a<C-x><C-o>');
      expect(await waitCompletion(nv)).toEqual(['John', 'Kim', 'Lee']);
      await nv.lua('vim.api.nvim_select_popupmenu_item(1, true, true, {})');
      await nv.nvim.input('<Esc><C-s>');
      const out = await waitLines(nv, 'vim.bo.filetype ~= "mcp_form" and l[1] ~= ""');
      expect(out).toEqual(['Please promote Kim to the head of the Support team.']);
    });

    it('completes through the Lua API with the context', async () => {
      const r = await api<{ completion: { values: string[] } }>(
        nv,
        'function(cb) require("mcp").complete("everything", { type = "ref/prompt", name = "completable-prompt" }, { name = "name", value = "" }, { arguments = { department = "Marketing" } }, cb) end',
      );
      expect(r.err).toBeNull();
      expect(r.result!.completion.values).toEqual(['Grace', 'Henry', 'Iris']);
    });
  });

  it('renders prompt messages to lines for other plugins (prompt_lines)', async () => {
    const r = await api<{ lines: string[] }>(
      nv,
      `function(cb) require("mcp").get_prompt("everything", "args-prompt", { city = "Rome" }, function(err, res)
         cb(err, err == nil and { lines = require("mcp").prompt_lines(res) } or nil)
       end) end`,
    );
    expect(r.err).toBeNull();
    expect(r.result!.lines).toEqual(["What's weather in Rome?"]);
    const roles = await nv.lua<string[]>(
      'return require("mcp").prompt_lines({ messages = { { role = "user", content = { type = "text", text = "hi" } }, { role = "assistant", content = { type = "text", text = "a\\nb" } } } })',
    );
    expect(roles).toEqual(['[user]', 'hi', '', '[assistant]', 'a', 'b']);
  });

  it('reports an unknown argument and an unknown prompt by name', async () => {
    await nv.lua('_G.__notes = {} vim.notify = function(m, l) table.insert(_G.__notes, m) end');
    await ex(nv, 'Mcp prompt everything/args-prompt town=Rome');
    await ex(nv, 'Mcp prompt everything/nope');
    const notes = await nv.lua<string[]>('return _G.__notes');
    expect(notes).toEqual([
      'mcp: prompt everything/args-prompt has no argument "town" (arguments: city, state)',
      'mcp: prompt everything/nope: everything has no prompt named "nope"',
    ]);
  });

  it('left no Vim or Lua error behind', async () => {
    const errmsg = await nv.lua<string>('return vim.v.errmsg');
    expect(errmsg).not.toMatch(/^E\d+:/);
    expect(await nv.lua<string>('return vim.fn.execute("messages")')).not.toMatch(/stack traceback|E\d{3,4}:/);
  });
});
