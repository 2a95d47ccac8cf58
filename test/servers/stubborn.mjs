#!/usr/bin/env node
// A real MCP server (SDK, stdio) that misbehaves when asked to go: it keeps running after its stdin
// closes, starts a child of its own (`sleep`, in its process group), and with --ignore-term also
// ignores SIGTERM, so that only SIGKILL of its process group ends it.
// Usage: node stubborn.mjs [--ignore-term]
import { spawn } from 'node:child_process';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

if (process.argv.includes('--ignore-term')) process.on('SIGTERM', () => {});
// The child neither reads stdin nor exits with its parent.
spawn('sleep', ['600'], { stdio: 'ignore' }).unref();
// Stays alive whatever happens to stdin.
setInterval(() => {}, 60_000);
process.stdin.on('end', () => {});
const server = new McpServer({ name: 'stubborn', version: '1.0.0' });
server.registerTool('ping', { description: 'Answers pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }));
await server.connect(new StdioServerTransport());
