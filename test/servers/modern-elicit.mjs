#!/usr/bin/env node
// A real MCP server on the SDK's v2 server package that speaks 2026-07-28 only (stdio) and asks the user
// through an `input_required` round (spec 2026-07-28: basic/patterns/mrtr): the modern era's elicitation,
// which no server on npm offers yet.
//
// Tools:
// - `deploy { env }`: answers input_required with an elicitation/create asking to confirm (a boolean and
//   an optional note); on the retry, says what the client answered (accept with content, decline, cancel).
// - `book`: a form with the formats and kinds the spec names that `deploy` lacks (date-time, email,
//   bounded integer, a legacy `enumNames` enum, a titled multi-select); reports the content it got.
// - `login`: a URL-mode elicitation in an input_required round (2026-07-28 URL mode: no elicitationId,
//   no completion notification); reports the action. (This revision has no -32042 error: the SDK refuses
//   to send one and points to input_required, which is what `login` does.)
import { inputRequired, inputResponse, Server } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

const text = (t) => ({ content: [{ type: 'text', text: t }] });

function build() {
  const server = new Server({ name: 'modern-elicit', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', () => ({
    tools: [
      {
        name: 'deploy',
        description: 'Asks for confirmation, then reports the answer',
        inputSchema: { type: 'object', properties: { env: { type: 'string' } }, required: ['env'] },
      },
      { name: 'book', description: 'Books a slot through a form', inputSchema: { type: 'object', properties: {} } },
      { name: 'login', description: 'Asks the user to open a login URL', inputSchema: { type: 'object', properties: {} } },
    ],
  }));
  server.setRequestHandler('tools/call', (req, ctx) => {
    if (req.params.name === 'book') return book(ctx);
    if (req.params.name === 'login') return loginTool(ctx);
    if (req.params.name !== 'deploy') return { isError: true, ...text(`no tool ${req.params.name}`) };
    const env = String(req.params.arguments?.env ?? '?');
    const view = inputResponse(ctx.mcpReq.inputResponses, 'confirm');
    if (view.kind !== 'elicit') {
      return inputRequired({
        inputRequests: {
          confirm: inputRequired.elicit({
            message: `Deploy to ${env}?`,
            requestedSchema: {
              type: 'object',
              properties: {
                confirm: { type: 'boolean', title: 'Confirm', description: 'Really deploy' },
                note: { type: 'string', description: 'For the log', default: 'routine' },
              },
              required: ['confirm'],
            },
          }),
        },
      });
    }
    // Keys sorted: the content's order is the client's.
    const content = view.content ? ` ${JSON.stringify(Object.fromEntries(Object.entries(view.content).sort()))}` : '';
    return text(`deploy ${env}: ${view.action}${content}`);
  });
  return server;
}

/** Keys sorted: the content's order is the client's. */
const sorted = (content) => JSON.stringify(Object.fromEntries(Object.entries(content ?? {}).sort()));

function book(ctx) {
  const view = inputResponse(ctx.mcpReq.inputResponses, 'slot');
  if (view.kind !== 'elicit') {
    return inputRequired({
      inputRequests: {
        slot: inputRequired.elicit({
          message: 'When should we meet?',
          requestedSchema: {
            type: 'object',
            properties: {
              when: { type: 'string', format: 'date-time', title: 'When' },
              contact: { type: 'string', format: 'email', title: 'Contact' },
              people: { type: 'integer', minimum: 1, maximum: 8, default: 2 },
              room: { type: 'string', enum: ['r1', 'r2'], enumNames: ['Blue room', 'Red room'] },
              extras: { type: 'array', items: { anyOf: [{ const: 'tea', title: 'Tea' }, { const: 'cake', title: 'Cake' }] }, maxItems: 2 },
            },
            required: ['when', 'contact', 'room'],
          },
        }),
      },
    });
  }
  return text(`book: ${view.action}${view.content ? ` ${sorted(view.content)}` : ''}`);
}

function loginTool(ctx) {
  const view = inputResponse(ctx.mcpReq.inputResponses, 'open');
  if (view.kind !== 'elicit') {
    return inputRequired({ inputRequests: { open: inputRequired.elicitUrl({ message: 'Sign in to continue.', url: 'https://xn--80ak6aa92e.com/login' }) } });
  }
  return text(`login: ${view.action}`);
}

serveStdio(build, { legacy: 'reject' });
