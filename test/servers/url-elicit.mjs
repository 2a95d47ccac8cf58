#!/usr/bin/env node
// A real MCP server (SDK v1, stdio, 2025-11-25) for URL-mode elicitation (spec: client/elicitation, URL
// mode) where server-everything stops short: it sends `notifications/elicitation/complete` once a flow is
// done, and its -32042 tool succeeds on the retry only once that flow is complete. No browser takes part:
// a test calls `complete_flows` where a person would finish in the browser, so nothing depends on timing.
//
// Tools:
// - `open_docs { url? }`: elicitation/create in URL mode (with an elicitationId) for `url` (default an
//   internationalised domain over http, so that both warnings show); answers with the client's action.
//   An accepted flow waits for `complete_flows`.
// - `needs_login`: fails with -32042 (UrlElicitationRequiredError) carrying one URL elicitation until its
//   flow is complete; then answers "logged in".
// - `complete_flows`: sends notifications/elicitation/complete for every flow waiting; answers how many.
// - `cancel_open`: cancels (notifications/cancelled, reason "the link expired") every open_docs request
//   still waiting for the client's answer.
import { randomUUID } from 'node:crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { UrlElicitationRequiredError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const server = new McpServer({ name: 'url-elicit', version: '1.0.0' });
const text = (t) => ({ content: [{ type: 'text', text: t }] });

/** Flows the client accepted (or was sent to), waiting for the person to finish: id → notify. */
const waiting = new Map();
/** Aborts of the open_docs requests waiting for the client. */
const asking = new Set();
/** The login flow: its id, and whether it is complete. */
let login = undefined;

server.registerTool(
  'open_docs',
  { description: 'Asks the user to open a URL (URL-mode elicitation)', inputSchema: { url: z.string().optional() } },
  async ({ url }) => {
    const elicitationId = randomUUID();
    const controller = new AbortController();
    asking.add(controller);
    let answer;
    try {
      answer = await server.server.elicitInput(
        { mode: 'url', message: 'Read the terms, then come back.', url: url ?? 'http://bücher.example/terms?lang=en', elicitationId },
        { signal: controller.signal },
      );
    } catch (err) {
      return text(`open_docs: cancelled by the server (${err.message})`);
    } finally {
      asking.delete(controller);
    }
    if (answer.action === 'accept') waiting.set(elicitationId, server.server.createElicitationCompletionNotifier(elicitationId));
    return text(`open_docs: ${answer.action}`);
  },
);

server.registerTool('needs_login', { description: 'Needs a browser login first (-32042)' }, async () => {
  if (login?.done) return text('logged in');
  if (!login) {
    const elicitationId = randomUUID();
    login = { id: elicitationId, done: false };
    waiting.set(elicitationId, async () => {
      login.done = true;
      await server.server.createElicitationCompletionNotifier(elicitationId)();
    });
  }
  throw new UrlElicitationRequiredError(
    [{ mode: 'url', message: 'Sign in to the example service.', url: 'https://login.example.com/authorize?client=mcp', elicitationId: login.id }],
    'This tool needs you to sign in first.',
  );
});

server.registerTool('cancel_open', { description: 'Cancels the open_docs requests waiting for an answer' }, async () => {
  const n = asking.size;
  for (const c of [...asking]) c.abort('the link expired');
  return text(`cancelled ${n}`);
});

server.registerTool('complete_flows', { description: 'Says every waiting flow is complete' }, async () => {
  const n = waiting.size;
  for (const [id, notify] of [...waiting]) {
    waiting.delete(id);
    await notify();
  }
  return text(`completed ${n}`);
});

await server.connect(new StdioServerTransport());
