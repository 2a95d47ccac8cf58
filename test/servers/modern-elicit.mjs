#!/usr/bin/env node
// A real MCP server on the SDK's v2 server package that speaks 2026-07-28 only (stdio) and asks the user
// through an `input_required` round (spec 2026-07-28: basic/patterns/mrtr): the modern era's elicitation,
// which no server on npm offers yet.
//
// Tool `deploy { env }`: answers input_required with an elicitation/create asking to confirm (a boolean
// and an optional note); on the retry, says what the client answered (accept with content, decline,
// cancel).
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
    ],
  }));
  server.setRequestHandler('tools/call', (req, ctx) => {
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

serveStdio(build, { legacy: 'reject' });
