/**
 * The form (`lua/mcp/ui/form.lua`) as a user fills it: opened by `:Mcp call {server} {tool}` without JSON
 * from a real server-everything tool's `inputSchema`, and directly from a schema through the Lua module.
 * Fields show name, title, type, required, default, choices and description; values typed as text convert
 * to the schema's types; errors show beside the field; keys submit and cancel.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nvimBinaries, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { waitForm, toField, waitCompletion } from '../helpers/form.js';
import { everythingStdio, waitStatus } from '../helpers/mcp.js';

/** The error messages shown beside lines of the current form: `{line} |{message}`. */
function errorMarks(nv: NvimInstance): Promise<string[]> {
  return nv.lua<string[]>(`
    local ns = vim.api.nvim_get_namespaces()["mcp.form.errors"]
    local out = {}
    for _, m in ipairs(vim.api.nvim_buf_get_extmarks(0, ns, 0, -1, { details = true })) do
      out[#out + 1] = vim.api.nvim_buf_get_lines(0, m[2], m[2] + 1, false)[1] .. " |" .. m[4].virt_text[1][1]
    end
    return out`);
}

/** Lines of the result buffer of a tool, once it has some. */
function resultLines(nv: NvimInstance, server: string, tool: string): Promise<string[]> {
  return nv.waitFor<string[]>(
    `local name = ...
     for _, b in ipairs(vim.api.nvim_list_bufs()) do
       if vim.api.nvim_buf_get_name(b) == name then
         local l = vim.api.nvim_buf_get_lines(b, 0, -1, false)
         if #l > 1 then return l end
       end
     end
     return nil`.replace('...', JSON.stringify(`mcp://result/${server}/${tool}`)),
    { message: `result of ${server}/${tool}` },
  );
}

/** Opens a form from a schema in Lua; its outcome lands in `_G.__form_out`. */
async function openForm(nv: NvimInstance, spec: Record<string, unknown>): Promise<void> {
  await nv.lua(
    `local spec = vim.json.decode(...)
     _G.__form_out = nil
     spec.on_submit = function(values) _G.__form_out = { submitted = values } end
     spec.on_cancel = function() _G.__form_out = { cancelled = true } end
     require("mcp.ui.form").open(spec)`,
    JSON.stringify(spec),
  );
  await waitForm(nv);
}

describe.each(nvimBinaries())('form on nvim $version', ({ bin }) => {
  let nv: NvimInstance;

  beforeAll(async () => {
    nv = await startNvim(bin, { config: { mcpServers: { everything: everythingStdio() } } });
    await nv.lua('require("mcp").servers()');
    await waitStatus(nv, 'everything');
    await nv.lua('_G.__orig_notify = vim.notify');
  });
  afterAll(async () => {
    await nv?.quit();
  });
  beforeEach(async () => {
    await nv.nvim.input('<Esc><Esc>');
    await nv.lua(`
      vim.notify = _G.__orig_notify
      for _, w in ipairs(vim.api.nvim_list_wins()) do
        if vim.api.nvim_win_get_config(w).relative ~= "" then pcall(vim.api.nvim_win_close, w, true) end
      end
      vim.cmd("silent! only")
      vim.cmd("enew!")`);
  });

  it(':Mcp call {server} {tool} without JSON opens the form from the inputSchema; typed numbers are numbers', async () => {
    await nv.nvim.command('Mcp call everything get-sum');
    const lines = await waitForm(nv);
    expect(lines).toEqual([
      '# tool everything/get-sum',
      '# Get Sum Tool: Returns the sum of two numbers',
      '# <C-s> or :w submit · q or <C-c> cancel · <C-x><C-o> complete · <Tab> next field',
      '',
      '# a (number, required): First number',
      'a: ',
      '',
      '# b (number, required): Second number',
      'b: ',
    ]);
    const win = await nv.lua<{ relative: string; title: unknown }>('local c = vim.api.nvim_win_get_config(0) return { relative = c.relative, title = c.title }');
    expect(win.relative).toBe('editor');
    expect(JSON.stringify(win.title)).toContain('tool everything/get-sum');
    expect(await nv.lua('return vim.api.nvim_get_current_line()')).toBe('a: ');
    // Typed the Neovim way: append, then <Tab> to the next field (in Insert mode), type, submit.
    await nv.nvim.input('a2<Tab>3.5<C-s>');
    const out = await resultLines(nv, 'everything', 'get-sum');
    expect(out).toEqual(['Result of everything/get-sum', '', 'The sum of 2 and 3.5 is 5.5.']);
    expect(await nv.lua('return vim.fn.mode()')).toBe('n');
  });

  it('shows what does not convert beside the field, naming it, and keeps the form open until it does', async () => {
    await nv.nvim.command('Mcp call everything get-sum');
    await waitForm(nv);
    await nv.lua('_G.__notes = {} vim.notify = function(m) table.insert(_G.__notes, m) end');
    await toField(nv, 'a');
    await nv.nvim.input('atwo<Esc>');
    // Wrong values are flagged as soon as they are typed; missing ones once a submit was tried.
    await nv.waitFor('#vim.api.nvim_buf_get_extmarks(0, vim.api.nvim_get_namespaces()["mcp.form.errors"], 0, -1, {}) > 0');
    expect(await errorMarks(nv)).toEqual(['a: two |  ✗ a: expected a number, got two']);
    await nv.nvim.input('<C-s>');
    await nv.waitFor('#_G.__notes > 0');
    expect(await nv.lua('return _G.__notes')).toEqual(['mcp: a: expected a number, got two; b: required']);
    expect(await errorMarks(nv)).toEqual(['a: two |  ✗ a: expected a number, got two', 'b:  |  ✗ b: required']);
    expect(await nv.lua('return vim.bo.filetype')).toBe('mcp_form');
    await toField(nv, 'a');
    await nv.nvim.input('0f:C: -4<Esc>');
    await toField(nv, 'b');
    await nv.nvim.input('a10<Esc>');
    await nv.waitFor('vim.api.nvim_get_current_line() == "b: 10"');
    expect(await errorMarks(nv)).toEqual([]);
    await nv.nvim.input(':w<CR>');
    expect(await resultLines(nv, 'everything', 'get-sum')).toEqual(['Result of everything/get-sum', '', 'The sum of -4 and 10 is 6.']);
  });

  it('shows choices, defaults and booleans; completes choices; rejects a value that is not one of them', async () => {
    await nv.nvim.command('Mcp call everything get-annotated-message');
    const lines = await waitForm(nv);
    expect(lines.slice(3)).toEqual([
      '',
      '# messageType (string, required): Type of message to demonstrate different annotation patterns',
      '#   one of: error | success | debug',
      'messageType: ',
      '',
      '# includeImage (boolean, optional, default false): Whether to include an example image',
      'includeImage: false',
    ]);
    await nv.nvim.input('a<C-x><C-o>');
    expect(await waitCompletion(nv)).toEqual(['error', 'success', 'debug']);
    await nv.nvim.input('<C-e>warning<Esc>');
    await nv.waitFor('#vim.api.nvim_buf_get_extmarks(0, vim.api.nvim_get_namespaces()["mcp.form.errors"], 0, -1, {}) > 0');
    expect(await errorMarks(nv)).toEqual(['messageType: warning |  ✗ messageType: must be one of error | success | debug']);
    await nv.nvim.input('0f:C: su<C-x><C-o>');
    expect(await waitCompletion(nv)).toEqual(['success']);
    await nv.lua('vim.api.nvim_select_popupmenu_item(0, true, true, {})');
    await nv.nvim.input('<Esc>');
    await toField(nv, 'includeImage');
    await nv.nvim.input('0f:C: <C-x><C-o>');
    expect(await waitCompletion(nv)).toEqual(['true', 'false']);
    await nv.nvim.input('<C-e>maybe<Esc><C-s>');
    await nv.waitFor('#vim.api.nvim_buf_get_extmarks(0, vim.api.nvim_get_namespaces()["mcp.form.errors"], 0, -1, {}) > 0');
    expect(await errorMarks(nv)).toEqual(['includeImage: maybe |  ✗ includeImage: expected true or false, got maybe']);
    await nv.nvim.input('0f:C: false<Esc><C-s>');
    const out = await resultLines(nv, 'everything', 'get-annotated-message');
    expect(out).toContain('Operation completed successfully');
  });

  it('calls a tool without arguments at once, without a form', async () => {
    await nv.nvim.command('Mcp call everything get-tiny-image');
    const out = await resultLines(nv, 'everything', 'get-tiny-image');
    expect(out[0]).toBe('Result of everything/get-tiny-image');
    expect(await nv.lua('return require("mcp.ui.form").get() == nil')).toBe(true);
  });

  it('converts every JSON type from text, and names the field when it cannot', async () => {
    const schema = {
      properties: {
        count: { type: 'integer', minimum: 1, description: 'How many' },
        ratio: { type: 'number' },
        flag: { type: 'boolean' },
        tags: { type: 'array', items: { type: 'string' } },
        ids: { type: 'array', items: { type: 'integer' } },
        meta: { type: 'object' },
        color: { type: 'string', oneOf: [{ const: 'r', title: 'Red' }, { const: 'g', title: 'Green' }] },
        note: { type: 'string', title: 'Note' },
        anything: {},
        maybe: { type: ['number', 'null'] },
      },
      required: ['count', 'color'],
    };
    await openForm(nv, { title: 'types', schema, values: { note: 'line one\nline two' } });
    const lines = await nv.bufferLines();
    expect(lines).toContain('# count (integer, required): How many');
    expect(lines).toContain('# color (string, required)');
    expect(lines).toContain('#   one of: r (Red) | g (Green)');
    expect(lines).toContain('# note “Note” (string, optional)');
    expect(lines).toContain('# anything (any type, optional)');
    expect(lines).toContain('# maybe (number, optional)');
    // The note's second line continues its value.
    const note = lines.indexOf('note: line one');
    expect(lines[note + 1]).toBe('line two');

    const set = (name: string, value: string) =>
      nv.lua(
        `local name, value = ...
         local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
         for i, l in ipairs(lines) do
           if l:sub(1, #name + 1) == name .. ":" then vim.api.nvim_buf_set_lines(0, i - 1, i, false, { name .. ": " .. value }) return end
         end
         error("no field " .. name)`,
        name,
        value,
      );
    await set('count', '2.5');
    await set('ratio', 'abc');
    await set('flag', 'yes');
    await set('tags', '[1, 2');
    await set('ids', 'x, y');
    await set('meta', '[1]');
    await set('color', 'blue');
    await nv.lua('_G.__notes = {} vim.notify = function(m) table.insert(_G.__notes, m) end');
    expect(await nv.lua('return require("mcp.ui.form").submit()')).toBe(false);
    expect(await errorMarks(nv)).toEqual([
      'count: 2.5 |  ✗ count: expected an integer, got 2.5',
      'color: blue |  ✗ color: must be one of r (Red) | g (Green)',
      'flag: yes |  ✗ flag: expected true or false, got yes',
      'ids: x, y |  ✗ ids: expected a JSON array like ["a", "b"], got x, y',
      'meta: [1] |  ✗ meta: expected a JSON object like {"key": "value"}, got [1]',
      'ratio: abc |  ✗ ratio: expected a number, got abc',
      'tags: [1, 2 |  ✗ tags: expected a JSON array like ["a", "b"], got [1, 2',
    ]);
    await set('count', '0');
    expect(await nv.lua('return require("mcp.ui.form").submit()')).toBe(false);
    expect((await errorMarks(nv))[0]).toBe('count: 0 |  ✗ count: must be at least 1');

    await set('count', '3');
    await set('ratio', '-0.25');
    await set('flag', 'TRUE');
    await set('tags', 'a, b c, d');
    await set('ids', '[1, 2]');
    await set('meta', '{"k": [true, null]}');
    await set('color', 'g');
    await set('anything', '{"x": 1}');
    await set('maybe', '');
    expect(await nv.lua('return require("mcp.ui.form").submit()')).toBe(true);
    const out = await nv.lua<{ submitted: Record<string, unknown> }>('return _G.__form_out');
    expect(out.submitted).toEqual({
      count: 3,
      ratio: -0.25,
      flag: true,
      tags: ['a', 'b c', 'd'],
      ids: [1, 2],
      meta: { k: [true, null] },
      color: 'g',
      note: 'line one\nline two',
      anything: { x: 1 },
    });
    expect(await nv.lua('return vim.bo.filetype')).not.toBe('mcp_form');
  });

  it('shows defaults and initial values the way it reads them back', async () => {
    await openForm(nv, {
      title: 'defaults',
      schema: {
        properties: {
          tags: { type: 'array', items: { type: 'string' }, default: ['x', 'y z'] },
          nums: { type: 'array', default: [1, 2] },
          opts: { type: 'object', default: { a: true } },
          n: { type: 'integer', default: 7 },
        },
      },
      values: { n: 8 },
    });
    const lines = await nv.bufferLines();
    expect(lines).toContain('# tags (array, optional, default ["x","y z"])');
    expect(lines).toContain('tags: x, y z');
    expect(lines).toContain('nums: [1,2]');
    expect(lines).toContain('opts: {"a":true}');
    expect(lines).toContain('n: 8');
    expect(await nv.lua('return require("mcp.ui.form").submit()')).toBe(true);
    expect(await nv.lua('return _G.__form_out')).toEqual({ submitted: { tags: ['x', 'y z'], nums: [1, 2], opts: { a: true }, n: 8 } });
  });

  it('takes prompt arguments (a list of strings); <Tab> goes from field to field', async () => {
    await openForm(nv, {
      title: 'prompt args',
      arguments: [
        { name: 'first', description: 'The first', required: true },
        { name: 'second' },
      ],
    });
    expect(await nv.bufferLines()).toEqual([
      '# prompt args',
      '# <C-s> or :w submit · q or <C-c> cancel · <C-x><C-o> complete · <Tab> next field',
      '',
      '# first (string, required): The first',
      'first: ',
      '',
      '# second (string, optional)',
      'second: ',
    ]);
    await nv.nvim.input('<Tab>');
    await nv.waitFor('vim.api.nvim_get_current_line() == "second: "');
    await nv.nvim.input('<S-Tab>');
    await nv.waitFor('vim.api.nvim_get_current_line() == "first: "');
    await nv.nvim.input('a 42 <Esc><C-s>');
    await nv.waitFor('_G.__form_out');
    // Strings are kept as typed (after the one space that follows the colon).
    expect(await nv.lua('return _G.__form_out')).toEqual({ submitted: { first: ' 42 ' } });
  });

  it('cancels with q, <C-c> or :q, and returns to the window it came from', async () => {
    const from = await nv.lua<number>('return vim.api.nvim_get_current_win()');
    for (const keys of ['q', '<C-c>', ':q<CR>']) {
      await openForm(nv, { title: 'cancel', arguments: [{ name: 'x' }] });
      await nv.nvim.input(keys);
      await nv.waitFor('_G.__form_out', { message: `cancelled by ${keys}` });
      expect(await nv.lua('return _G.__form_out')).toEqual({ cancelled: true });
      await nv.waitFor(`vim.api.nvim_get_current_win() == ${from}`);
      expect(await nv.lua('return #vim.tbl_filter(function(b) return vim.bo[b].filetype == "mcp_form" end, vim.api.nvim_list_bufs())')).toBe(0);
    }
  });

  it('left no Vim or Lua error behind', async () => {
    const errmsg = await nv.lua<string>('return vim.v.errmsg');
    expect(errmsg).not.toMatch(/^E\d+:/);
    expect(await nv.lua<string>('return vim.fn.execute("messages")')).not.toMatch(/stack traceback|E\d{3,4}:/);
  });
});
