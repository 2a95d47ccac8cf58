#!/usr/bin/env node
// Bench-only MCP server (SDK, stdio): one text resource of a given size, for the "big resource" case.
// The text is built once at start: numbered lines of 79 characters plus "\n" (80 bytes a line), so a
// buffer that receives it has size/80 lines and each line can be checked.
// Usage: node big-resource.mjs [bytes=10000000]
// Resource: big://text (text/plain). Tool: size (answers the resource's size in bytes).
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

const bytes = Number(process.argv[2] ?? 10_000_000);
const LINE = 80;
const filler = 'abcdefghijklmnopqrstuvwxyz0123456789 '.repeat(3);
const lines = [];
for (let i = 0; i * LINE < bytes; i++) {
  const head = `${String(i).padStart(8, '0')} `;
  lines.push((head + filler).slice(0, LINE - 1));
}
const text = lines.join('\n') + '\n';
export const URI = 'big://text';

const server = new Server({ name: 'big-resource', version: '1.0.0' }, { capabilities: { resources: {}, tools: {} } });
server.setRequestHandler(ListResourcesRequestSchema, async () => ({
  resources: [{ uri: URI, name: 'big text', mimeType: 'text/plain', size: Buffer.byteLength(text) }],
}));
server.setRequestHandler(ReadResourceRequestSchema, async (req) => {
  if (req.params.uri !== URI) throw new Error(`unknown resource ${req.params.uri}`);
  return { contents: [{ uri: URI, mimeType: 'text/plain', text }] };
});
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [{ name: 'size', description: 'Size of big://text in bytes', inputSchema: { type: 'object', properties: {} } }],
}));
server.setRequestHandler(CallToolRequestSchema, async () => ({ content: [{ type: 'text', text: String(Buffer.byteLength(text)) }] }));
await server.connect(new StdioServerTransport());
