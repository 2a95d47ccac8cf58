#!/usr/bin/env node
// A real MCP server on the SDK's v2 server package that speaks 2026-07-28 only (stdio) and answers a tool
// call with a task, as the 2026-07-28 tasks extension (SEP-2663) has a server do: a `tools/call` result of
// `resultType: "task"` carrying the task, then `tasks/get` for its status. No server on npm does this yet.
// It shows what the MCP SDK the host is built on serves of that extension (see src/session/tasks.ts).
//
// Tool `research { topic }`: lists `execution.taskSupport: "required"` (the SDK's 2026-07-28 codec strips
// `execution` from the list it sends) and answers with a task that is completed at once (which the client
// SDK refuses: UnsupportedResultType); `tasks/get` (a name the extension reuses, served with a schema of
// our own) returns it.
import { Server } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import * as z from 'zod';

function build() {
  const server = new Server({ name: 'modern-tasks', version: '1.0.0' }, { capabilities: { tools: {} } });
  const now = new Date().toISOString();
  const task = (taskId) => ({ taskId, status: 'completed', createdAt: now, lastUpdatedAt: now, ttl: 60_000, pollInterval: 500 });
  server.setRequestHandler('tools/list', () => ({
    tools: [
      {
        name: 'research',
        description: 'Runs as a task',
        inputSchema: { type: 'object', properties: { topic: { type: 'string' } } },
        execution: { taskSupport: 'required' },
      },
    ],
  }));
  // `content: []` only because the server SDK checks every tools/call result against CallToolResult (a
  // task alone fails that check on the server, before anything is sent).
  server.setRequestHandler('tools/call', () => ({ resultType: 'task', task: task('t-1'), content: [] }));
  server.setRequestHandler('tasks/get', { params: z.looseObject({ taskId: z.string() }) }, (params) => ({ ...task(params.taskId) }));
  return server;
}

serveStdio(build, { legacy: 'reject' });
