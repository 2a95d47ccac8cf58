#!/usr/bin/env node
// A real MCP server (SDK v1, stdio, 2025-11-25) that asks the client for input and then withdraws the
// question: the one peer that exercises a server cancelling its own elicitation/create (the SDK sends
// notifications/cancelled when the request's AbortSignal aborts). server-everything never cancels one.
//
// Tools:
// - `ask_then_cancel { after_ms? }`: sends elicitation/create and cancels it with the reason "the
//   question is no longer needed" when `cancel_pending` is called or, given `after_ms`, after that long;
//   answers with what became of the elicitation.
// - `cancel_pending`: cancels every elicitation `ask_then_cancel` is waiting on (a test calls it once the
//   form is on screen, so that nothing depends on timing).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const REASON = 'the question is no longer needed';
/** Aborts of the elicitations in flight. */
const pending = new Set();

const server = new McpServer({ name: 'elicit-cancel', version: '1.0.0' });

server.registerTool(
  'ask_then_cancel',
  {
    description: 'Asks for a colour, then cancels the question (on cancel_pending, or after after_ms)',
    inputSchema: { after_ms: z.number().int().positive().optional() },
  },
  async ({ after_ms }) => {
    const controller = new AbortController();
    const cancel = () => controller.abort(REASON);
    pending.add(cancel);
    const timer = after_ms ? setTimeout(cancel, after_ms) : undefined;
    try {
      const answer = await server.server.elicitInput(
        {
          message: 'Which colour should the button be?',
          requestedSchema: {
            type: 'object',
            properties: { colour: { type: 'string', title: 'Colour', enum: ['red', 'green', 'blue'] } },
            required: ['colour'],
          },
        },
        { signal: controller.signal },
      );
      return { content: [{ type: 'text', text: `answered: ${JSON.stringify(answer)}` }] };
    } catch (err) {
      return { content: [{ type: 'text', text: `elicitation cancelled by the server: ${err.message}` }] };
    } finally {
      clearTimeout(timer);
      pending.delete(cancel);
    }
  },
);

server.registerTool('cancel_pending', { description: 'Cancels the elicitations ask_then_cancel waits on' }, async () => {
  const n = pending.size;
  for (const cancel of [...pending]) cancel();
  return { content: [{ type: 'text', text: `cancelled ${n}` }] };
});

await server.connect(new StdioServerTransport());
