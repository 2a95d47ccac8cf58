#!/usr/bin/env node
// A real MCP server (SDK, stdio) whose lists span several pages: N tools, N prompts, N resources in
// pages of PAGE. server-everything never paginates, so this is how pagination is exercised.
// Usage: node paged.mjs [count=250] [page=50] [--touch]
// With --touch the tool list also has `touch_tools`, which adds a tool and sends
// notifications/tools/list_changed before it answers (the catalog benchmark uses it).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

const count = Number(process.argv[2] ?? 250);
const pageSize = Number(process.argv[3] ?? 50);
const touch = process.argv.includes('--touch');
const pad = (i) => String(i).padStart(4, '0');

const tools = Array.from({ length: count }, (_, i) => ({
  name: `tool_${pad(i)}`,
  description: `Paged tool number ${i}`,
  inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
}));
if (touch) tools.push({ name: 'touch_tools', description: 'Adds a tool and sends tools/list_changed', inputSchema: { type: 'object', properties: {} } });
const prompts = Array.from({ length: count }, (_, i) => ({ name: `prompt_${pad(i)}`, description: `Paged prompt ${i}` }));
const resources = Array.from({ length: count }, (_, i) => ({ uri: `paged://item/${pad(i)}`, name: `item ${pad(i)}`, mimeType: 'text/plain' }));

function page(items, cursor) {
  const start = cursor ? Number(cursor) : 0;
  const slice = items.slice(start, start + pageSize);
  const next = start + pageSize < items.length ? String(start + pageSize) : undefined;
  return { slice, ...(next ? { nextCursor: next } : {}) };
}

const server = new Server(
  { name: 'paged', version: '1.0.0' },
  { capabilities: { tools: { listChanged: true }, prompts: { listChanged: true }, resources: { listChanged: true } } },
);
server.setRequestHandler(ListToolsRequestSchema, async (req) => {
  const { slice, nextCursor } = page(tools, req.params?.cursor);
  return { tools: slice, nextCursor };
});
server.setRequestHandler(ListPromptsRequestSchema, async (req) => {
  const { slice, nextCursor } = page(prompts, req.params?.cursor);
  return { prompts: slice, nextCursor };
});
server.setRequestHandler(ListResourcesRequestSchema, async (req) => {
  const { slice, nextCursor } = page(resources, req.params?.cursor);
  return { resources: slice, nextCursor };
});
server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: [] }));
server.setRequestHandler(CallToolRequestSchema, async (req) => {
  if (touch && req.params.name === 'touch_tools') {
    tools.push({ name: `tool_${pad(tools.length)}`, description: 'added', inputSchema: { type: 'object' } });
    await server.sendToolListChanged();
  }
  return { content: [{ type: 'text', text: `${req.params.name}: ${JSON.stringify(req.params.arguments ?? {})}` }] };
});
server.setRequestHandler(GetPromptRequestSchema, async (req) => ({
  messages: [{ role: 'user', content: { type: 'text', text: `prompt ${req.params.name}` } }],
}));
server.setRequestHandler(ReadResourceRequestSchema, async (req) => ({
  contents: [{ uri: req.params.uri, mimeType: 'text/plain', text: `contents of ${req.params.uri}` }],
}));
await server.connect(new StdioServerTransport());
