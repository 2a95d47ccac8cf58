#!/usr/bin/env node
// A real MCP server (SDK, stdio) that sleeps before it reads anything, so that its answer to
// `initialize` comes late. Used to show that one slow server never holds the others back.
// Usage: node slow-init.mjs [delay_ms=3000]
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const delay = Number(process.argv[2] ?? 3000);
await new Promise((resolve) => setTimeout(resolve, delay));
const server = new McpServer({ name: 'slow-init', version: '1.0.0' });
server.registerTool('ping', { description: 'Answers pong', inputSchema: { note: z.string().optional() } }, async () => ({
  content: [{ type: 'text', text: 'pong' }],
}));
await server.connect(new StdioServerTransport());
