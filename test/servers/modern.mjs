#!/usr/bin/env node
// A real MCP server on the SDK's v2 server package (`@modelcontextprotocol/server`) that accepts ONLY
// protocol revision 2026-07-28: `initialize` is refused with the unsupported-protocol-version error.
// No server on npm speaks 2026-07-28 only, so this is how the host's modern era is exercised.
//
// Usage: node modern.mjs [--http] [--page N]
//   stdio by default; with --http it serves Streamable HTTP on 127.0.0.1, on a free port, and prints
//   `listening on http://127.0.0.1:PORT/mcp` on stderr once it accepts connections.
//   --page N: lists come in pages of N (default 2), so that every list is paginated.
//
// Offers: tools (echo; progress, which reports progress; slow, which waits and honours cancellation;
// add_tool, which adds a tool and announces the list change; touch, which changes a resource and
// announces the update; roots, which asks the client for its roots through an input_required round and
// returns them), prompts (greet with a completable argument; plain), resources (two, one that changes),
// a resource template with completion, `subscriptions/listen` for list changes and resource updates.
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { createMcpHandler, inputRequired, inputResponse, Server } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

const http = process.argv.includes('--http');
const pageArg = process.argv.indexOf('--page');
const pageSize = pageArg > 0 ? Number(process.argv[pageArg + 1]) : 2;

// State lives at module level: over HTTP every request is served by a fresh instance from the factory.
const tools = [
  { name: 'echo', description: 'Echoes the message', inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } },
  { name: 'progress', description: 'Reports progress in `steps` steps, then answers', inputSchema: { type: 'object', properties: { steps: { type: 'number' } } } },
  { name: 'slow', description: 'Waits `ms` milliseconds (honours cancellation)', inputSchema: { type: 'object', properties: { ms: { type: 'number' } } } },
  { name: 'add_tool', description: 'Adds a tool named `name` and announces the list change', inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
  { name: 'touch', description: 'Changes modern://counter and announces the update', inputSchema: { type: 'object', properties: {} } },
  { name: 'roots', description: "Asks the client for its roots and returns them", inputSchema: { type: 'object', properties: {} } },
];
const prompts = [
  { name: 'greet', description: 'Greets someone', arguments: [{ name: 'name', description: 'Who to greet', required: true }] },
  { name: 'plain', description: 'A prompt without arguments' },
];
let counter = 0;
const resources = [
  { uri: 'modern://hello', name: 'hello', mimeType: 'text/plain' },
  { uri: 'modern://counter', name: 'counter', mimeType: 'text/plain' },
];
const templates = [{ uriTemplate: 'modern://items/{id}', name: 'item', mimeType: 'text/plain' }];
const NAMES = ['Ada', 'Alan', 'Grace', 'Gracie'];
const ITEMS = ['one', 'two', 'three'];

/** Announcements: over stdio through the connection's instances, over HTTP through the handler's bus. */
const instances = new Set();
let handler;
const announce = {
  tools: () => (handler ? handler.notify.toolsChanged() : each((s) => s.sendToolListChanged())),
  updated: (uri) => (handler ? handler.notify.resourceUpdated(uri) : each((s) => s.sendResourceUpdated({ uri }))),
};
function each(f) {
  // The probe instance of serveStdio may be discarded unconnected; it cannot send, and need not.
  for (const s of instances) Promise.resolve().then(() => f(s)).catch(() => {});
}

function page(items, cursor) {
  const start = cursor ? Number(cursor) : 0;
  const next = start + pageSize < items.length ? String(start + pageSize) : undefined;
  return { slice: items.slice(start, start + pageSize), ...(next ? { nextCursor: next } : {}) };
}

const text = (t) => ({ content: [{ type: 'text', text: t }] });
const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('cancelled'));
    });
  });

function build() {
  const server = new Server(
    { name: 'modern', version: '1.0.0' },
    {
      capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { subscribe: true, listChanged: true }, completions: {} },
      instructions: 'A test server that speaks MCP 2026-07-28 only.',
    },
  );
  instances.add(server);
  server.onclose = () => instances.delete(server);
  server.setRequestHandler('tools/list', (req) => {
    const { slice, nextCursor } = page(tools, req.params?.cursor);
    return { tools: slice, ...(nextCursor ? { nextCursor } : {}) };
  });
  server.setRequestHandler('tools/call', async (req, ctx) => {
    const args = req.params.arguments ?? {};
    switch (req.params.name) {
      case 'echo':
        return text(`Echo: ${args.message}`);
      case 'progress': {
        const steps = Number(args.steps ?? 3);
        const token = ctx.mcpReq._meta?.progressToken;
        for (let i = 1; i <= steps; i++) {
          if (token !== undefined) await ctx.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: steps, message: `step ${i}` } });
          await sleep(20);
        }
        return text(`done in ${steps} steps`);
      }
      case 'slow':
        await sleep(Number(args.ms ?? 1000), ctx.mcpReq.signal);
        return text('slow done');
      case 'add_tool':
        tools.push({ name: String(args.name), description: 'Added at run time', inputSchema: { type: 'object', properties: {} } });
        announce.tools();
        return text(`added ${args.name}`);
      case 'touch':
        counter++;
        announce.updated('modern://counter');
        return text(`counter is ${counter}`);
      case 'roots': {
        // 2026-07-28 has no server→client requests: the server answers input_required and the client
        // retries with the roots (spec: basic/patterns/mrtr).
        const view = inputResponse(ctx.mcpReq.inputResponses, 'roots');
        if (view.kind !== 'roots') return inputRequired({ inputRequests: { roots: inputRequired.listRoots() } });
        return text(JSON.stringify(view.roots));
      }
      default:
        if (tools.some((t) => t.name === req.params.name)) return text(`${req.params.name} ran`);
        return { isError: true, ...text(`no tool ${req.params.name}`) };
    }
  });
  server.setRequestHandler('prompts/list', (req) => {
    const { slice, nextCursor } = page(prompts, req.params?.cursor);
    return { prompts: slice, ...(nextCursor ? { nextCursor } : {}) };
  });
  server.setRequestHandler('prompts/get', (req) => {
    const name = req.params.name;
    if (name === 'greet') return { messages: [{ role: 'user', content: { type: 'text', text: `Hello, ${req.params.arguments?.name ?? 'nobody'}!` } }] };
    if (name === 'plain') return { messages: [{ role: 'user', content: { type: 'text', text: 'A plain prompt.' } }] };
    throw new Error(`no prompt ${name}`);
  });
  server.setRequestHandler('resources/list', (req) => {
    const { slice, nextCursor } = page(resources, req.params?.cursor);
    return { resources: slice, ...(nextCursor ? { nextCursor } : {}) };
  });
  server.setRequestHandler('resources/templates/list', () => ({ resourceTemplates: templates }));
  server.setRequestHandler('resources/read', (req) => {
    const uri = req.params.uri;
    const body = uri === 'modern://hello' ? 'Hello from 2026-07-28' : uri === 'modern://counter' ? `counter ${counter}` : uri.startsWith('modern://items/') ? `item ${uri.slice(15)}` : undefined;
    if (body === undefined) throw new Error(`no resource ${uri}`);
    return { contents: [{ uri, mimeType: 'text/plain', text: body }] };
  });
  server.setRequestHandler('completion/complete', (req) => {
    const { ref, argument } = req.params;
    const pool = ref.type === 'ref/prompt' && ref.name === 'greet' ? NAMES : ref.type === 'ref/resource' && argument.name === 'id' ? ITEMS : [];
    const values = pool.filter((v) => v.toLowerCase().startsWith(argument.value.toLowerCase()));
    return { completion: { values, total: values.length, hasMore: false } };
  });
  return server;
}

if (http) {
  handler = createMcpHandler(build, { legacy: 'reject' });
  const httpServer = createServer((req, res) => void serve(req, res));
  httpServer.listen(0, '127.0.0.1', () => {
    process.stderr.write(`listening on http://127.0.0.1:${httpServer.address().port}/mcp\n`);
  });
} else {
  serveStdio(build, { legacy: 'reject' });
}

/** node:http → the handler's web-standard fetch, streaming the answer (SSE for listen and progress). */
async function serve(req, res) {
  if (!req.url?.startsWith('/mcp')) {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks);
  try {
    const response = await handler.fetch(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body, signal: abort.signal }));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return void res.end();
    Readable.fromWeb(response.body).on('error', () => res.end()).pipe(res);
  } catch (err) {
    if (!res.headersSent) res.writeHead(500);
    res.end(String(err));
  }
}
