#!/usr/bin/env node
// A real MCP server (SDK v1, stdio, 2025-11-25) that logs and reports progress on demand, so that tests
// see exactly which messages a level lets through and how long a call runs. server-everything logs at a
// random level every 5 s and its long-running operation has fixed steps: neither can be asserted on.
//
// Declares `logging`. Tools:
// - `log_all { tag }`: sends one `notifications/message` at each of the spec's eight levels, `data`
//   "{tag} {level}", logger "chatty"; the SDK drops those below the level the client set.
// - `slow { steps, every_ms }`: reports progress (`step i of steps`) every `every_ms`, `steps` times, then
//   answers "done after N steps". Without a progress token from the client it sends no progress.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

const server = new McpServer({ name: 'chatty', version: '1.0.0' }, { capabilities: { logging: {} } });

server.registerTool('log_all', { description: 'Logs one message at each level', inputSchema: { tag: z.string() } }, async ({ tag }) => {
  for (const level of LEVELS) await server.server.sendLoggingMessage({ level, logger: 'chatty', data: `${tag} ${level}` });
  return { content: [{ type: 'text', text: `logged ${tag}` }] };
});

server.registerTool(
  'slow',
  { description: 'Reports progress every every_ms, steps times', inputSchema: { steps: z.number().int().positive(), every_ms: z.number().int().positive() } },
  async ({ steps, every_ms }, extra) => {
    const token = extra._meta?.progressToken;
    for (let i = 1; i <= steps; i++) {
      await new Promise((resolve) => setTimeout(resolve, every_ms));
      if (token !== undefined) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: i, total: steps, message: `step ${i} of ${steps}` } });
      }
    }
    return { content: [{ type: 'text', text: `done after ${steps} steps` }] };
  },
);

await server.connect(new StdioServerTransport());
