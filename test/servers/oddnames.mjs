#!/usr/bin/env node
// A misbehaving MCP server (SDK v2 server package, stdio, both protocol eras) whose text is hostile to an
// editor UI: its serverInfo name holds a newline, its tools are named with newlines, control characters,
// spaces, quotes, slashes, backslashes and unicode, one name is 300 characters long, one description is
// 500 characters with escape sequences, two tools share a name, a prompt and a resource are named with
// newlines, and a resource's text carries a modeline. Prompts, a resource URI and a template are named with
// spaces, quotes, slashes and unicode too, and the template `odd://big/{lines}` reads as a big text. No
// server on npm names things this way; real servers do send such text by mistake, and the editor must
// survive it.
//
// Usage: node oddnames.mjs
// Every tool answers `ran <name as JSON>`, except:
//   `big` with { lines, width }: a text result of `lines` lines of `width` characters (a big result);
//   the two tools named `dup` answer `dup one` and `dup two` (which one runs is the server's business);
//   `grow` adds tools named `twin` (two the first time, then one more) and says the tool list changed.
import { Server } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

/** Tool names as the tests use them (exported through the tool list only; the tests repeat them). */
const NAMES = [
  'line\nbreak',
  'ctrl\x1b[31mred\x07bell\ttab',
  'with space',
  `it's "quoted"`,
  'a/b/c',
  'back\\slash',
  'ünïcødé ✓ 工具',
  'x'.repeat(300),
];
const LONG_DESCRIPTION = ('A long description with \x1b[1mescapes\x1b[0m and\nnewlines\r\nand tabs\t. ').repeat(8).slice(0, 500);

const schema = { type: 'object', properties: {} };
const tools = [
  ...NAMES.map((name, i) => ({ name, description: i === 0 ? LONG_DESCRIPTION : `tool ${i}\nsecond line`, inputSchema: schema })),
  { name: 'dup', description: 'dup one', inputSchema: schema },
  { name: 'dup', description: 'dup two', inputSchema: schema },
  { name: 'grow', description: 'Adds a tool named `twin` (two the first time) and says the tool list changed', inputSchema: schema },
  {
    name: 'big',
    description: 'A text result of `lines` lines of `width` characters',
    inputSchema: { type: 'object', properties: { lines: { type: 'number' }, width: { type: 'number' } } },
  },
];

const MODELINE_TEXT = [
  'vim: set sw=13 ts=3 tw=7 nowrap ft=help :',
  'A resource whose first and last lines are modelines.',
  '',
  '/* vim: set sw=13 ts=3 tw=7 nowrap ft=help : */',
].join('\n');
const resources = [
  { uri: 'odd://modeline.txt', name: 'modeline', mimeType: 'text/plain' },
  { uri: 'odd://modeline', name: 'modeline\nno extension' },
  { uri: `odd://with space/it's "quoted"/ünï ✓`, name: 'odd uri', mimeType: 'text/plain' },
];
/** `odd://big/{lines}`: a text of `lines` numbered lines of 80 characters (a big resource). */
const resourceTemplates = [
  { uriTemplate: 'odd://big/{lines}', name: 'big\ntext', mimeType: 'text/plain' },
  { uriTemplate: 'odd://t mpl/{name}', name: 'spaced template' },
];
/** Prompt names as the tests use them, besides `greet\nme`. */
const PROMPTS = ['with spaces', `it's "asked"`, 'a/b', 'ünï ✓'];

const text = (t) => ({ content: [{ type: 'text', text: t }] });

function build() {
  const server = new Server({ name: 'odd\nserver\x1b[31m', version: '1.0\n2' }, { capabilities: { tools: { listChanged: true }, prompts: {}, resources: {} } });
  server.setRequestHandler('tools/list', () => ({ tools }));
  server.setRequestHandler('tools/call', (req) => {
    const name = req.params.name;
    const args = req.params.arguments ?? {};
    if (name === 'big') {
      const width = Math.max(1, Number(args.width ?? 80));
      const line = 'y'.repeat(width - 1);
      const n = Math.max(1, Number(args.lines ?? 1000));
      return text(Array.from({ length: n }, (_, i) => `${i + 1}${line}`.slice(0, width)).join('\n'));
    }
    if (name === 'dup') return text(`dup one`);
    if (name === 'grow') {
      const twins = tools.some((t) => t.name === 'twin') ? 1 : 2;
      for (let i = 0; i < twins; i++) tools.push({ name: 'twin', description: 'one of several', inputSchema: schema });
      void server.sendToolListChanged();
      return text(`${tools.filter((t) => t.name === 'twin').length} twins`);
    }
    if (tools.some((t) => t.name === name)) return text(`ran ${JSON.stringify(name)}`);
    return { isError: true, ...text(`no tool ${JSON.stringify(name)}`) };
  });
  server.setRequestHandler('prompts/list', () => ({
    prompts: [
      { name: 'greet\nme', description: 'first line\nsecond line', arguments: [{ name: 'who\nelse', description: 'a\nb' }] },
      ...PROMPTS.map((name) => ({ name, arguments: [{ name: 'the city', description: 'an argument named with a space' }] })),
    ],
  }));
  server.setRequestHandler('prompts/get', (req) => ({
    messages: [
      { role: 'user', content: { type: 'text', text: `prompt ${JSON.stringify(req.params.name)} ${JSON.stringify(req.params.arguments ?? {})}` } },
    ],
  }));
  server.setRequestHandler('resources/list', () => ({ resources }));
  server.setRequestHandler('resources/templates/list', () => ({ resourceTemplates }));
  server.setRequestHandler('resources/read', (req) => {
    const uri = req.params.uri;
    const big = /^odd:\/\/big\/(\d+)$/.exec(uri);
    if (big) {
      const line = 'z'.repeat(80);
      const text = Array.from({ length: Number(big[1]) }, (_, i) => `${i + 1}${line}`.slice(0, 80)).join('\n') + '\n';
      return { contents: [{ uri, mimeType: 'text/plain', text }] };
    }
    if (uri === resources[2].uri || decodeURIComponent(uri).startsWith('odd://t mpl/')) return { contents: [{ uri, mimeType: 'text/plain', text: `read ${JSON.stringify(uri)}` }] };
    return { contents: [{ uri, mimeType: 'text/plain', text: MODELINE_TEXT }] };
  });
  return server;
}

serveStdio(build);
