#!/usr/bin/env node
// A legacy (2025-11-25) MCP server on SDK v1 that exits when its first request is not `initialize`, the
// way servers built on SDKs that terminate on any pre-`initialize` request behave. No such server is on
// npm in a form that runs here, so this stands in for them: the host must count it as legacy (spawn it
// again and use `initialize`), not as failed.
// Each spawn appends the method of its first request to the file named by $MCP_FIRST_LOG, if set.
import { appendFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const input = new PassThrough();
let first = true;
let pending = '';
process.stdin.on('data', (chunk) => {
  if (first) {
    pending += chunk.toString('utf8');
    const nl = pending.indexOf('\n');
    if (nl === -1) return;
    first = false;
    const method = JSON.parse(pending.slice(0, nl)).method;
    if (process.env.MCP_FIRST_LOG) appendFileSync(process.env.MCP_FIRST_LOG, `${method}\n`);
    if (method !== 'initialize') process.exit(3);
    input.write(pending);
    return;
  }
  input.write(chunk);
});
process.stdin.on('end', () => input.end());

const server = new McpServer({ name: 'strict-legacy', version: '1.0.0' });
server.registerTool('hello', { description: 'Says hello' }, async () => ({ content: [{ type: 'text', text: 'hello from 2025' }] }));
await server.connect(new StdioServerTransport(input, process.stdout));
