#!/usr/bin/env node
// A real MCP server (SDK, stdio) that fails on purpose, to exercise the restart policy.
// Usage: node flaky.mjs [--crash-after MS] [--count FILE] [--exit-at-start N,M] [--crash-spawns N,M]
//   --crash-after MS   exit with code 1 MS ms after the client's `notifications/initialized`
//   --count FILE       append a line to FILE per spawn; the spawn's number is the count of lines
//   --exit-at-start L  on the spawns numbered in L (1-based), exit with code 3 before reading anything
//                      (the start fails during `initialize`)
//   --crash-spawns L   crash (with --crash-after) only on the spawns numbered in L; default every spawn
import { appendFileSync, readFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const list = (name) => (arg(name) ?? '').split(',').filter(Boolean).map(Number);
let spawnNo = 1;
const countFile = arg('--count');
if (countFile) {
  appendFileSync(countFile, `${process.pid}\n`);
  spawnNo = readFileSync(countFile, 'utf8').split('\n').filter(Boolean).length;
}
if (list('--exit-at-start').includes(spawnNo)) process.exit(3);
const crashAfter = arg('--crash-after');
const crashOn = list('--crash-spawns');
const server = new McpServer({ name: 'flaky', version: '1.0.0' });
server.registerTool('ping', { description: 'Answers pong and the spawn number' }, async () => ({ content: [{ type: 'text', text: `pong ${spawnNo}` }] }));
server.server.oninitialized = () => {
  if (crashAfter !== undefined && (crashOn.length === 0 || crashOn.includes(spawnNo))) setTimeout(() => process.exit(1), Number(crashAfter));
};
await server.connect(new StdioServerTransport());
