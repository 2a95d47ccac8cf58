/**
 * Server text never breaks the UI, and server content never takes over the editor (issue 13, defects 7,
 * 9, 10 and the setup() part of 11), against `test/servers/oddnames.mjs`: a real MCP server (SDK v2 server
 * package) that names itself and its tools with newlines, control characters, spaces, quotes, slashes,
 * backslashes and unicode, lists two tools named `dup`, has a 500-character description, a resource whose
 * text carries modelines, a `big` tool that answers as many lines as asked, prompts, a resource and a
 * template named with spaces, quotes, slashes and unicode, a template that reads as a big text, and a `grow`
 * tool that adds tools of a shared name. No server on npm does all that, so this one is ours.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { waitStatus } from '../helpers/mcp.js';
import { clearNotes, notes as notesOf, recordNotes, waitNote, WARN, type Note } from '../helpers/notes.js';
import { waitForm } from '../helpers/form.js';

const ODD = join(repoRoot, 'test', 'servers', 'oddnames.mjs');


/** The tool names of oddnames.mjs and how completion inserts each on the command line. */
const NAMES: [name: string, typed: string][] = [
  ['line\nbreak', 'line\\nbreak'],
  ['ctrl\x1b[31mred\x07bell\ttab', 'ctrl\\e[31mred\\x07bell\\ttab'],
  ['with space', 'with\\ space'],
  [`it's "quoted"`, `it\\'s\\ \\"quoted\\"`],
  ['a/b/c', 'a/b/c'],
  ['back\\slash', 'back\\\\slash'],
  ['ünïcødé ✓ 工具', 'ünïcødé\\ ✓\\ 工具'],
  ['x'.repeat(300), 'x'.repeat(300)],
];

/** The prompt names of oddnames.mjs (besides `greet\nme`) and how completion inserts `odd/{name}`. */
const PROMPTS: [name: string, typed: string][] = [
  ['with spaces', 'odd/with\\ spaces'],
  [`it's "asked"`, `odd/it\\'s\\ \\"asked\\"`],
  ['a/b', 'odd/a/b'],
  ['ünï ✓', 'odd/ünï\\ ✓'],
];
/** The resource of oddnames.mjs whose URI holds spaces, quotes and unicode, and how completion inserts it. */
const ODD_URI = `odd://with space/it's "quoted"/ünï ✓`;
const ODD_URI_TYPED = `odd://with\\ space/it\\'s\\ \\"quoted\\"/ünï\\ ✓`;

describe.each(nvimBinaries())('hostile server text on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  /** The notifications made while both servers connected. */
  let connectNotes: Note[] = [];
  const notes = () => notesOf(nv);

  /** Runs an Ex command as typed; an error is shown to the user, not thrown here. */
  const ex = (cmd: string) => nv.lua<[boolean, string | null]>('local ok, err = pcall(vim.cmd, ...) return { ok, (not ok) and err or vim.NIL }', cmd);

  /** Waits until the current buffer is the result of `:Mcp call` and its third line is `line`. */
  const waitResultLine = (line: string) =>
    nv.waitFor<string[]>(
      async () => {
        const lines = await nv.lua<string[]>(
          'return vim.startswith(vim.api.nvim_buf_get_name(0), "mcp://result/") and vim.api.nvim_buf_get_lines(0, 0, -1, false) or {}',
        );
        return (lines[2] === line ? lines : false) as string[];
      },
      { message: `a result whose third line is ${JSON.stringify(line)}` },
    );

  /** Waits until the current buffer is a result and one of its lines is `line`. */
  const waitResultWith = (line: string) =>
    nv.waitFor<string[]>(
      async () => {
        const lines = await nv.lua<string[]>(
          'return vim.startswith(vim.api.nvim_buf_get_name(0), "mcp://result/") and vim.api.nvim_buf_get_lines(0, 0, -1, false) or {}',
        );
        return (lines.includes(line) ? lines : false) as string[];
      },
      { message: `a result with the line ${JSON.stringify(line)}` },
    );

  beforeAll(async () => {
    nv = await startNvim(bin);
    await nv.writeConfig({
      mcpServers: { odd: { command: 'node', args: [ODD] }, 'odd two': { command: 'node', args: [ODD] } },
    });
    await recordNotes(nv);
    await nv.lua('require("mcp").start("odd") require("mcp").start("odd two")');
    await waitStatus(nv, 'odd');
    await waitStatus(nv, 'odd two');
    connectNotes = await nv.waitFor<Note[]>(
      async () => {
        const n = (await notes()).filter((x) => /tools named/.test(x.msg));
        return (n.length >= 2 ? n : false) as Note[];
      },
      { message: 'the shared tool names reported for both servers' },
    );
  });
  afterAll(async () => {
    await nv?.quit();
  });
  beforeEach(async () => {
    await clearNotes(nv);
    await nv.lua('vim.cmd("silent! only")');
  });

  it('the hub shows every server, its info and its tools, each on one line, with names escaped', async () => {
    expect(await ex('Mcp tools')).toEqual([true, null]);
    const lines = await nv.bufferLines();
    const servers = lines.filter((l) => / (odd|odd two)  connected /.test(l));
    expect(servers).toHaveLength(2);
    for (const s of servers) expect(s).toContain('odd\\nserver\\e[31m 1.0\\n2');
    // Every tool of both servers is listed, escaped, once per tool.
    for (const [name] of NAMES) {
      const shown = name.length > 80 ? `${'x'.repeat(79)}…` : name.replace(/\n/g, '\\n').replace(/\x1b/g, '\\e').replace(/\x07/g, '\\x07').replace(/\t/g, '\\t');
      expect(lines.filter((l) => l.startsWith(`      ${shown}  `)), shown).toHaveLength(2);
    }
    // Nothing from a server reaches the buffer as a control character, and no line is hundreds long.
    for (const l of lines) {
      expect(l).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      expect([...l].length).toBeLessThan(300);
    }
    // The two tools named `dup` are both listed and marked.
    const dups = lines.filter((l) => l.startsWith('      dup  '));
    expect(dups).toHaveLength(4);
    for (const d of dups) expect(d).toContain('[name shared by 2 tools]');
    // Plain :Mcp works too.
    expect(await ex('Mcp')).toEqual([true, null]);
  });

  it('completion inserts every tool name so that :Mcp call reads it back, and the call reaches the tool', async () => {
    const servers = await nv.lua<string[]>('return vim.fn.getcompletion("Mcp call ", "cmdline")');
    expect(servers).toEqual(['odd', 'odd\\ two']);
    const tools = await nv.lua<string[]>('return vim.fn.getcompletion("Mcp call odd\\\\ two ", "cmdline")');
    for (const [, typed] of NAMES) expect(tools).toContain(typed);
    // `dup` is offered once.
    expect(tools.filter((t) => t === 'dup')).toHaveLength(1);
    // Completing a partly typed escaped name keeps what was typed.
    expect(await nv.lua('return vim.fn.getcompletion("Mcp call odd with\\\\ s", "cmdline")')).toEqual(['with\\ space']);
    // A word begun with a double quote completes to a JSON string.
    expect(await nv.lua('return vim.fn.getcompletion("Mcp call odd \\"it", "cmdline")')).toEqual([`"it's \\"quoted\\""`]);
    for (const [name, typed] of NAMES) {
      expect(await ex(`Mcp call odd\\ two ${typed}`)).toEqual([true, null]);
      await waitResultLine(`ran ${JSON.stringify(name)}`);
    }
    expect((await notes()).filter((n) => n.level >= WARN)).toEqual([]);
  });

  it(':Mcp call also takes names quoted as JSON or in single quotes', async () => {
    await ex('Mcp call "odd two" "line\\nbreak"');
    await waitResultLine('ran "line\\nbreak"');
    await ex(`Mcp call odd 'it''s "quoted"' {}`);
    await waitResultLine(`ran ${JSON.stringify(`it's "quoted"`)}`);
    await ex('Mcp call odd "with space" {}');
    await waitResultLine('ran "with space"');
    // An unterminated quote is an error that says so, and nothing is called.
    await ex('Mcp call odd "with space');
    const bad = await waitNote(nv, /unterminated quote/, 'unterminated quote');
    expect(bad.level).toBeGreaterThanOrEqual(WARN);
  });

  it('a call of a name two tools share says so', async () => {
    await ex('Mcp call odd dup');
    await waitResultLine('dup one');
    const warn = (await notes()).find((n) => /2 tools named dup/.test(n.msg));
    expect(warn?.level).toBe(WARN);
  });

  it('pickers and forms show server text on one line each', async () => {
    const labels = await nv.lua<string[]>(`
      local out = {}
      for _, p in ipairs(require('mcp').prompts('odd')) do table.insert(out, require('mcp.prompts').label(p)) end
      for _, r in ipairs(require('mcp.resources.picker').items('odd')) do table.insert(out, require('mcp.resources.picker').label(r)) end
      return out`);
    // 5 prompts; 3 resources and 2 templates.
    expect(labels.length).toBe(10);
    for (const l of labels) expect(l).not.toMatch(/[\n\r\x1b]/);
    expect(labels[0]).toContain('odd/greet\\nme');
    // The form of a tool with that 500-character, escape-laden description opens; its comment lines are
    // the description's lines without control characters.
    const form = await nv.lua<string[]>(`
      local def = require('mcp.tools').find('odd', 'line\\nbreak')
      def = vim.deepcopy(def)
      def.inputSchema = { type = 'object', properties = { ['a\\nb'] = { type = 'string', description = 'x\\ny' } } }
      require('mcp.tools').ask_and_call('odd', 'line\\nbreak', def)
      return vim.api.nvim_buf_get_lines(0, 0, -1, false)`);
    expect(form[0]).toBe('# tool odd/line\\nbreak');
    expect(form.join('\n')).toContain('A long description with escapes and');
    expect(form).toContain('a\\nb: ');
    for (const l of form) expect(l).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    await nv.lua('vim.cmd("stopinsert") pcall(vim.cmd, "close!")');
  });

  it('a live mcp:// resource buffer never applies the modelines in its text', async () => {
    await ex('edit mcp://odd/odd://modeline.txt');
    await nv.waitFor('(vim.b.mcp_reads or 0) > 0', { message: 'the resource read' });
    const lines = await nv.bufferLines();
    expect(lines[0]).toBe('vim: set sw=13 ts=3 tw=7 nowrap ft=help :');
    const opts = 'return { vim.bo.shiftwidth, vim.bo.tabstop, vim.bo.textwidth, vim.wo.wrap, vim.bo.filetype }';
    const before = await nv.lua(opts);
    expect(before).toEqual([8, 8, 0, true, 'text']);
    // Everything that would read modelines: filetype detection, the read autocommands, a new window.
    await ex('filetype detect');
    await ex('doautocmd BufRead');
    await ex('split');
    await ex('edit');
    await nv.waitFor('(vim.b.mcp_reads or 0) > 1', { message: 'the resource read again' });
    expect(await nv.lua(opts)).toEqual(before);
    expect(await nv.lua('return vim.bo.modeline')).toBe(false);
  });

  it('the result buffer of a resource never applies its modelines either', async () => {
    await nv.lua('require("mcp.resources").show("odd", "odd://modeline.txt")');
    await nv.waitFor('vim.startswith(vim.api.nvim_buf_get_name(0), "mcp://result/odd/read:")', { message: 'the result buffer' });
    await ex('doautocmd BufRead');
    await ex('filetype detect');
    expect(await nv.lua('return { vim.bo.shiftwidth, vim.bo.textwidth, vim.wo.wrap, vim.bo.modeline }')).toEqual([8, 0, true, false]);
  });

  it('a big result opens capped with a line saying so, and A shows all of it', async () => {
    await ex('Mcp call odd big {"lines": 30000, "width": 20}');
    const capped = await nv.waitFor<string[]>(
      async () => {
        const l = await nv.lua<string[]>('return vim.api.nvim_buf_get_lines(0, -3, -1, false)');
        return (l.at(-1)?.startsWith('…') ? l : false) as string[];
      },
      { message: 'the cap line' },
    );
    expect(capped.at(-1)).toBe('… the result goes on past its first 10000 lines: press A to show all of it');
    expect(await nv.lua('return vim.api.nvim_buf_line_count(0)')).toBe(10001);
    const head = await nv.lua<string[]>('return vim.api.nvim_buf_get_lines(0, 0, 3, false)');
    expect(head).toEqual(['Result of odd/big', '', `1${'y'.repeat(19)}`]);
    await nv.nvim.input('A');
    await nv.waitFor('vim.api.nvim_buf_line_count(0) == 30002', { message: 'every line shown', timeoutMs: 20_000 });
    const tail = await nv.lua<string[]>('return vim.api.nvim_buf_get_lines(0, -2, -1, false)');
    expect(tail).toEqual([`30000${'y'.repeat(15)}`]);
    // Every line is there once, in order.
    const ok = await nv.lua(`
      local lines = vim.api.nvim_buf_get_lines(0, 2, -1, false)
      for i, l in ipairs(lines) do if not vim.startswith(l, tostring(i) .. 'y') then return i end end
      return true`);
    expect(ok).toBe(true);
    expect(await nv.lua('return vim.bo.modifiable')).toBe(false);
  });
  it('completion inserts every prompt as :Mcp prompt reads it back, in either form, with its arguments', async () => {
    const all = await nv.lua<string[]>('return vim.fn.getcompletion("Mcp prompt ", "cmdline")');
    for (const [, typed] of PROMPTS) {
      expect(all).toContain(typed);
      expect(all).toContain(typed.replace(/^odd\//, 'odd\\ two/'));
    }
    expect(all).toContain('odd/greet\\nme');
    // After a server's name: its prompts; a word begun with `"` completes to a JSON string.
    const names = await nv.lua<string[]>('return vim.fn.getcompletion("Mcp prompt odd\\\\ two ", "cmdline")');
    for (const [, typed] of PROMPTS) expect(names).toContain(typed.slice('odd/'.length));
    expect(await nv.lua('return vim.fn.getcompletion("Mcp prompt odd \\"it", "cmdline")')).toEqual([`"it's \\"asked\\""`]);
    // Argument names are escaped too.
    expect(await nv.lua('return vim.fn.getcompletion("Mcp prompt odd/with\\\\ spaces ", "cmdline")')).toEqual(['the\\ city=']);
    expect(await nv.lua('return vim.fn.getcompletion("Mcp prompt odd with\\\\ spaces ", "cmdline")')).toEqual(['the\\ city=']);
    for (const [name, typed] of PROMPTS) {
      expect(await ex(`Mcp! prompt ${typed} the\\ city=Oslo\\ Sentrum`)).toEqual([true, null]);
      await waitResultWith(`prompt ${JSON.stringify(name)} ${JSON.stringify({ 'the city': 'Oslo Sentrum' })}`);
    }
    // Two words, quoted.
    await ex(`Mcp! prompt "odd two" 'it''s "asked"' "the city=Bergen"`);
    await waitResultWith(`prompt ${JSON.stringify(`it's "asked"`)} ${JSON.stringify({ 'the city': 'Bergen' })}`);
    await ex('Mcp! prompt odd "greet\\nme"');
    await waitResultWith('prompt "greet\\nme" {}');
    expect((await notes()).filter((n) => n.level >= WARN)).toEqual([]);
    // A malformed quote says so.
    await ex('Mcp prompt odd "with spaces');
    expect((await notes()).find((n) => /unterminated quote/.test(n.msg))?.level).toBeGreaterThanOrEqual(WARN);
  });

  it('completion inserts resource URIs and templates as :Mcp resource reads them back', async () => {
    const uris = await nv.lua<string[]>('return vim.fn.getcompletion("Mcp resource open odd\\\\ two ", "cmdline")');
    expect(uris).toContain(ODD_URI_TYPED);
    expect(uris).toContain('odd://big/{lines}');
    expect(uris).toContain('odd://t\\ mpl/{name}');
    await ex(`Mcp resource open odd\\ two ${ODD_URI_TYPED}`);
    await nv.waitFor('(vim.b.mcp_reads or 0) > 0', { message: 'the resource read' });
    expect(await nv.bufferLines()).toEqual([`read ${JSON.stringify(ODD_URI)}`]);
    await ex(`Mcp resource yank a odd ${JSON.stringify(ODD_URI)}`);
    expect(await nv.waitFor<string>('vim.fn.getreg("a") ~= "" and vim.fn.getreg("a")')).toBe(`read ${JSON.stringify(ODD_URI)}\n`);
    // A template named with a newline, and one whose URI holds a space: each asks for its variable.
    await ex('Mcp resource open odd odd://big/{lines}');
    const form = await waitForm(nv);
    expect(form[0]).toBe('# template odd/big\\ntext');
    await nv.nvim.input('a3<Esc>:w<CR>');
    await nv.waitFor('vim.api.nvim_buf_get_name(0) == "mcp://odd/odd://big/3" and (vim.b.mcp_reads or 0) > 0', { message: 'the template read' });
    expect(await nv.bufferLines()).toEqual(['1' + 'z'.repeat(79), '2' + 'z'.repeat(79), '3' + 'z'.repeat(79)]);
    await ex('Mcp resource open odd odd://t\\ mpl/{name}');
    await waitForm(nv);
    await nv.nvim.input('ax<Esc>:w<CR>');
    await nv.waitFor('vim.startswith(vim.api.nvim_buf_get_name(0), "mcp://odd/odd://t") and (vim.b.mcp_reads or 0) > 0', { message: 'the template read' });
    expect((await nv.bufferLines())[0]).toMatch(/^read "odd:\/\/t(%20| )mpl\/x"$/);
    expect((await notes()).filter((n) => n.level >= WARN)).toEqual([]);
  });

  it(':Mcp chat takes server and tool names escaped or quoted', async () => {
    expect(await nv.lua('return vim.fn.getcompletion("Mcp chat odd\\\\ two with", "cmdline")')).toEqual(['with\\ space']);
    await ex('Mcp chat odd\\ two with\\ space off');
    expect(await nv.lua('return require("mcp.chat").enabled("odd two", "with space")')).toBe(false);
    expect((await notes()).at(-1)?.msg).toBe('mcp: chat: odd two/with space kept from models');
    await ex(`Mcp chat "odd two" "with space" on`);
    expect(await nv.lua('return require("mcp.chat").enabled("odd two", "with space")')).toBe(true);
  });

  it(':checkhealth shows the server\'s own name and version on one line, escaped', async () => {
    await ex('checkhealth mcp');
    const lines = await nv.bufferLines();
    const odd = lines.filter((l) => l.includes('odd\\nserver'));
    expect(odd.length).toBeGreaterThanOrEqual(2);
    for (const l of odd) expect(l).toContain('odd\\nserver\\e[31m 1.0\\n2');
    for (const l of lines) expect(l).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    await ex('bwipeout!');
  });

  it('a huge resource fills its buffer a slice at a time: not editable meanwhile, a write first finishes it, never modified', async () => {
    const copy = join(nv.dirs.cache, 'big-copy.txt');
    const n = 200_000; // 16 MB
    // A spy on the fill, to look at the buffer right after its first slice and write a copy then.
    await nv.lua(
      `local path = ...
      local fill = require('mcp.resources.fill')
      local orig = fill.fill
      fill.fill = function(buf, text, done)
        fill.fill = orig
        orig(buf, text, done)
        local function state()
          return { loading = vim.b[buf].mcp_loading == true, modifiable = vim.bo[buf].modifiable,
            modified = vim.bo[buf].modified, lines = vim.api.nvim_buf_line_count(buf) }
        end
        _G.mcp_test_fill = { first = state() }
        vim.api.nvim_buf_call(buf, function() vim.cmd('silent write! ' .. vim.fn.fnameescape(path)) end)
        _G.mcp_test_fill.written = state()
      end`,
      copy,
    );
    await ex(`edit mcp://odd/odd://big/${n}`);
    await nv.waitFor('(vim.b.mcp_reads or 0) > 0', { message: 'the big resource read', timeoutMs: 60_000 });
    const seen = await nv.lua<Record<string, { loading: boolean; modifiable: boolean; modified: boolean; lines: number }>>('return _G.mcp_test_fill');
    expect(seen.first).toMatchObject({ loading: true, modifiable: false, modified: false });
    expect(seen.first!.lines).toBeLessThan(n);
    // The write finished the fill first: the copy is whole.
    expect(seen.written).toEqual({ loading: false, modifiable: true, modified: false, lines: n });
    const written = readFileSync(copy, 'utf8').split('\n');
    expect(written).toHaveLength(n + 1);
    expect(written[n - 1]).toBe(`${n}${'z'.repeat(80)}`.slice(0, 80));
    expect(await nv.lua('return { vim.api.nvim_buf_line_count(0), vim.bo.modified, vim.bo.modifiable, vim.b.mcp_loading, vim.bo.filetype }')).toEqual([
      n,
      false,
      true,
      false,
      'text',
    ]);
  });

  it('a reload while a huge resource fills starts over and ends with every line once', async () => {
    const n = 150_000;
    await nv.lua(`
      local fill = require('mcp.resources.fill')
      local orig = fill.fill
      fill.fill = function(buf, text, done)
        fill.fill = orig
        orig(buf, text, done)
        _G.mcp_test_reload = { lines = vim.api.nvim_buf_line_count(buf), loading = vim.b[buf].mcp_loading == true }
        vim.api.nvim_buf_call(buf, function() vim.cmd('edit') end)
      end`);
    await ex(`edit mcp://odd/odd://big/${n}`);
    await nv.waitFor('(vim.b.mcp_reads or 0) > 0', { message: 'the big resource read', timeoutMs: 60_000 });
    const first = await nv.lua<{ lines: number; loading: boolean }>('return _G.mcp_test_reload');
    expect(first.loading).toBe(true);
    expect(first.lines).toBeLessThan(n);
    // The first fill was stopped by :edit; the one read after it is the only one that completed.
    expect(await nv.lua('return vim.b.mcp_reads')).toBe(1);
    const ok = await nv.lua(`
      local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
      if #lines ~= ${n} then return #lines end
      for i, l in ipairs(lines) do if not vim.startswith(l, tostring(i) .. 'z') then return l end end
      return true`);
    expect(ok).toBe(true);
    expect(await nv.lua('return { vim.bo.modified, vim.bo.modifiable }')).toEqual([false, true]);
  });

  it('tools sharing a name are said once per server when it connects, and again only for a new shared name', async () => {
    // At connect: one warning per server, naming it and the tool.
    expect(connectNotes.map((n) => n.msg).sort()).toEqual([
      'mcp: server odd lists 2 tools named dup: a call goes by name, and the server decides which one runs',
      'mcp: server odd two lists 2 tools named dup: a call goes by name, and the server decides which one runs',
    ]);
    for (const n of connectNotes) expect(n.level).toBe(WARN);
    // The tool list changes and gains a new shared name: said once, for that name only.
    await ex('Mcp call odd grow');
    await waitResultLine('2 twins');
    const twin = await nv.waitFor<Note[]>(
      async () => {
        const n = (await notes()).filter((x) => /tools named/.test(x.msg));
        return (n.length > 0 ? n : false) as Note[];
      },
      { message: 'the new shared name reported' },
    );
    expect(twin.map((n) => n.msg)).toEqual(['mcp: server odd lists 2 tools named twin: a call goes by name, and the server decides which one runs']);
    // A restart lists the same shared names (the server starts over with one `dup` pair): nothing new to say.
    await nv.lua(`
      _G.mcp_test_notes = {}
      local down = false
      _G.mcp_test_back = false
      vim.api.nvim_create_autocmd('User', { pattern = 'McpServerChanged', callback = function(ev)
        if ev.data.name ~= 'odd two' then return end
        if ev.data.status ~= 'connected' then down = true elseif down then _G.mcp_test_back = true return true end
      end })`);
    await ex('Mcp restart odd\\ two');
    await nv.waitFor('_G.mcp_test_back', { message: 'odd two connected again' });
    await ex('Mcp call odd\\ two with\\ space');
    await waitResultLine('ran "with space"');
    expect((await notes()).filter((x) => /tools named/.test(x.msg))).toEqual([]);
  });
});

describe.each(nvimBinaries())('unknown options on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  beforeAll(async () => {
    nv = await startNvim(bin);
  });
  afterAll(async () => {
    await nv?.quit();
  });

  it('setup({ autostrat = true }) warns, naming the key and the option meant, and still sets up', async () => {
    const got = await nv.lua<{ ok: boolean; notes: Note[] }>(`
      local notes = {}
      local orig = vim.notify
      vim.notify = function(msg, level) table.insert(notes, { msg = msg, level = level }) end
      local ok = pcall(require('mcp').setup, { autostrat = true, servers = { s = { command = 'x', arg = { '1' } } } })
      vim.notify = orig
      return { ok = ok, notes = notes }`);
    expect(got.ok).toBe(true);
    expect(got.notes).toHaveLength(2);
    const [top, server] = [got.notes.find((n) => /autostrat/.test(n.msg)), got.notes.find((n) => /"arg"/.test(n.msg))];
    expect(top?.level).toBe(WARN);
    expect(top?.msg).toMatch(/setup\(\): unknown key "autostrat", ignored \(did you mean "autostart"\?\)/);
    expect(server?.level).toBe(WARN);
    expect(server?.msg).toContain('setup().servers.s: unknown key "arg"');
    expect(server?.msg).toContain('did you mean "args"?');
  });
});
