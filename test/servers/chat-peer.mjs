#!/usr/bin/env node
// A real MCP server (SDK v1, stdio) for the chat tests: the peer that lets a test see, on the server's
// side, what a chat did to a tool call. server-everything cannot show that: it neither reports the
// cancellations it receives nor adds tools at run time.
//
// Usage: node chat-peer.mjs --log FILE
//   Every event is appended to FILE as one JSON line: `{"event":"started","tool":"wait"}` when a `wait`
//   call arrives, `{"event":"cancelled","tool":"wait","reason":...}` when the client cancels it
//   (`notifications/cancelled`: the SDK aborts the request's signal with the notification's reason).
//
// Tools:
// - `wait`: waits until the client cancels the call (at most 60 s), then answers;
// - `fail`: a tool error (`isError: true`) saying "the disk is full";
// - `add_tool { name }`: adds a tool named `name` (it answers "added <name>") and announces the list
//   change (`notifications/tools/list_changed`, sent by the SDK when a tool is registered);
// - `structured`: `structuredContent` `{ answer: 42, unit: "towels" }` with a text block that does not
//   repeat it, so a test sees whether the structured content itself reaches the model.
//
// Prompts:
// - `dialogue { topic }`: three messages with both roles (user, assistant, user), as a few-shot prompt.
import { appendFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const logArg = process.argv.indexOf('--log');
const logFile = logArg > 0 ? process.argv[logArg + 1] : undefined;
const log = (entry) => {
  if (logFile) appendFileSync(logFile, JSON.stringify(entry) + '\n');
};

const server = new McpServer(
  { name: 'chat-peer', version: '1.0.0' },
  { instructions: 'Test server of mcp.nvim: wait, fail and add_tool.' },
);

server.registerTool('wait', { description: 'Waits until the call is cancelled (at most 60 s)' }, async (extra) => {
  log({ event: 'started', tool: 'wait' });
  const outcome = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timed out'), 60_000);
    extra.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      const reason = extra.signal.reason;
      log({ event: 'cancelled', tool: 'wait', reason: reason instanceof Error ? reason.message : String(reason) });
      resolve('cancelled');
    });
  });
  return { content: [{ type: 'text', text: `wait ${outcome}` }] };
});

server.registerTool('fail', { description: 'Always fails with a tool error' }, async () => ({
  isError: true,
  content: [{ type: 'text', text: 'the disk is full' }],
}));

server.registerTool(
  'add_tool',
  { description: 'Adds a tool named `name` and announces the list change', inputSchema: { name: z.string() } },
  async ({ name }) => {
    server.registerTool(name, { description: `Added at run time: ${name}` }, async () => ({
      content: [{ type: 'text', text: `${name} ran` }],
    }));
    return { content: [{ type: 'text', text: `added ${name}` }] };
  },
);

server.registerTool(
  'structured',
  {
    description: 'Answers with structured content that its text does not repeat',
    outputSchema: { answer: z.number(), unit: z.string() },
  },
  async () => ({
    content: [{ type: 'text', text: 'The answer is in the structured content.' }],
    structuredContent: { answer: 42, unit: 'towels' },
  }),
);

server.registerPrompt(
  'dialogue',
  { description: 'A short dialogue about a topic', argsSchema: { topic: z.string().describe('What to talk about') } },
  ({ topic }) => ({
    messages: [
      { role: 'user', content: { type: 'text', text: `Let us talk about ${topic}.` } },
      { role: 'assistant', content: { type: 'text', text: `Gladly. What about ${topic}?` } },
      { role: 'user', content: { type: 'text', text: `Tell me the history of ${topic}.` } },
    ],
  }),
);

await server.connect(new StdioServerTransport());
