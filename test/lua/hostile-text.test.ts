/**
 * Server text never breaks the UI, and server content never takes over the editor (issue 13, defects 7,
 * 9, 10 and the setup() part of 11), against `test/servers/oddnames.mjs`: a real MCP server (SDK v2 server
 * package) that names itself and its tools with newlines, control characters, spaces, quotes, slashes,
 * backslashes and unicode, lists two tools named `dup`, has a 500-character description, a resource whose
 * text carries modelines, and a `big` tool that answers as many lines as asked. No server on npm does all
 * that, so this one is ours.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { nvimBinaries, repoRoot, startNvim, type NvimInstance } from '../helpers/nvim.js';
import { waitStatus } from '../helpers/mcp.js';

const ODD = join(repoRoot, 'test', 'servers', 'oddnames.mjs');
const WARN = 3; // vim.log.levels.WARN

interface Note {
  msg: string;
  level: number;
}

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

describe.each(nvimBinaries())('hostile server text on Neovim $version', ({ bin }) => {
  let nv: NvimInstance;
  const notes = () => nv.lua<Note[]>('return _G.mcp_test_notes');

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

  beforeAll(async () => {
    nv = await startNvim(bin);
    await nv.writeConfig({
      mcpServers: { odd: { command: 'node', args: [ODD] }, 'odd two': { command: 'node', args: [ODD] } },
    });
    await nv.lua(`
      _G.mcp_test_notes = {}
      local orig = vim.notify
      vim.notify = function(msg, level, opts)
        table.insert(_G.mcp_test_notes, { msg = msg, level = level or vim.log.levels.INFO })
        return orig(msg, level, opts)
      end`);
    await nv.lua('require("mcp").start("odd") require("mcp").start("odd two")');
    await waitStatus(nv, 'odd');
    await waitStatus(nv, 'odd two');
  });
  afterAll(async () => {
    await nv?.quit();
  });
  beforeEach(async () => {
    await nv.lua('_G.mcp_test_notes = {} vim.cmd("silent! only")');
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
    const bad = await nv.waitFor<Note>(async () => (await notes()).find((n) => /unterminated quote/.test(n.msg)) as Note, { message: 'unterminated quote' });
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
    expect(labels.length).toBe(3);
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
